"""Progress of a solve: the best plan and bound over time, reported as they improve; CP-SAT runs that honour a stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from planner.plan import ProgressPoint
from planner.solver.budget import halted_by

ProgressFn = Callable[[ProgressPoint], None]


class Progress(cp_model.CpSolverSolutionCallback):
    """Reports (elapsed, best cost, bound) on each new plan and each better bound."""

    def __init__(self, report: ProgressFn | None, penalty: int, unit: float, start: float) -> None:
        super().__init__()
        self.report, self.penalty, self.unit, self.start = report, penalty, unit, start
        self.points: list[ProgressPoint] = []
        self.best: float | None = None
        self.bound: float | None = None
        self.floor = 0.0  # a bound known before the search (the volume bound)

    def emit(self) -> None:
        """Record (and report) the current best plan and bound."""
        point = ProgressPoint(time.monotonic() - self.start, self.best, self.bound)
        self.points.append(point)
        if self.report is not None:
            self.report(point)

    def on_solution_callback(self) -> None:
        self.best = (int(self.objective_value) % self.penalty) * self.unit
        self.emit()

    def on_bound(self, bound: float) -> None:
        if bound < self.penalty:
            self.bound = max(bound * self.unit, self.floor)
            self.emit()


def run_cpsat(solver: cp_model.CpSolver, model: cp_model.CpModel, tracker: Progress | None, stop: threading.Event | None) -> int:
    """Solve, ending the search when `stop` is set; returns the CP-SAT status."""
    with halted_by(stop, solver.stop_search):
        return int(solver.solve(model, tracker))
