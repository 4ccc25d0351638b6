"""Total cost of ownership of a plan and of today's estate, year by year, with payback and CO2.

Year 0 is the purchase (servers and perpetual Windows licences); years 1..N carry the running
costs (energy at the facility's PUE, rack space, support, platform subscriptions). Today's
servers are either owned (no purchase) or bought again ('refresh'), per `baseline_hardware`.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain import Estate, HostMode
from planner.plan import Plan
from planner.profiles.costs import CostProfile, ServerCost, energy, server_cost, subscriptions, windows_cores
from planner.study.baseline import Baseline

PARTS = ("hardware", "Windows Server licences", "energy", "rack space", "support", "platform subscriptions")


@dataclass(frozen=True)
class Costed:
    """One side of the comparison: what it costs once, per year by part, and its energy."""

    once: dict[str, float]
    per_year: dict[str, float]
    kwh_per_year: float
    windows_hosts: int = 0

    def year(self, y: int) -> dict[str, float]:
        """Cost by part in year y (0: the purchase; 1..N: running)."""
        return {part: self.once.get(part, 0.0) if y == 0 else self.per_year.get(part, 0.0) for part in PARTS}

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


def cost_plan(estate: Estate, plan: Plan, costs: CostProfile) -> Costed:
    """What buying and running the plan's servers (spares included) costs."""
    hv = estate.settings.hypervisor
    windows = windows_servers(estate, plan)
    linux = linux_servers(estate, plan)
    once = {"hardware": 0.0, "Windows Server licences": 0.0}
    per_year: dict[str, float] = {}
    kwh = 0.0
    for s in (*plan.servers, *plan.spares):
        mode = "hypervisor" if s.mode == "spare" else s.mode
        c = server_cost(estate.server_model(s.model), mode, hv, s.server_id in windows, costs, s.server_id in linux)
        once["hardware"] += c.hardware
        once["Windows Server licences"] += c.windows_licence
        _add(per_year, c)
        kwh += c.kwh_per_year
    return Costed(once, per_year, kwh, len(windows))


def _baseline_windows_hosts(estate: Estate) -> list[float]:
    """Cores of each of today's servers that runs a Windows workload (16 when unknown)."""
    hosts = {h.name: h.cpu_cores for h in estate.hosts}
    windows = [w for w in estate.workloads if w.os == "windows"]
    named = {w.current_host for w in windows if w.current_host}
    alone = sum(1 for w in windows if not w.current_host)
    return [hosts.get(name, 16.0) for name in sorted(named)] + [16.0] * alone  # type: ignore[arg-type]


def cost_baseline(estate: Estate, baseline: Baseline, costs: CostProfile) -> Costed:
    """What today's servers cost to keep running (and to buy again under 'refresh')."""
    n = baseline.servers
    refresh = estate.settings.baseline_hardware == "refresh"
    kwh, power = energy(costs["baseline_server_watts"], costs)
    per_year = {
        "energy": n * power,
        "rack space": n * costs["baseline_rack_units"] * costs["rack_unit_per_year"],
        "support": n * (baseline.unit_cost * costs["support_pct_per_year"] / 100.0 + costs["support_per_server_year"]),
        # an inventory's hosts are hypervisor hosts today: they pay the hypervisor subscription too
        "platform subscriptions": sum(subscriptions("hypervisor", "type1", h.cpu_cores, 2, costs) for h in estate.hosts),
    }
    windows = _baseline_windows_hosts(estate)
    licences = sum(windows_cores(c, 2, costs) * costs["windows_datacenter_per_core"] for c in windows)
    once = {"hardware": n * baseline.unit_cost if refresh else 0.0, "Windows Server licences": licences if refresh else 0.0}
    return Costed(once, per_year, n * kwh, len(windows))


@dataclass(frozen=True)
class Tco:
    """Plan against today's estate over the horizon: yearly and cumulative costs, payback, CO2."""

    years: int
    plan: Costed
    baseline: Costed
    grid_kg_co2_per_kwh: float

    def cumulative(self, side: Costed) -> list[float]:
        """Cumulative cost at the end of years 0..N."""
        out, total = [], 0.0
        for y in range(self.years + 1):
            total += side.total(y)
            out.append(total)
        return out

    @property
    def plan_total(self) -> float:
        """The plan's cost over the horizon."""
        return self.cumulative(self.plan)[-1]

    @property
    def baseline_total(self) -> float:
        """Today's estate's cost over the horizon."""
        return self.cumulative(self.baseline)[-1]

    @property
    def savings(self) -> float:
        """Baseline minus plan over the horizon."""
        return self.baseline_total - self.plan_total

    @property
    def payback_month(self) -> int | None:
        """First month at whose end the plan has cost no more than today's estate; None if not within the horizon."""
        p0, b0 = self.plan.total(0), self.baseline.total(0)
        p1, b1 = self.plan.total(1), self.baseline.total(1)
        for month in range(12 * self.years + 1):
            if p0 + p1 * month / 12 <= b0 + b1 * month / 12 + 1e-6:
                return month
        return None

    def co2_tonnes(self, side: Costed) -> float:
        """CO2 per running year, tonnes."""
        return side.kwh_per_year * self.grid_kg_co2_per_kwh / 1000.0


def compute_tco(estate: Estate, plan: Plan, baseline: Baseline, costs: CostProfile) -> Tco:
    """The TCO comparison of a plan with today's estate under the estate's cost drivers."""
    return Tco(
        estate.settings.years,
        cost_plan(estate, plan, costs),
        cost_baseline(estate, baseline, costs),
        costs["grid_kg_co2_per_kwh"],
    )


def tco_rows(tco: Tco) -> list[dict[str, object]]:
    """The TCO sheet: one row per cost line, years as columns, and a total column."""
    years = range(tco.years + 1)
    rows: list[dict[str, object]] = []

    def line(label: str, values: list[float], total: float | None = None) -> None:
        row: dict[str, object] = {"line": label}
        row.update({f"year {y}": round(v, 2) for y, v in zip(years, values, strict=True)})
        row["total"] = round(sum(values) if total is None else total, 2)
        rows.append(row)

    for name, side in (("plan", tco.plan), ("today", tco.baseline)):
        for part in PARTS:
            line(f"{name}: {part}", [side.year(y)[part] for y in years])
        line(f"{name}: total", [side.total(y) for y in years])
    plan_cum, base_cum = tco.cumulative(tco.plan), tco.cumulative(tco.baseline)
    line("plan: cumulative", plan_cum, plan_cum[-1])
    line("today: cumulative", base_cum, base_cum[-1])
    line("savings: cumulative", [b - p for b, p in zip(base_cum, plan_cum, strict=True)], base_cum[-1] - plan_cum[-1])
    for name, side in (("plan", tco.plan), ("today", tco.baseline)):
        line(f"{name}: energy kWh", [0.0] + [side.kwh_per_year] * tco.years)
        line(f"{name}: CO2 tonnes", [0.0] + [tco.co2_tonnes(side)] * tco.years)
    return rows
