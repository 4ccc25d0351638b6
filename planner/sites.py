"""Multi-site estates: each site planned on its own servers, then merged into one plan.

A workload's `site` (a datacenter or cluster) is where it stays unless the setting
`cross_sites` lets workloads move. Sites are then independent problems: each is solved
(and given its spares and failure tolerance) alone, which is both what the estate needs
and what lets a sweep run them as separate tasks. The merged plan names every server
after its site, and the checker refuses a server that carries two sites' workloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from planner.domain import Estate, Workload
from planner.input_errors import InputProblem
from planner.plan import Plan, PlannedServer, SiteResult, SolveResult

if TYPE_CHECKING:  # the resilience module imports the checker, which imports this one
    from planner.resilience import ResilienceReport

SEPARATOR = "/"  # server ids of a site's plan: 'DC1/R650-001'


def sites_of(estate: Estate) -> list[str]:
    """The estate's sites, sorted (empty when no workload names one)."""
    return sorted({w.site for w in estate.workloads if w.site})


def planned_per_site(estate: Estate) -> bool:
    """True when the estate spans two or more sites and workloads may not cross them."""
    return not estate.settings.cross_sites and len(sites_of(estate)) > 1


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


def site_estate(estate: Estate, site: str) -> Estate:
    """The part of the estate at one site: its workloads and the current hosts they run on."""
    workloads = tuple(w for w in estate.workloads if w.site == site)
    hosts_used = {w.current_host for w in workloads}
    hosts = tuple(h for h in estate.hosts if h.name in hosts_used)
    return replace(estate, workloads=workloads, hosts=hosts, notes=())


def split_estate(estate: Estate) -> list[tuple[str, Estate]]:
    """(site, estate) per site when planned per site, else the whole estate under the site ''."""
    if not planned_per_site(estate):
        return [("", estate)]
    return [(site, site_estate(estate, site)) for site in sites_of(estate)]


def at_site(workload: Workload, site: str) -> Workload:
    """A workload the planner added (a control plane) placed at one site, under a name unique across sites."""
    return replace(workload, name=f"{workload.name} @ {site}", site=site)


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
        status="optimal" if all(r.status == "optimal" for r in results) else "feasible",
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


def site_plan(estate: Estate, plan: Plan, site: str) -> Plan:
    """The servers, placements and unplaced replicas of one site in a merged plan."""
    servers = tuple(s for s in plan.servers if s.site == site)
    ids = {s.server_id for s in servers}
    return Plan(
        servers,
        tuple(p for p in plan.placements if p.server_id in ids),
        tuple(u for u in plan.unplaced if estate.workload(u.workload).site == site),
        tuple(s for s in plan.spares if s.site == site),
    )


def merge_reports(reports: Sequence[ResilienceReport]) -> ResilienceReport:
    """One failure report from the sites' reports (each site must survive its own losses)."""
    from planner.resilience import ResilienceReport

    return ResilienceReport(
        k=reports[0].k,
        scenarios=tuple(s for r in reports for s in r.scenarios),
        total=sum(r.total for r in reports),
        exhaustive=all(r.exhaustive for r in reports),
        notes=tuple(n for r in reports for n in r.notes),
    )


def check_sites(estate: Estate, plan: Plan) -> list[str]:
    """Violations of the site rule: a server of a per-site plan without a site, or hosting another site's replica."""
    if not planned_per_site(estate):
        return []
    out = [f"server {s.server_id} belongs to no site" for s in (*plan.servers, *plan.spares) if not s.site]
    site_of = {s.server_id: s.site for s in plan.servers}
    for p in plan.placements:
        here, home = site_of.get(p.server_id), estate.workload(p.workload).site
        if here and here != home:
            out.append(f"{p.workload} replica {p.replica} of site {home} is placed on {p.server_id} at site {here}")
    return out


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
