"""Today's estate, priced: the 'before' the plan is compared with."""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain import Estate
from planner.profiles.platforms import is_control_plane


@dataclass(frozen=True)
class Baseline:
    """Servers running today and what buying them again would cost."""

    servers: int
    unit_cost: float
    method: str
    note: str

    @property
    def capex(self) -> float:
        """Baseline CAPEX: servers times unit cost."""
        return self.servers * self.unit_cost


def _price_of_one(estate: Estate, cores: float, memory_gb: float) -> float:
    """The cheapest catalog model that holds a server of this shape (else the largest model's price)."""
    models = estate.server_models
    holding = [m.unit_cost for m in models if m.cpu_cores >= cores and m.memory_gb >= memory_gb]
    if holding:
        return min(holding)
    return max(models, key=lambda m: (m.cpu_cores, m.memory_gb, -m.unit_cost)).unit_cost


def refresh_price(estate: Estate) -> float:
    """What replacing one of today's servers costs, on average: each inventory host as the cheapest catalog model
    holding its cores and memory (the bundled catalog adds like-for-like models of today's shapes); a
    one-application server of a workload list as the cheapest model. `baseline_unit_cost` overrides it."""
    if not estate.hosts:
        return min(m.unit_cost for m in estate.server_models)
    prices = [_price_of_one(estate, h.cpu_cores, h.memory_gb) for h in estate.hosts]
    return sum(prices) / len(prices)


def compute_baseline(estate: Estate) -> Baseline:
    """Count today's servers by the baseline setting and price them.

    current_hosts: the hosts an inventory lists (RVTools vHost) when it lists them; else the
    distinct current_host values, plus one server for each workload that names none (it is
    assumed to run alone, as before consolidation).
    one_per_workload: one server per replica, the pre-virtualization picture.
    """
    settings = estate.settings
    today = [w for w in estate.workloads if not is_control_plane(w)]  # the planner's additions ran nowhere today
    cost = settings.baseline_unit_cost
    if cost is None:
        cost = refresh_price(estate)
    if settings.baseline == "one_per_workload":
        count = sum(w.replicas for w in today)
        return Baseline(count, cost, "one_per_workload", "one server per workload replica")
    if estate.hosts:  # an inventory listed today's physical servers: count them, not the workloads' host names
        cores = sum(h.cpu_cores for h in estate.hosts)
        memory = sum(h.memory_gb for h in estate.hosts)
        note = f"{len(estate.hosts)} hosts in the inventory ({cores:g} cores, {memory:,.0f} GB memory in total)"
        used = [h.cpu_usage_pct for h in estate.hosts if h.cpu_usage_pct is not None]
        if used:
            note += f", average CPU usage {sum(used) / len(used):.0f}%"
        return Baseline(len(estate.hosts), cost, "current_hosts", note)
    hosts = {w.current_host for w in today if w.current_host}
    alone = sum(1 for w in today if not w.current_host)
    note = f"{len(hosts)} distinct current hosts"
    if alone:
        note += f" plus {alone} workloads without one, counted as one server each"
    return Baseline(len(hosts) + alone, cost, "current_hosts", note)
