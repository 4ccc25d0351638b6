"""Total cost of ownership of a plan and of today's estate, year by year, with payback and CO2.

Year 0 is the purchase (the plan's servers, and the Windows Server core licences it needs beyond
those today's estate already owns); years 1..N carry the running costs, priced alike on both sides
(`planner.study.costing`). Today's hardware is kept, replaced now, or replaced at the end of its
life, per `baseline_hardware`; `framing_rows` shows all three so the reader sees what the choice does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.domain import Estate
from planner.money import HARDWARE_FRAMINGS
from planner.plan import Plan
from planner.profiles.costs import CostProfile
from planner.profiles.overheads import OverheadProfile
from planner.study.baseline import Baseline
from planner.study.costing import PARTS, Costed, cost_baseline, cost_plan, linux_servers, windows_servers

__all__ = [
    "PARTS",
    "Costed",
    "Tco",
    "compute_tco",
    "framing_rows",
    "linux_servers",
    "quantity_rows",
    "tco_rows",
    "windows_servers",
]
LICENCES = "Windows Server licences"


@dataclass(frozen=True)
class Tco:
    """Plan against today's estate over the horizon: yearly and cumulative costs, payback, CO2."""

    years: int
    plan: Costed
    baseline: Costed
    grid_kg_co2_per_kwh: float
    licences_carried: float = 0.0  # core licences today's estate owns that the plan reuses

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

    def _by_month(self, side: Costed, month: int) -> float:
        """What a side has cost by the end of a month: year 0 at once, each later year's purchases at its start."""
        spent = side.total(0)
        for y in range(1, self.years + 1):
            start = 12 * (y - 1)
            if month >= start:
                bought = sum(amount for when, _, amount in side.later if when == y)
                spent += bought + sum(side.per_year.values()) * min(12, month - start) / 12
        return spent

    @property
    def payback_month(self) -> int | None:
        """First month by whose end the plan has cost no more than today's estate; None if not within the horizon."""
        for month in range(12 * self.years + 1):
            if self._by_month(self.plan, month) <= self._by_month(self.baseline, month) + 1e-6:
                return month
        return None

    def co2_tonnes(self, side: Costed) -> float:
        """CO2 per running year, tonnes."""
        return side.kwh_per_year * self.grid_kg_co2_per_kwh / 1000.0


def _with_licences(estate: Estate, plan: Costed, today: Costed, costs: CostProfile) -> tuple[Costed, Costed, float]:
    """Both sides' Windows licences: owned ones carry over to the plan; else both sides buy theirs in year 0."""
    price = costs["windows_datacenter_per_core"]
    if estate.settings.licences_owned:
        carried = min(plan.licence_cores, today.licence_cores)
        bought = (plan.licence_cores - carried) * price
        return replace(plan, once={**plan.once, LICENCES: bought}), today, carried
    return plan, replace(today, once={**today.once, LICENCES: today.licence_cores * price}), 0.0


def compute_tco(
    estate: Estate, plan: Plan, baseline: Baseline, costs: CostProfile, overhead: OverheadProfile | None = None
) -> Tco:
    """The TCO comparison of a plan with today's estate under the estate's cost drivers."""
    return _compared(estate, cost_plan(estate, plan, costs, overhead), cost_baseline(estate, baseline, costs), costs)


def _compared(estate: Estate, plan: Costed, today: Costed, costs: CostProfile) -> Tco:
    """Both priced sides as a comparison, the Windows licences settled between them."""
    mine, today, carried = _with_licences(estate, plan, today, costs)
    return Tco(estate.settings.years, mine, today, costs["grid_kg_co2_per_kwh"], carried)


def framing_rows(
    estate: Estate, plan: Plan, baseline: Baseline, costs: CostProfile, overhead: OverheadProfile | None = None
) -> list[dict[str, object]]:
    """The plan against today under each way of treating today's hardware: totals, saving and payback."""
    rows: list[dict[str, object]] = []
    mine = cost_plan(estate, plan, costs, overhead)  # the plan's side is the same under every framing
    for key, label in HARDWARE_FRAMINGS.items():
        framed = replace(estate, settings=replace(estate.settings, baseline_hardware=key))
        t = _compared(framed, mine, cost_baseline(framed, baseline, costs), costs)
        rows.append(
            {
                "today's hardware": label,
                "chosen": "yes" if key == estate.settings.baseline_hardware else "",
                "today's cost over the horizon": round(t.baseline_total, 2),
                "plan's cost over the horizon": round(t.plan_total, 2),
                "saving": round(t.savings, 2),
                "payback": "not within the horizon" if t.payback_month is None else f"month {t.payback_month}",
            }
        )
    return rows


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
    line("saving: cumulative", [b - p for b, p in zip(base_cum, plan_cum, strict=True)], base_cum[-1] - plan_cum[-1])
    for name, side in (("plan", tco.plan), ("today", tco.baseline)):
        line(f"{name}: energy, kWh", [0.0] + [side.kwh_per_year] * tco.years)
        line(f"{name}: CO2, tonnes", [0.0] + [tco.co2_tonnes(side)] * tco.years)
    return rows


def quantity_rows(tco: Tco) -> list[dict[str, object]]:
    """Today against the plan in quantities: servers, draw, CO2, Windows core licences and licensed hosts."""
    p, t = tco.plan, tco.baseline
    return [
        {"figure": "servers", "today": t.servers, "plan": p.servers},
        {"figure": "IT draw, kW (average)", "today": round(t.watts / 1000, 2), "plan": round(p.watts / 1000, 2)},
        {"figure": "CO2, tonnes a year", "today": round(tco.co2_tonnes(t), 1), "plan": round(tco.co2_tonnes(p), 1)},
        {"figure": "Windows Server core licences", "today": t.licence_cores, "plan": p.licence_cores},
        {"figure": "hosts licensed for Windows", "today": t.windows_hosts, "plan": p.windows_hosts},
        {"figure": "core licences carried over from today", "today": "", "plan": tco.licences_carried},
    ]
