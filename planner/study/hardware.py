"""The hardware rows of the Assumptions sheet: each CPU's per-core rating, and the bundled catalog's prices.

Both are data files with a source per figure (`models/reference/cpu_generations.toml`,
`models/catalog/current.toml`); these rows put the figures a plan used beside their sources.
"""

from __future__ import annotations

from planner.domain import Estate
from planner.profiles.catalog import LIKE_FOR_LIKE
from planner.profiles.cpus import core_rating, generation_of
from planner.profiles.loading import load_catalog, load_cpu_generations

Row = dict[str, object]

CPU_ROWS = 20  # CPU models listed in the Assumptions sheet, at most


def cpu_rating_rows(estate: Estate) -> list[Row]:
    """One Assumptions row per CPU model rated (the catalog's, then today's): rating, generation and source."""
    generations = load_cpu_generations()
    models: dict[tuple[str, float | None], list[str]] = {}
    for m in estate.server_models:
        if m.cpu_model:
            models.setdefault((m.cpu_model, m.cpu_ghz), []).append(m.model)
    cpus = [(c, g, "server model " + ", ".join(names)) for (c, g), names in models.items()]
    seen = set(models)
    for w in estate.workloads:
        if w.cpu_model and (w.cpu_model, w.cpu_ghz) not in seen and len(seen) < CPU_ROWS:
            seen.add((w.cpu_model, w.cpu_ghz))
            cpus.append((w.cpu_model, w.cpu_ghz, "today's CPU"))
    rows: list[Row] = []
    for text, ghz, whose in cpus:
        generation = generation_of(text, generations)
        rating = core_rating(text, ghz, generations)
        rows.append(
            {
                "setting": f"core_rating: {text}",
                "value": "unknown (converted 1:1)" if rating is None else round(rating, 3),
                "unit": "Sandy Bridge GHz",
                "reason": f"{whose}: "
                + (
                    "no generation matches, or no clock"
                    if generation is None or rating is None
                    else f"{generation.name}, IPC {generation.ipc:g} x base GHz"
                ),
                "source": "" if generation is None else f"models/reference/cpu_generations.toml: {generation.source}",
            }
        )
    return rows


def catalog_rows(estate: Estate) -> list[Row]:
    """When the plan used the bundled catalog: its part prices and each model's CPU figures, with sources."""
    catalog = load_catalog()
    bundled = {m.model: m for m in catalog.models}
    used = [m.model for m in estate.server_models if m.model in bundled or m.model.startswith(LIKE_FOR_LIKE)]
    if not used:
        return []
    p = catalog.prices
    sources = dict(p.sources)
    figures = {
        "chassis": (p.chassis, catalog.currency),
        "memory_per_gb": (p.memory_per_gb, f"{catalog.currency}/GB"),
        "storage_per_tb": (p.storage_per_tb, f"{catalog.currency}/TB raw"),
        "raid_usable_fraction": (p.raid_usable_fraction, "usable/raw"),
        "platform_watts": (p.platform_watts, "W"),
    }
    rows: list[Row] = [
        {
            "setting": f"catalog.{key}",
            "value": value,
            "unit": unit,
            "reason": "part price of the bundled catalog (models/catalog/current.toml): "
            "unit_cost = chassis + 2 CPUs + memory + raw NVMe",
            "source": sources.get(key, sources.get(key.removesuffix("_fraction").replace("raid_usable", "raid"), "")),
        }
        for key, (value, unit) in figures.items()
    ]
    rows += [
        {
            "setting": f"catalog model {m.model}",
            "value": m.cpu_price,
            "unit": f"{catalog.currency} per CPU",
            "reason": f"{m.cpu_model}, {m.cores_per_socket} cores per socket, {m.cpu_tdp_watts:g} W",
            "source": m.source,
        }
        for m in catalog.models
    ]
    return rows
