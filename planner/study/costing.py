"""Both sides of the business case priced on one basis: today's servers and the plan's.

Each side pays for the same things: energy (the same power curve, `planner.profiles.power`, at
each server's CPU load), rack space, support, hypervisor and Linux subscriptions per host, and
Windows Server Datacenter core licences for every host that runs Windows. What differs is only
what is bought when: the plan buys its servers now; today's servers are kept, replaced now, or
replaced at the end of their life (`baseline_hardware`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.checker import planned_loads
from planner.domain import Estate, HostMode
from planner.money import end_of_life_year
from planner.plan import Plan
from planner.profiles.costs import CostProfile, ServerCost, energy, server_cost, subscriptions, windows_cores
from planner.profiles.loading import load_cpu_generations, load_server_power, study_overhead
from planner.profiles.overheads import OverheadProfile
from planner.profiles.power import host_watts, model_watts
from planner.study.baseline import Baseline

PARTS = ("hardware", "Windows Server licences", "energy", "rack space", "support", "platform subscriptions")
SOCKETS_TODAY = 2  # today's hosts are counted as two-socket servers (inventories rarely give sockets)


@dataclass(frozen=True)
class Costed:
    """One side of the comparison: what it buys in year 0, later purchases, costs per year by part, its draw."""

    once: dict[str, float]
    per_year: dict[str, float]
    kwh_per_year: float
    windows_hosts: int = 0
    licence_cores: float = 0.0  # Windows Server core licences this side's hosts need
    watts: float = 0.0  # IT draw of all its servers, on average
    servers: int = 0
    later: tuple[tuple[int, str, float], ...] = field(default=())  # (year, part, amount) bought after year 0

    def year(self, y: int) -> dict[str, float]:
        """Cost by part in year y (0: the purchase; 1..N: running, plus what is bought that year)."""
        out = {part: self.once.get(part, 0.0) if y == 0 else self.per_year.get(part, 0.0) for part in PARTS}
        for when, part, amount in self.later:
            if when == y:
                out[part] += amount
        return out

    def total(self, y: int) -> float:
        """Cost of year y."""
        return sum(self.year(y).values())


def _add(into: dict[str, float], cost: ServerCost) -> None:
    for part, value in (
        ("energy", cost.energy),
        ("rack space", cost.rack),
        ("support", cost.support),
        ("platform subscriptions", cost.subscriptions),
    ):
        into[part] = into.get(part, 0.0) + value


def windows_servers(estate: Estate, plan: Plan) -> set[str]:
    """Servers that run Windows: a Windows guest of any form, or a Windows container host.

    Spares count when the plan runs any Windows guest: they must be licensed to take one over.
    """
    out = {s.server_id for s in plan.servers if s.mode == HostMode.CONTAINER_HOST_WINDOWS}
    out |= {p.server_id for p in plan.placements if estate.workload(p.workload).os == "windows"}
    if out:
        out |= {s.server_id for s in plan.spares}
    return out


def linux_servers(estate: Estate, plan: Plan) -> set[str]:
    """Servers that run Linux: a Linux guest of any form, or a Linux container host."""
    out = {s.server_id for s in plan.servers if s.mode == HostMode.CONTAINER_HOST_LINUX}
    return out | {p.server_id for p in plan.placements if estate.workload(p.workload).os == "linux"}


def server_utilization(estate: Estate, overhead: OverheadProfile | None, plan: Plan) -> dict[str, float]:
    """Each plan server's CPU load, % of its capacity (spares idle at 0)."""
    loads = planned_loads(estate, overhead or study_overhead(estate.settings), plan)
    out = {s.server_id: 0.0 for s in plan.spares}
    for s in plan.servers:
        cores = estate.effective_capacity(estate.server_model(s.model)).cpu_cores
        out[s.server_id] = 100.0 * loads[s.server_id].cpu_cores / cores if cores else 0.0
    return out


