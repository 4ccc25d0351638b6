"""Multi-site studies: each site's result merged into one, with servers named after their site.

Which workloads belong to which site, and the rule the checker applies, live in `planner.sites`;
this module only merges the per-site results and reports of a study.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from planner.domain import Estate
from planner.plan import Plan, PlannedServer, SiteResult, SolveResult, combined_status
from planner.sites import SEPARATOR
from planner.study.resilience import ResilienceReport


def _prefixed(plan: Plan, site: str) -> Plan:
    def server(s: PlannedServer) -> PlannedServer:
        return replace(s, server_id=f"{site}{SEPARATOR}{s.server_id}", site=site)

    return Plan(
        servers=tuple(server(s) for s in plan.servers),
        placements=tuple(replace(p, server_id=f"{site}{SEPARATOR}{p.server_id}") for p in plan.placements),
        unplaced=plan.unplaced,
        spares=tuple(server(s) for s in plan.spares),
    )


def site_result(site: str, estate: Estate, result: SolveResult) -> SiteResult:
    """The figures of one site's result."""
    return SiteResult(
        site,
        result.status,
        len(result.plan.servers) + len(result.plan.spares),
        result.capex,
        result.lower_bound,
        result.objective_value,
        round(result.seconds, 2),
        len(estate.workloads),
        len(result.plan.unplaced),
    )


def merge_results(parts: Sequence[tuple[str, Estate, SolveResult]]) -> SolveResult:
    """One result from the sites' results: servers named by site, figures summed, the weakest status."""
    plans = [_prefixed(r.plan, site) for site, _, r in parts]
    results = [r for _, _, r in parts]
    methods = sorted({r.method for r in results})
    met = [r.failures_met for r in results if r.failures_met is not None]
    return SolveResult(
        status=combined_status(r.status for r in results),
        plan=Plan(
            servers=tuple(s for p in plans for s in p.servers),
            placements=tuple(x for p in plans for x in p.placements),
            unplaced=tuple(u for p in plans for u in p.unplaced),
            spares=tuple(s for p in plans for s in p.spares),
        ),
        capex=sum(r.capex for r in results),
        lower_bound=sum(r.lower_bound for r in results),
        seconds=sum(r.seconds for r in results),
        method=f"per site ({len(parts)} sites): " + "; ".join(methods),
        objective=results[0].objective,
        cost=None if all(r.cost is None for r in results) else sum(r.objective_value for r in results),
        notes=tuple(f"site {site}: {n}" for site, _, r in parts for n in r.notes),
        failures_met=all(met) if met else None,
        sites=tuple(site_result(site, e, r) for site, e, r in parts),
    )


def merge_reports(reports: Sequence[ResilienceReport]) -> ResilienceReport:
    """One failure report from the sites' reports (each site must survive its own losses)."""
    return ResilienceReport(
        k=reports[0].k,
        scenarios=tuple(s for r in reports for s in r.scenarios),
        total=sum(r.total for r in reports),
        exhaustive=all(r.exhaustive for r in reports),
        notes=tuple(n for r in reports for n in r.notes),
    )


def site_rows(result: SolveResult, *, total: bool = True) -> list[dict[str, object]]:
    """The Sites sheet: each site's figures, and (with `total`) the whole estate's."""
    rows: list[dict[str, object]] = [
        {
            "site": r.site,
            "workloads": r.workloads,
            "servers": r.servers,
            "capex": r.capex,
            "lower_bound": r.lower_bound,
            "gap_pct": round(r.gap_pct, 2),
            "unplaced": r.unplaced,
            "status": r.status,
            "seconds": r.seconds,
        }
        for r in result.sites
    ]
    if rows and total:
        rows.append(
            {
                "site": "total",
                "workloads": sum(r.workloads for r in result.sites),
                "servers": sum(r.servers for r in result.sites),
                "capex": result.capex,
                "lower_bound": result.lower_bound,
                "gap_pct": round(result.gap_pct, 2),
                "unplaced": len(result.plan.unplaced),
                "status": result.status,
                "seconds": round(result.seconds, 2),
            }
        )
    return rows
