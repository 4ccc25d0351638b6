"""The three methods compared on each instance: this engine, first-fit decreasing, and the
textbook CP-SAT model (one boolean per replica and server, no symmetry breaking, no start
plan, no neighbourhood search), given the same time."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.checker import check_plan
from planner.domain import Estate
from planner.profiles.loading import load_profile
from planner.solver.cpsat import ModelBuilder
from planner.solver.greedy import HYPERVISOR_FIRST, first_fit_decreasing, model_orders, single_model_counts
from planner.solver.problem import build_problem
from planner.solver.solve import solve


@dataclass(frozen=True)
class Outcome:
    """What one method achieved on one instance."""

    servers: int | None
    capex: float | None
    bound: float | None
    seconds: float
    status: str
    violations: int = 0


def run_engine(estate: Estate, time_limit_s: float, seed: int = 0) -> Outcome:
    """This engine, checked by the independent checker."""
    model = load_profile(estate.settings.overhead_profile)
    began = time.monotonic()
    result = solve(estate, model, time_limit_s=time_limit_s, workers=1, seed=seed, polish=False)
    seconds = time.monotonic() - began
    violations = len(check_plan(estate, model, result.plan))
    if result.plan.unplaced:
        violations += len(result.plan.unplaced)  # benchmark instances are all placeable
    return Outcome(len(result.plan.servers), result.capex, result.lower_bound, seconds, result.status, violations)


def run_ffd(estate: Estate) -> Outcome:
    """Plain first-fit decreasing: largest first, first server it fits, cheapest-per-capacity model."""
    began = time.monotonic()
    problem = build_problem(estate, load_profile(estate.settings.overhead_profile))
    a = first_fit_decreasing(problem, model_orders(problem)[0], HYPERVISOR_FIRST)
    capex = sum(estate.server_models[m].unit_cost for m, _ in a.servers)
    return Outcome(len(a.servers), capex, None, time.monotonic() - began, "heuristic")


def run_textbook(estate: Estate, time_limit_s: float, seed: int = 0) -> Outcome:
    """The textbook CP-SAT model on as many servers per model as first-fit decreasing needs."""
    began = time.monotonic()
    problem = build_problem(estate, load_profile(estate.settings.overhead_profile))
    pools = single_model_counts(problem)
    builder = ModelBuilder(problem, pools, list(range(len(problem.bundles))), hard=True, symmetry_breaking=False)
    model = builder.build()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s - (time.monotonic() - began))
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    seconds = time.monotonic() - began
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(None, None, None, seconds, solver.status_name(status).lower())
    a = builder.extract(solver)
    capex = sum(estate.server_models[m].unit_cost for m, _ in a.servers)
    return Outcome(len(a.servers), capex, solver.best_objective_bound, seconds, solver.status_name(status).lower())
