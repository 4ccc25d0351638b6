"""HA spare servers (N+k): empty servers bought on top of a plan, each able to take over any server."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from planner.domain import Estate, ServerModel
from planner.plan import PlannedServer, SolveResult
from planner.profiles.overheads import OverheadProfile
from planner.profiles.platforms import runs_mode
from planner.resources import RESOURCES

TAKEOVER_MODE = "hypervisor"  # what a spare runs once it takes over (planner.study.restart.as_host)


def able_to_run(estate: Estate, overhead: OverheadProfile, modes: Iterable[str]) -> Callable[[ServerModel], bool]:
    """Whether a model's platforms let it run every host mode in use (a spare takes over any server)."""
    wanted = set(modes)
    return lambda m: all(runs_mode(m, mode, overhead, estate.settings.hypervisor) for mode in wanted)


def spare_model(estate: Estate, used: list[str], able: Callable[[ServerModel], bool] = lambda m: True) -> ServerModel | None:
    """The cheapest model at least as large as every model in use, in every resource, among those `able`
    (whose platforms run the modes in use).

    When no model dominates them all, the model with the most memory per the catalog (the
    usual binding resource) is taken; None when the plan uses no server or no model is able.
    """
    candidates = [m for m in estate.server_models if able(m)]
    if not used or not candidates:
        return None
    used_models = [estate.server_model(m) for m in set(used)]
    dominating = [m for m in candidates if all(m.capacity.get(r) >= u.capacity.get(r) for u in used_models for r in RESOURCES)]
    if dominating:
        return min(dominating, key=lambda m: (m.unit_cost, m.model))
    return max(candidates, key=lambda m: (m.memory_gb, m.cpu_cores, -m.unit_cost))


def add_spares(estate: Estate, overhead: OverheadProfile, result: SolveResult, prices: Mapping[str, float]) -> SolveResult:
    """The result with `spare_servers` spares added (within max_count, of a model whose platforms run a hypervisor:
    a spare takes over as a hypervisor host), priced into CAPEX and bound.

    `prices` is what the solver minimised per model (`planner.profiles.costs.model_prices`).
    """
    wanted = estate.settings.spare_servers
    model = spare_model(estate, [s.model for s in result.plan.servers], able_to_run(estate, overhead, [TAKEOVER_MODE]))
    if wanted == 0 or not result.plan.servers:
        return result
    if model is None:
        note = "no spare added: no server model's platforms run a hypervisor, which a spare runs when it takes over"
        return replace(result, notes=(*result.notes, note))
    bought = sum(1 for s in result.plan.servers if s.model == model.model)
    room = wanted if model.max_count is None else max(0, min(wanted, model.max_count - bought))
    spares = tuple(PlannedServer(f"{model.model}-spare-{i + 1:02d}", model.model, "spare") for i in range(room))
    price = prices[model.model]
    return replace(
        result,
        plan=replace(result.plan, spares=spares),
        capex=result.capex + room * model.unit_cost,
        cost=result.objective_value + room * price,
        lower_bound=result.lower_bound + room * price,
    )
