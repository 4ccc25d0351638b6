"""Today's estate: distinct current hosts, or one server per replica, priced."""

from conftest import estate, server, wl

from planner.study.baseline import compute_baseline


def test_current_hosts_counts_distinct_hosts_and_loners() -> None:
    e = estate([wl("a", current_host="h1"), wl("b", current_host="h1"), wl("c", current_host="h2"), wl("d")], [server(cost=900)])
    b = compute_baseline(e)
    assert (b.servers, b.capex) == (3, 2700)
    assert "1 workloads without one" in b.note


def test_one_per_workload_counts_replicas_at_given_cost() -> None:
    e = estate([wl("a", replicas=3), wl("b")], baseline="one_per_workload", baseline_unit_cost=500)
    b = compute_baseline(e)
    assert (b.servers, b.capex) == (4, 2000)
