"""The `site` column checked at the boundary: every workload names a site or none, and affinity stays within one."""

from __future__ import annotations

from collections.abc import Sequence

from planner.domain import Workload
from planner.input_errors import InputProblem


def site_problems(sheet: str, workloads: Sequence[tuple[int, Workload]], cross_sites: bool) -> list[InputProblem]:
    """Input problems of the site column: a blank site among named ones, affinity across sites."""
    named = [(row, w) for row, w in workloads if w.site]
    if not named or cross_sites:
        return []
    problems = [
        InputProblem(sheet, row, "site", f"workload {w.name} names no site while others do: give every workload a site, or none")
        for row, w in workloads
        if not w.site
    ]
    first: dict[str, tuple[int, Workload]] = {}
    for row, w in named:
        if w.affinity_group is None:
            continue
        row0, w0 = first.setdefault(w.affinity_group, (row, w))
        if w0.site != w.site:
            problems.append(
                InputProblem(
                    sheet,
                    row,
                    "affinity_group",
                    f"{w.name} (site {w.site}) and {w0.name} (row {row0}, site {w0.site}) share affinity group "
                    f"{w.affinity_group!r}, but workloads may not cross sites (setting cross_sites = no)",
                )
            )
    return problems
