"""Multi-site estates: each site planned on its own servers, then merged into one plan.

A workload's `site` (a datacenter or cluster) is where it stays unless the setting
`cross_sites` lets workloads move. Sites are then independent problems: each is solved
(and given its spares and failure tolerance) alone, which is both what the estate needs
and what lets a sweep run them as separate tasks. The merged plan names every server
after its site, and the checker refuses a server that carries two sites' workloads.

This module holds what the domain says about sites (who is where, the site rule); the
input check of the column is in `planner.io.site_column` and the merge of per-site
results in `planner.study.sites`.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Estate, Workload
from planner.plan import Plan

SEPARATOR = "/"  # server ids of a site's plan: 'DC1/R650-001'


def sites_of(estate: Estate) -> list[str]:
    """The estate's sites, sorted (empty when no workload names one)."""
    return sorted({w.site for w in estate.workloads if w.site})


def planned_per_site(estate: Estate) -> bool:
    """True when the estate spans two or more sites and workloads may not cross them."""
    return not estate.settings.cross_sites and len(sites_of(estate)) > 1


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