def cost_plan(estate: Estate, plan: Plan, costs: CostProfile, overhead: OverheadProfile | None = None) -> Costed:
    """What buying and running the plan's servers (spares included) costs; each draws at its planned load."""
    hv = estate.settings.hypervisor
    windows, linux = windows_servers(estate, plan), linux_servers(estate, plan)
    util = server_utilization(estate, overhead, plan)
    generations, power = load_cpu_generations(), load_server_power()
    once = {"hardware": 0.0, "Windows Server licences": 0.0}
    per_year: dict[str, float] = {}
    kwh = watts = cores = 0.0
    for s in (*plan.servers, *plan.spares):
        model = estate.server_model(s.model)
        mode = "hypervisor" if s.mode == "spare" else s.mode
        draw = model_watts(model, util[s.server_id], generations, power, costs["default_server_watts"])
        c = server_cost(model, mode, hv, s.server_id in windows, costs, s.server_id in linux, watts=draw)
        once["hardware"] += c.hardware
        once["Windows Server licences"] += c.windows_licence
        _add(per_year, c)
        kwh, watts = kwh + c.kwh_per_year, watts + draw
        cores += windows_cores(model.cpu_cores, model.sockets, costs) if s.server_id in windows else 0.0
    n = len(plan.servers) + len(plan.spares)
    return Costed(once, per_year, kwh, len(windows), cores, watts, n)


def _today_hosts_running(estate: Estate, os_name: str) -> list[float]:
    """Cores of each of today's servers that runs a workload of this OS (16 when unknown)."""
    hosts = {h.name: h.cpu_cores for h in estate.hosts}
    running = [w for w in estate.workloads if w.os == os_name]
    named = {w.current_host for w in running if w.current_host}
    alone = sum(1 for w in running if not w.current_host)
    return [hosts.get(name, 16.0) for name in sorted(named)] + [16.0] * alone  # type: ignore[arg-type]


def today_watts(estate: Estate, baseline: Baseline, costs: CostProfile) -> float:
    """What today's servers draw in all: inventory hosts on their generation's curve, others at the profile's figure."""
    if baseline.method != "current_hosts" or not estate.hosts:
        return baseline.servers * costs["baseline_server_watts"]
    generations, power = load_cpu_generations(), load_server_power()
    unknown, util = costs["baseline_server_watts"], costs["today_host_util_pct"]
    return sum(host_watts(h, generations, power, util, unknown)[0] for h in estate.hosts)


def cost_baseline(estate: Estate, baseline: Baseline, costs: CostProfile) -> Costed:
    """What today's servers cost to keep running, and to replace now or at the end of their life."""
    s, n = estate.settings, baseline.servers
    watts = today_watts(estate, baseline, costs)
    kwh, power = energy(watts, costs)
    windows, linux = _today_hosts_running(estate, "windows"), _today_hosts_running(estate, "linux")
    hosted = estate.hosts if baseline.method == "current_hosts" else ()  # an inventory's hosts run a hypervisor today
    per_year = {
        "energy": power,
        "rack space": n * costs["baseline_rack_units"] * costs["rack_unit_per_year"],
        "support": n * (baseline.unit_cost * costs["support_pct_per_year"] / 100.0 + costs["support_per_server_year"]),
        "platform subscriptions": sum(subscriptions("hypervisor", "type1", h.cpu_cores, SOCKETS_TODAY, costs) for h in hosted)
        + len(linux) * costs["linux_per_host_year"],
    }
    cores = sum(windows_cores(c, SOCKETS_TODAY, costs) for c in windows)
    hardware = baseline.capex
    once = {"hardware": hardware if s.baseline_hardware == "refresh" else 0.0, "Windows Server licences": 0.0}
    later: tuple[tuple[int, str, float], ...] = ()
    if s.baseline_hardware == "end_of_life":
        year = end_of_life_year(s.hardware_age_years, s.hardware_life_years)
        if year == 0:
            once["hardware"] = hardware
        elif year <= s.years:
            later = ((year, "hardware", hardware),)
    return Costed(once, per_year, kwh, len(windows), cores, watts, n, later)
