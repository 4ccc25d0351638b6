"""HA spare servers (N+k): empty servers bought on top of a plan, each able to take over any server."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from planner.domain import Estate, ServerModel
from planner.plan import PlannedServer, SolveResult
from planner.resources import RESOURCES


def spare_model(estate: Estate, used: list[str]) -> ServerModel | None:
    """The cheapest model at least as large as every model in use, in every resource.

    When no model dominates them all, the model with the most memory per the catalog (the
    usual binding resource) is taken; None when the plan uses no server.
    """
    if not used:
        return None
    used_models = [estate.server_model(m) for m in set(used)]
    dominating = [
        m for m in estate.server_models if all(m.capacity.get(r) >= u.capacity.get(r) for u in used_models for r in RESOURCES)
    ]
    if dominating:
        return min(dominating, key=lambda m: (m.unit_cost, m.model))
    return max(estate.server_models, key=lambda m: (m.memory_gb, m.cpu_cores, -m.unit_cost))


def add_spares(estate: Estate, result: SolveResult, prices: Mapping[str, float]) -> SolveResult:
    """The result with `spare_servers` spares added (within max_count), priced into CAPEX and bound.

    `prices` is what the solver minimised per model (`planner.profiles.costs.model_prices`).
    """
    wanted = estate.settings.spare_servers
    model = spare_model(estate, [s.model for s in result.plan.servers])
    if wanted == 0 or model is None:
        return result
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
