"""Defaults that depend on what the input is: existing VMs are planned N+1, and security zones apart.

An inventory of existing VMs (workloads whose allocation holds a guest OS) is planned as a
vSphere cluster is run: surviving the loss of one server per site (HA admission control),
unless the input sets `ha_failures` itself. A workload's `zone` (dmz, prod, pci...) becomes
part of its site, so that zones, like clusters, never share a server.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Settings, Workload

N_PLUS_ONE = (
    "existing VMs: planned N+1 (each site survives losing one server), as vSphere HA admission control reserves; "
    "set ha_failures = 0 to plan without"
)


def inventory_defaults(settings: Settings, named: set[str], workloads: list[Workload]) -> tuple[Settings, list[str]]:
    """The settings with N+1 for existing VMs unless `ha_failures` was named, and the note saying so."""
    if "ha_failures" in named or not any(w.includes_guest_os for w in workloads):
        return settings, []
    return replace(settings, ha_failures=1), [N_PLUS_ONE]


def in_zone(workload: Workload) -> Workload:
    """A workload whose security zone is part of its site, so that zones are planned apart like sites."""
    if not workload.zone:
        return workload
    return replace(workload, site=f"{workload.site} ({workload.zone})" if workload.site else f"({workload.zone})")
