"""The solve's time budget: deterministic work under a wall-clock ceiling, or wall-clock seconds.

By default (`deterministic`) every step is limited in counted work: CP-SAT's deterministic time
(a work count, roughly seconds on a current core) with parallel workers interleaved, and a
nominal cost per step of the Python searches. A fixed seed then gives the same plan on any
machine and under any load. The budget is `WORK_SHARE` of the time limit, so that on an
ordinary machine the run ends well inside the limit; the limit itself stays a ceiling on the
user's wait: a run the wall clock stops first (a slow or loaded machine) is *cut short*, and its
status says so. Without `deterministic`, every step stops on the wall clock alone, which uses the
limit fully but lets two runs differ.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

WALL_ALLOWANCE: ContextVar[float] = ContextVar("wall_allowance", default=1.0)
# How many times its time limit a deterministic solve may take on the wall clock before it is cut short: above
# 1 when solves share the cores (run side by side); their counted work, and so their plans, stay the same.
WORK_SHARE = 0.6  # the deterministic work budget, as a share of the time limit (work ~ seconds on a current core)


@dataclass
class Clock:
    """Budget of one solve: elapsed/remaining in its own unit, and CP-SAT limits set to match."""

    limit: float  # wall-clock seconds: the ceiling on the user's wait
    deterministic: bool = True
    started: float = field(default_factory=time.monotonic)
    work: float = 0.0  # deterministic seconds charged so far
    cut: bool = False  # a deterministic run stopped by the wall clock before its work budget was spent
    work_budget: float | None = None  # a part of another clock's work (`share`); None: WORK_SHARE of the limit

    @property
    def total(self) -> float:
        """The whole budget in this clock's unit: the work budget, or the limit in seconds."""
        if not self.deterministic:
            return self.limit
        return WORK_SHARE * self.limit if self.work_budget is None else self.work_budget

    def share(self, fraction: float) -> Clock:
        """A clock for one step made of whole searches: `fraction` of the budget left, under the same wall ceiling."""
        part = fraction * max(0.0, self.remaining())
        if self.deterministic:
            return Clock(max(0.0, self.wall_left()), True, time.monotonic(), work_budget=part)
        return Clock(max(0.0, min(part, self.wall_left())), False, time.monotonic())

    def absorb(self, part: Clock) -> None:
        """Count a shared part's work, and its being cut short, as this clock's."""
        self.work += part.work
        self.cut = self.cut or part.cut_short()

    def wall(self) -> float:
        """Wall-clock seconds since the start."""
        return time.monotonic() - self.started

    def elapsed(self) -> float:
        """Budget used: deterministic work, or wall-clock seconds."""
        return self.work if self.deterministic else self.wall()

    def remaining(self) -> float:
        """Budget left (negative once over); a deterministic run also ends at the wall-clock ceiling, as cut short."""
        if self.deterministic and self.wall() >= self.limit:
            return 0.0  # cut short, which `cut_short` reads off the clock
        return self.total - self.elapsed()

    def wall_left(self) -> float:
        """Wall-clock seconds left before the ceiling."""
        return self.limit - self.wall()

    def mark_cut(self) -> None:
        """Note that the wall clock ended a step before its counted work (a slow or loaded machine)."""
        self.cut = self.cut or self.deterministic

    def cut_short(self) -> bool:
        """True when a deterministic run reached the wall-clock ceiling with work left (its plan may differ)."""
        return self.deterministic and (self.cut or (self.wall() >= self.limit and self.work < self.total))

    def configure(self, solver: cp_model.CpSolver, seconds: float, workers: int, seed: int) -> None:
        """Limit a CP-SAT run to `seconds` of this clock's unit, with the given workers and seed."""
        params = solver.parameters
        params.num_workers = workers
        params.random_seed = seed
        params.catch_sigint_signal = False  # Ctrl-C is the planner's: it stops the search through `stop`
        if self.deterministic:
            params.max_deterministic_time = max(0.01, seconds)
            params.max_time_in_seconds = max(0.05, self.wall_left())
            params.interleave_search = workers > 1
        else:
            params.max_time_in_seconds = max(0.01, seconds)

    def charge(self, solver: cp_model.CpSolver) -> None:
        """Add a finished CP-SAT run's deterministic time to the work done; note a run the wall clock ended."""
        response, params = solver.response_proto, solver.parameters
        self.work += response.deterministic_time
        if self.deterministic and response.wall_time >= 0.99 * params.max_time_in_seconds:
            self.cut = self.cut or response.deterministic_time < 0.99 * params.max_deterministic_time

    def charge_work(self, seconds: float) -> None:
        """Add work measured another way (a fixed estimate per step of non-CP-SAT code)."""
        self.work += seconds
