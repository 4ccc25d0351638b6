"""A catalog by default: an inventory given without one is planned on the bundled current-generation
catalog and on like-for-like models of today's host shapes, and the notes say so."""

from __future__ import annotations

from collections.abc import Sequence

from planner.domain import CurrentHost, ServerModel
from planner.io.columns import SERVER_COLUMNS
from planner.profiles.catalog import catalog_servers, like_for_like
from planner.profiles.loading import load_catalog


def default_servers(hosts: Sequence[CurrentHost]) -> tuple[list[ServerModel], str]:
    """The bundled catalog's models and like-for-like models of today's hosts, with the note that says which."""
    catalog = load_catalog()
    bundled, same = catalog_servers(catalog), like_for_like(hosts, catalog)
    shapes = f" and {len(same)} like-for-like models of today's host shapes (from vHost)" if same else ""
    note = (
        f"no server catalog given: planned on the bundled current-generation catalog (models/catalog/current.toml: "
        f"{len(bundled)} models, {catalog.description}; {catalog.currency}){shapes}; give your own with --servers"
    )
    return same + bundled, note  # like-for-like first: the baseline prices today's servers as the first model


def default_catalog_rows(hosts: Sequence[CurrentHost]) -> tuple[list[list[object]], str]:
    """The default catalog as editable rows (a header of the Servers columns, then one row per model) and its note."""
    servers, note = default_servers(hosts)
    header: list[object] = [c.name for c in SERVER_COLUMNS]
    rows: list[list[object]] = [header]
    for m in servers:
        values = {**vars(m), "platforms": ", ".join(m.platforms)}
        rows.append([values.get(str(name)) for name in header])
    return rows, note
