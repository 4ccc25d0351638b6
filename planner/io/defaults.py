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


SHARED = (
    "existing VMs: storage planned as shared (SAN/NAS or HCI, outside the servers' capacity; the plan reports the "
    "total), as vSphere HA needs to restart VMs elsewhere; set storage_pool = local to plan on the servers' disks"
)


def inventory_defaults(settings: Settings, named: set[str], workloads: list[Workload]) -> tuple[Settings, list[str]]:
    """The settings for existing VMs unless the input names them: N+1, and shared storage; with notes saying so."""
    if not any(w.includes_guest_os for w in workloads):
        return settings, []
    notes: list[str] = []
    if "ha_failures" not in named:
        settings, notes = replace(settings, ha_failures=1), [*notes, N_PLUS_ONE]
    if "storage_pool" not in named:
        settings, notes = replace(settings, storage_pool="shared"), [*notes, SHARED]
    return settings, notes


def in_zone(workload: Workload) -> Workload:
    """A workload whose security zone is part of its site, so that zones are planned apart like sites."""
    if not workload.zone:
        return workload
    return replace(workload, site=f"{workload.site} ({workload.zone})" if workload.site else f"({workload.zone})")
