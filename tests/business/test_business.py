"""Business case: cost drivers, TCO by hand, TCO objective, Windows grouping, growth, strategies, workbook."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import estate, server, wl
from openpyxl import load_workbook

from planner.business.case import add_business_case, no_worse_than
from planner.business.growth import as_placed, grown_estate, runs_out_year
from planner.business.strategies import COMPONENTS, overhead_breakdown, strategy_keys
from planner.business.workbook import export_plan
from planner.checker import server_loads
from planner.domain import HostMode, PlacementKind
from planner.profiles.costs import server_cost, subscriptions, windows_cores
from planner.profiles.loading import load_costs
from planner.profiles.overheads import ProfileError
from planner.resources import RESOURCES
from planner.solver.assemble import to_plan
from planner.solver.greedy import Assignment
from planner.solver.problem import build_problem
from planner.study.pipeline import checked_study, run_study
from planner.study.tco import compute_tco, windows_servers

CHEAP = (
    ("electricity_price_per_kwh", 0.1),
    ("pue", 1.5),
    ("grid_kg_co2_per_kwh", 0.5),
    ("rack_unit_per_year", 50.0),
    ("support_pct_per_year", 10.0),
    ("hypervisor_per_core_year", 5.0),
    ("hypervisor_min_cores_per_socket", 16.0),
    ("baseline_server_watts", 100.0),
    ("baseline_rack_units", 2.0),
)


def small(**settings: object):  # type: ignore[no-untyped-def]
    """4 x 5 cores on 10-core servers (2 needed), baseline one server per workload."""
    return estate(
        [wl(f"w{i}", cpu=5, platform="vm") for i in range(4)],
        [server(cost=100, power_watts=200, rack_units=1, sockets=1)],
        baseline="one_per_workload",
        cost_overrides=CHEAP,
        **settings,
    )


def test_cost_profile_is_validated_with_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[pue]\nvalue = -1\nreason = "r"\nsource = "s"\n[surprise]\nvalue = 1\n', encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_costs(str(bad))
    text = str(err.value)
    assert "bad.toml: [pue]" in text and "unknown key 'surprise'" in text and "missing number [electricity_price_per_kwh]" in text
    with pytest.raises(ProfileError, match="unknown cost number"):
        load_costs().with_overrides({"nope": 1.0})
    assert all(n.source and n.reason for n in load_costs().numbers.values())


def test_licence_minimums_and_server_cost_by_hand() -> None:
    costs = load_costs().with_overrides(dict(CHEAP))
    assert windows_cores(10, 1, costs) == 16 and windows_cores(40, 2, costs) == 40 and windows_cores(12, 4, costs) == 32
    assert subscriptions("hypervisor", "type1", 10, 1, costs) == 16 * 5  # 16-core minimum per socket
    assert subscriptions("hypervisor", "type1", 40, 2, costs) == 40 * 5
    assert subscriptions("hypervisor", "type2", 40, 2, costs) == costs["type2_per_host_year"]
    assert subscriptions("container_host_linux", "type1", 40, 2, costs) == costs["container_host_per_host_year"]
    c = server_cost(server(cost=100, power_watts=200, rack_units=1, sockets=1), "hypervisor", "type1", True, costs)
    assert c.kwh_per_year == pytest.approx(0.2 * 8760 * 1.5)
    assert c.energy == pytest.approx(262.8) and c.rack == 50 and c.support == pytest.approx(10)
    assert c.windows_licence == pytest.approx(16 * costs["windows_datacenter_per_core"]) and c.once == pytest.approx(
        100 + c.windows_licence
    )


def test_tco_payback_and_co2_by_hand() -> None:
    study = run_study(small(years=3))
    assert len(study.result.plan.servers) == 2
    t = compute_tco(study.estate, study.result.plan, study.baseline, load_costs().with_overrides(dict(CHEAP)))
    per_server = 262.8 + 50 + 10 + 80
    today = 4 * (131.4 + 100 + 10)
    assert t.plan.total(0) == pytest.approx(200) and t.plan.total(1) == pytest.approx(2 * per_server)
    assert t.baseline.total(0) == 0 and t.baseline.total(2) == pytest.approx(today)
    assert t.plan_total == pytest.approx(200 + 3 * 2 * per_server) and t.baseline_total == pytest.approx(3 * today)
    assert t.payback_month == 15  # 200 / ((965.6 - 805.6) / 12) = 15 months
    assert t.co2_tonnes(t.plan) == pytest.approx(2 * 2628 * 0.5 / 1000)
    refresh = compute_tco(
        replace(study.estate, settings=replace(study.estate.settings, baseline_hardware="refresh")),
        study.result.plan,
        study.baseline,
        load_costs().with_overrides(dict(CHEAP)),
    )
    assert refresh.baseline.total(0) == 400 and refresh.payback_month == 0


def test_tco_objective_prefers_the_efficient_server() -> None:
    models = [server("hungry", cost=100, power_watts=2000), server("frugal", cost=150, power_watts=100)]
    work = [wl("a", cpu=5), wl("b", cpu=5)]
    assert [s.model for s in run_study(estate(work, models, cost_overrides=CHEAP)).result.plan.servers] == ["hungry"]
    tco = run_study(estate(work, models, cost_overrides=CHEAP, objective="tco"))
    assert [s.model for s in tco.result.plan.servers] == ["frugal"]
    assert tco.result.lower_bound <= tco.result.objective_value


def test_tco_objective_groups_windows_guests_for_datacenter_licences() -> None:
    free = (
        ("electricity_price_per_kwh", 0.0),
        ("rack_unit_per_year", 0.0),
        ("support_pct_per_year", 0.0),
        ("hypervisor_per_core_year", 0.0),
        ("windows_datacenter_per_core", 100.0),
    )
    work = [wl("win1", cpu=3, os="windows"), wl("win2", cpu=3, os="windows"), wl("lin1", cpu=7), wl("lin2", cpu=7)]
    capex = run_study(estate(work, [server(sockets=1)], cost_overrides=free))
    assert len(capex.result.plan.servers) == 2
    tco = run_study(estate(work, [server(sockets=1)], cost_overrides=free, objective="tco", licences_owned=False))
    plan = tco.result.plan
    assert len(plan.servers) == 3 and len(windows_servers(tco.estate, plan)) == 1
    assert any("own hosts" in n for n in tco.result.notes)


def test_growth_factors_and_the_year_the_placement_runs_out(none_model) -> None:  # type: ignore[no-untyped-def]
    e = estate([wl("a", cpu=2.5, mem=2), wl("b", cpu=2.5, mem=2)], growth_pct_per_year=50.0, memory_growth_pct_per_year=0.0)
    g = grown_estate(e, 2)
    assert g.workloads[0].cpu_cores == pytest.approx(5.625) and g.workloads[0].memory_gb == pytest.approx(2)
    study = run_study(replace(e, settings=replace(e.settings, business_case=True, years=3)))
    case = add_business_case(study).case
    assert case is not None
    assert [y.fits_as_placed for y in case.growth] == [True, True, False, False]  # 5, 7.5, 11.25, 16.9 cores on 10
    assert runs_out_year(list(case.growth)) == 2 and case.runs_out_year == 2
    assert [y.servers_needed for y in case.growth] == [1, 1, 2, 2]  # 11.25 cores no longer fit one server
    peak, fits = as_placed(grown_estate(e, 1), none_model, study.result.plan)
    assert peak == 75.0 and fits


def test_overhead_breakdown_adds_up_to_the_server_loads(default_model) -> None:  # type: ignore[no-untyped-def]
    e = estate(
        [wl(f"v{i}", cpu=2, mem=4, os="windows" if i % 2 else "linux") for i in range(6)]
        + [wl("c", cpu=1, mem=1, platform="container")],
        [server(cpu=32, mem=64, storage=2000)],
        overhead_profile="default",
    )
    study = run_study(e)
    parts = overhead_breakdown(e, default_model, study.result.plan)
    loads = server_loads(e, default_model, study.result.plan)
    for r in RESOURCES:
        assert sum(parts[c].get(r) for c in COMPONENTS) == pytest.approx(sum(v.get(r) for v in loads.values()))
    assert parts["guest OS"].memory_gb > 0 and parts["container runtime"].memory_gb > 0


def test_business_case_workbook_sheets_charts_and_figures(tmp_path: Path) -> None:
    study = add_business_case(run_study(small(years=3, business_case=True, ha_failures=1)))
    case = study.case
    assert case is not None and [r.key for r in case.strategies] == ["today", *strategy_keys(study.estate)]
    assert "Cheapest:" in case.verdict
    out = export_plan(study, tmp_path / "plan.xlsx")
    book = load_workbook(out)
    for name in ("Strategies", "TCO", "Growth", "Resilience", "Failures"):
        assert name in book.sheetnames and book[name].freeze_panes == "A2"
    tco = {row[0]: row[1:] for row in book["TCO"].iter_rows(min_row=2, values_only=True)}
    header = next(book["TCO"].iter_rows(max_row=1, values_only=True))
    assert header[:5] == ("Cost line", "year 0", "year 1", "year 2", "year 3")  # headers in words
    assert tco["plan: cumulative"][3] == pytest.approx(case.tco.plan_total, abs=0.01)
    assert tco["today: total"][1] == pytest.approx(4 * (131.4 + 100 + 10), abs=0.01)
    assert tco["payback month"][-1] == case.tco.payback_month
    strategies = list(book["Strategies"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in strategies[:5]] == [r.servers for r in case.strategies]
    resilience = {r[0]: r[1] for r in book["Resilience"].iter_rows(min_row=2, values_only=True)}
    assert resilience["every checked failure survived"] == "yes"
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 5  # servers + CAPEX per strategy, cumulative TCO, growth, per-server utilization
    assumptions = {r[0]: r[1] for r in book["Assumptions"].iter_rows(min_row=2, values_only=True)}
    assert assumptions["ha_failures"] == 1 and assumptions["years"] == 3 and assumptions["cost.pue"] == 1.5
    assert assumptions["cpu_growth_pct_per_year"] == 10 and assumptions["cost_profile"] == "default"
    capex_col = next(c for c in book["Strategies"][1] if c.value == "CAPEX").column
    assert book["Strategies"].cell(row=2, column=capex_col).number_format == '#,##0" USD"'  # money in the currency


def test_verdict_names_the_overhead_that_decides() -> None:
    # 24 small Linux services on 32 GB servers: as VMs each carries a guest OS (1 GB), as containers ~10 MB
    e = estate(
        [wl(f"s{i}", cpu=0.25, mem=2) for i in range(24)],
        [server(cpu=16, mem=32, storage=2000, cost=1000)],
        overhead_profile="default",
        business_case=True,
        years=1,
        time_limit_s=6,
    )
    case = add_business_case(run_study(e)).case
    assert case is not None
    rows = {r.key: r for r in case.strategies}
    assert rows["type1_vms"].servers > rows["recommended"].servers
    assert rows["type1_vms"].overheads["guest OS"].memory_gb == pytest.approx(24 * 1.0)
    assert case.verdict.startswith("Cheapest: solver's free choice") or "as cheap" in case.verdict
    assert "guest OS overhead" in case.verdict and "memory" in case.verdict


def test_flat_support_and_linux_subscriptions_per_host() -> None:
    costs = load_costs().with_overrides({**dict(CHEAP), "support_per_server_year": 5.0, "linux_per_host_year": 70.0})
    model = server(cost=100, power_watts=200, rack_units=1, sockets=1)
    plain = server_cost(model, "hypervisor", "type1", False, costs)
    linux = server_cost(model, "hypervisor", "type1", False, costs, runs_linux=True)
    assert plain.support == pytest.approx(15) and linux.subscriptions == pytest.approx(plain.subscriptions + 70)
    study = run_study(small(years=1))
    t = compute_tco(study.estate, study.result.plan, study.baseline, costs)
    assert t.plan.per_year["platform subscriptions"] == pytest.approx(2 * (80 + 70))  # both servers run Linux guests
    assert t.baseline.per_year["support"] == pytest.approx(4 * 15)


def test_business_settings_are_read_and_refused_with_their_names() -> None:
    from conftest import REPO

    from planner.input_errors import InputError
    from planner.io.reader import read_estate

    sample = REPO / "sample_data" / "estate.xlsx"
    e = read_estate(sample, overrides={"cost.pue": "1.2", "objective": "tco", "ha_failures": "1", "cpu_growth_pct_per_year": "0"})
    assert dict(e.settings.cost_overrides) == {"pue": 1.2} and e.settings.objective == "tco" and e.settings.ha_failures == 1
    assert e.settings.growth_pct("cpu_cores") == 0 and e.settings.growth_pct("memory_gb") == 10
    with pytest.raises(InputError) as err:
        read_estate(sample, overrides={"cost.nope": "1", "objective": "cheap", "cost_profile": "missing", "years": "0"})
    text = " | ".join(str(p) for p in err.value.problems)
    assert "unknown cost number 'nope'" in text and "'cheap' is not one of capex, tco" in text
    assert "no cost profile 'missing'" in text and "years must be a whole number from 1 to 30" in text


def _strategy(key: str, servers: int, capex: float, tco: float | None = None) -> object:
    from planner.business.strategies import StrategyRow

    return StrategyRow(key, key, servers, {}, capex, tco, None, None, None, None, None, None, 0, None, "optimal", {}, "memory")


def test_a_plan_dearer_than_today_says_so_and_why() -> None:
    """A verdict never calls a higher cost a saving: it says 'more than today' and gives the cause."""
    from planner.business.strategies import verdict

    today = _strategy("today", 8, 78_400, 50_000)
    fewer_dearer = verdict([today, _strategy("recommended", 5, 79_800, 90_000)], "capex")  # type: ignore[list-item]
    assert (
        "1,400 more than replacing today's servers like for like" in fewer_dearer
        and "fewer servers (5 against 8), but each costs more" in fewer_dearer
    )
    assert "less than today" not in fewer_dearer
    more = verdict([today, _strategy("recommended", 9, 90_000)], "capex")  # type: ignore[list-item]
    assert "more servers than today (9 against 8): memory fills them first" in more
    owned = verdict([today, _strategy("recommended", 5, 40_000, 90_000)], "tco", owned=True)  # type: ignore[list-item]
    assert "already paid for" in owned
    cheaper = verdict([today, _strategy("recommended", 5, 40_000)], "capex")  # type: ignore[list-item]
    assert "38,400 less than replacing today's servers like for like" in cheaper and "costs more" not in cheaper


def test_what_changed_names_settings_and_counts_edits() -> None:
    """The Changes tab's words: each changed setting with both values, and workloads added or edited, counted."""
    from dataclasses import replace

    from conftest import estate, server, wl

    from planner.business.compare import model_counts, what_changed
    from planner.study.pipeline import run_study

    first = run_study(estate([wl("a", 2, 2), wl("b", 2, 2)], [server(cpu=10)], time_limit_s=5))
    second_estate = estate(
        [wl("a", 3, 2), wl("b", 2, 2), wl("c", 1, 1)], [server(cpu=10)], time_limit_s=5, max_utilization_pct=70
    )
    second = run_study(second_estate)
    assert what_changed(first, second) == ["max utilization pct: 100 -> 70", "workloads: 1 added, 1 edited"]
    assert what_changed(first, replace(first)) == []
    assert model_counts({"S": 3, "L": 5}) == "5 x L, 3 x S" and model_counts({}) == "none"


def test_a_strategy_never_shows_worse_than_a_plan_it_allows() -> None:
    """A strategy whose own search found a dearer plan shows the recommended plan when it allows it, and says so."""
    e = small()
    study = run_study(e)
    problem = build_problem(e, study.overhead)
    spread = Assignment(
        [(0, HostMode.HYPERVISOR)] * len(problem.items), {i: (i, PlacementKind.VM) for i in range(len(problem.items))}
    )
    plan = to_plan(problem, spread, {})
    capex = sum(e.server_model(s.model).unit_cost for s in plan.servers)
    worse = checked_study(e, study.overhead, study.costs, replace(study.result, plan=plan, capex=capex, cost=capex))
    assert worse.result.capex > study.result.capex
    kept = no_worse_than(study, worse)
    assert kept.result.plan == study.result.plan and "this strategy allows" in kept.result.method
    assert no_worse_than(worse, study) is study  # a strategy that found the cheaper plan keeps its own
