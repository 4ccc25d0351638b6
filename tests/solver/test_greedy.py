"""The greedy start: model orders ranked by what the estate costs on each model alone; variants bounded by counted work."""

from __future__ import annotations

from conftest import estate, server, wl

from planner.profiles.loading import load_profile
from planner.solver.greedy import _ffd, _variants, best_greedy, first_fit_decreasing, model_orders
from planner.solver.problem import build_problem


def _problem(**settings: object):  # type: ignore[no-untyped-def]
    models = [server("small", cpu=32, mem=256, storage=1e6, cost=6000), server("big", cpu=64, mem=512, storage=1e6, cost=10_000)]
    e = estate([wl(f"w{i}", cpu=16, mem=128) for i in range(8)], models, **settings)
    return build_problem(e, load_profile("none"), [m.unit_cost for m in e.server_models])


def test_model_order_ranks_by_the_cost_of_the_estate_on_each_model_alone() -> None:
    """The big model carries the estate for less (2 x 10,000 against 4 x 6,000): it comes first, whatever
    a storage capacity no workload needs would say."""
    problem = _problem()
    assert model_orders(problem)[0][0] == 1
    plan = first_fit_decreasing(problem, model_orders(problem)[0], "hypervisor_first")
    assert plan.cost(problem) == 20_000  # 128 cores and 1,024 GB: two big servers, exactly full


def test_greedy_variants_stop_at_their_counted_work() -> None:
    """With no work allowed past the first variant, exactly the first runs; its work is counted, not timed."""
    problem = _problem()
    first, visits = _ffd(problem, model_orders(problem)[0], *_variants(problem)[0])
    assert best_greedy(problem, visits=0).servers == first.servers and visits > 0
    assert best_greedy(problem, visits=10**9).cost(problem) <= first.cost(problem)


def test_least_added_is_a_lower_bound_on_every_form() -> None:
    """What a bundle adds at least, per resource, is no more than any of its footprints."""
    problem = build_problem(
        estate([wl("a", cpu=2, mem=4, platform="any")], [server(cpu=16, mem=64)], overhead_profile="default"),
        load_profile("default"),
        [100.0],
    )
    least = problem.bundle_min[0]  # what first fit checks a server against before trying each form
    for fp in problem.items[0].footprints.values():
        assert all(least[k] <= fp[k] for k in range(3))
