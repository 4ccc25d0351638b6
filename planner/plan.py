"""The outputs of a study: a consolidation plan and the solver's result around it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class SolveStatus(StrEnum):
    """How a run ended. The value is the stable key (JSON, results files); `label` is for people."""

    OPTIMAL = "optimal"  # proven: no plan under the same rules costs less
    FEASIBLE = "feasible"  # a checked plan, not proven optimal (the time limit, or servers added for ha_failures)
    STOPPED = "stopped"  # the user stopped the search; the best checked plan found until then
    CUT_SHORT = "cut_short"  # the time limit ended a deterministic search early (a slow or loaded machine)
    INFEASIBLE = "infeasible"  # no replica can be placed under the rules and the server catalog
    NO_SOLUTION = "no_solution"  # the run ended without a plan

    @property
    def label(self) -> str:
        """The status in words, as the CLI, the dashboard and the workbook show it."""
        return _LABELS[self]

    @property
    def has_plan(self) -> bool:
        """True when the run produced a checked plan (possibly empty)."""
        return self is not SolveStatus.NO_SOLUTION


_LABELS = {
    SolveStatus.OPTIMAL: "optimal (proven)",
    SolveStatus.FEASIBLE: "feasible (not proven optimal: the gap bounds how far it can be)",
    SolveStatus.STOPPED: "stopped by the user (best plan so far)",
    SolveStatus.CUT_SHORT: "cut short by the time limit before its fixed work was done (a slow or loaded machine): "
    "another run may differ; raise the time limit",
    SolveStatus.INFEASIBLE: "infeasible (no replica can be placed)",
    SolveStatus.NO_SOLUTION: "no solution",
}


def status_words(value: str) -> str:
    """A status key in words (any other text, such as a failed strategy's reason, as it is)."""
    return SolveStatus(value).label if value in SolveStatus._value2member_map_ else value


def combined_status(statuses: Iterable[SolveStatus]) -> SolveStatus:
    """The status of plans merged into one (sites): the weakest claim any part can make."""
    parts = set(statuses)
    for weakest in (SolveStatus.NO_SOLUTION, SolveStatus.STOPPED, SolveStatus.CUT_SHORT):
        if weakest in parts:
            return weakest
    if parts == {SolveStatus.INFEASIBLE}:
        return SolveStatus.INFEASIBLE
    return SolveStatus.OPTIMAL if parts <= {SolveStatus.OPTIMAL} else SolveStatus.FEASIBLE


@dataclass(frozen=True)
class PlannedServer:
    """One server to buy, with the model it is and the mode it runs in."""

    server_id: str
    model: str
    mode: str
    site: str = ""  # the site it stands at, when the estate is planned per site


@dataclass(frozen=True)
class Placement:
    """One replica of a workload on one server, in one form, with the reason for that form."""

    workload: str
    replica: int
    server_id: str
    form: str
    why: str = ""


@dataclass(frozen=True)
class UnplacedReplica:
    """A replica the plan could not place, and the rule or resource that blocks it."""

    workload: str
    replica: int
    reason: str


@dataclass(frozen=True)
class Plan:
    """Servers to buy, where every replica goes, and what could not be placed."""

    servers: tuple[PlannedServer, ...]
    placements: tuple[Placement, ...]
    unplaced: tuple[UnplacedReplica, ...] = ()
    spares: tuple[PlannedServer, ...] = ()


@dataclass(frozen=True)
class ProgressPoint:
    """One progress report of a solve: time, best plan cost so far and best bound."""

    seconds: float
    best_cost: float | None
    bound: float | None


@dataclass(frozen=True)
class SiteResult:
    """One site's share of a merged plan: its figures as its own solve found them."""

    site: str
    status: SolveStatus
    servers: int
    capex: float
    lower_bound: float
    cost: float
    seconds: float
    workloads: int
    unplaced: int

    @property
    def gap_pct(self) -> float:
        """Distance from the site's objective value to its lower bound, as a percent of that value."""
        return max(0.0, 100.0 * (self.cost - self.lower_bound) / self.cost) if self.cost > 0 else 0.0


@dataclass(frozen=True)
class SolveResult:
    """What the solver returns: status, plan, bound and gap; never an exception for 'no plan'."""

    status: SolveStatus
    plan: Plan
    capex: float
    lower_bound: float
    seconds: float
    method: str = ""
    progress: tuple[ProgressPoint, ...] = field(default=())
    objective: str = "capex"
    cost: float | None = None  # the objective's value (CAPEX, or CAPEX plus the horizon's running costs)
    notes: tuple[str, ...] = field(default=())
    failures_met: bool | None = None  # ha_failures: None when not asked, else whether the plan was made to survive
    sites: tuple[SiteResult, ...] = field(default=())  # per-site figures when the estate was planned per site

    @property
    def objective_value(self) -> float:
        """What the solver minimised, in the units of `lower_bound`."""
        return self.capex if self.cost is None else self.cost

    @property
    def gap_pct(self) -> float:
        """Distance from the plan's objective value to the lower bound, as a percent of that value."""
        value = self.objective_value
        if value <= 0:
            return 0.0
        return max(0.0, 100.0 * (value - self.lower_bound) / value)
