"""The business case priced alike on both sides: licences, power, CO2, hardware framings, growth, the summary."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import estate, server, wl
from openpyxl import load_workbook

from planner.business.executive import executive, verdict_sentence
from planner.business.growth import monotonic
from planner.business.html_report import report_html
from planner.business.workbook import export_plan
from planner.domain import CurrentHost, DomainError, Settings
from planner.money import end_of_life_year, money
from planner.plan import Placement, Plan, PlannedServer
from planner.profiles.loading import load_costs, load_cpu_generations, load_server_power
from planner.profiles.power import draw_watts, host_watts, model_watts
from planner.study.pipeline import checked_study, run_study
from planner.study.tco import compute_tco, framing_rows

COSTS = {
    "electricity_price_per_kwh": 0.1,
    "pue": 1.5,
    "grid_kg_co2_per_kwh": 0.5,
    "rack_unit_per_year": 50.0,
    "support_pct_per_year": 10.0,
    "hypervisor_per_core_year": 5.0,
    "hypervisor_min_cores_per_socket": 16.0,
    "baseline_server_watts": 100.0,
    "baseline_rack_units": 2.0,
    "windows_datacenter_per_core": 100.0,
}
HOSTS = tuple(CurrentHost(f"H{i}", 16, 64) for i in (1, 2, 3))


def three_hosts(**settings: object):  # type: ignore[no-untyped-def]
    """Two Windows VMs and a Linux VM on three 16-core hosts today; one 32-core server carries them all."""
    work = [
        wl("w1", cpu=4, mem=8, os="windows", current_host="H1"),
        wl("w2", cpu=4, mem=8, os="windows", current_host="H2"),
        wl("w3", cpu=4, mem=8, os="linux", current_host="H3"),
    ]
    model = server("M", cpu=32, mem=128, storage=1000, cost=1000, sockets=2, power_watts=500, rack_units=1)
    return replace(estate(work, [model], **settings), hosts=HOSTS)


def test_tco_by_hand_with_windows_licences_on_both_sides() -> None:
    """Owned licences carry over (the plan buys none it already has); unowned ones are bought by both sides."""
    costs = load_costs().with_overrides(COSTS)
    study = run_study(three_hosts())
    assert len(study.result.plan.servers) == 1 and study.baseline.servers == 3 and study.baseline.unit_cost == 1000
    t = compute_tco(study.estate, study.result.plan, study.baseline, costs, study.overhead)
    today_year = 3 * 100 / 1000 * 8760 * 1.5 * 0.1 + 3 * 2 * 50 + 3 * 100 + 3 * 32 * 5  # energy, rack, support, hypervisor
    plan_watts = 500 * (0.4 + 0.6 * 12 / 32)  # unknown generation: idle at 40%, 12 of 32 cores busy
    plan_year = plan_watts / 1000 * 8760 * 1.5 * 0.1 + 50 + 100 + 32 * 5
    assert t.baseline.total(1) == pytest.approx(today_year) and t.plan.total(1) == pytest.approx(plan_year)
    assert t.baseline.licence_cores == 32 and t.plan.licence_cores == 32  # two 16-core hosts today, one 32-core server
    assert t.plan.total(0) == pytest.approx(1000) and t.baseline.total(0) == 0 and t.licences_carried == 32
    assert t.payback_month == 16  # 1000 / ((today_year - plan_year) / 12) = 15.9
    unowned = compute_tco(
        replace(study.estate, settings=replace(study.estate.settings, licences_owned=False)),
        study.result.plan,
        study.baseline,
        costs,
        study.overhead,
    )
    assert unowned.plan.total(0) == pytest.approx(1000 + 3200) and unowned.baseline.total(0) == pytest.approx(3200)
    assert unowned.payback_month == 16


def test_co2_is_priced_alike_on_both_sides() -> None:
    """A host and a plan server of one generation, draw and load draw the same; CO2 is kWh times the same factor."""
    generations, power = load_cpu_generations(), load_server_power()
    era = power.era(2021)
    assert era is not None
    host = CurrentHost("h", 64, 512, cpu_usage_pct=40.0, cpu_model="AMD EPYC 7763 64-Core Processor")
    model = server("m", cpu=128, mem=1024, power_watts=era.full_watts, cpu_model="AMD EPYC 7763")
    today, basis = host_watts(host, generations, power, 25.0, 999.0)
    assert today == pytest.approx(model_watts(model, 40.0, generations, power, 999.0)) and "measured" in basis
    assert today == pytest.approx(draw_watts(era.full_watts, era.idle_watts / era.full_watts, 40.0))
    study = run_study(three_hosts())
    t = compute_tco(study.estate, study.result.plan, study.baseline, load_costs().with_overrides(COSTS), study.overhead)
    for side in (t.plan, t.baseline):
        assert t.co2_tonnes(side) == pytest.approx(side.watts / 1000 * 8760 * 1.5 * 0.5 / 1000)


def test_hardware_framings_and_end_of_life_year() -> None:
    """Keep: no purchase; refresh now: year 0; end of life: the year today's servers reach their life."""
    assert end_of_life_year(3, 5) == 3 and end_of_life_year(5, 5) == 0 and end_of_life_year(4.5, 5) == 1
    costs = load_costs().with_overrides(COSTS)
    study = run_study(three_hosts(baseline_hardware="end_of_life", hardware_age_years=3.0, hardware_life_years=5.0))
    t = compute_tco(study.estate, study.result.plan, study.baseline, costs, study.overhead)
    assert t.baseline.year(0)["hardware"] == 0 and t.baseline.year(3)["hardware"] == pytest.approx(3000)
    rows = framing_rows(study.estate, study.result.plan, study.baseline, costs, study.overhead)
    assert [r["chosen"] for r in rows] == ["", "", "yes"]
    keep, now, later = (r["today's cost over the horizon"] for r in rows)
    assert now == pytest.approx(keep + 3000) and later == pytest.approx(now)  # within the horizon: the same sum
    assert rows[1]["payback"] == "month 0"  # buying one server now costs less than buying three again


def test_business_settings_are_refused_in_words() -> None:
    """Currency, framing, ages and the sizing year are checked with the setting's name."""
    for bad, text in (
        ({"currency": "dollars"}, "currency"),
        ({"baseline_hardware": "lease"}, "baseline_hardware"),
        ({"hardware_life_years": 0.0}, "hardware_life_years"),
        ({"size_for_year": 6}, "size_for_year"),
        ({"licences_owned": "yes"}, "licences_owned"),
    ):
        with pytest.raises(DomainError, match=text):
            Settings(**bad)  # type: ignore[arg-type]
    assert money(1234567.4, "EUR") == "1,234,567 EUR" and money(-5, "$", signed=True) == "$-5"


def test_plan_sized_for_a_later_year() -> None:
    """size_for_year grows every workload's demand before the plan, and says so in the notes."""
    study = run_study(three_hosts(size_for_year=2, growth_pct_per_year=50.0))
    assert study.estate.grown_years == 2
    assert study.estate.workload("w1").cpu_cores == pytest.approx(4 * 1.5**2)
    assert any("sized for year 2" in n for n in study.estate.notes)


def test_growth_never_needs_fewer_servers_later() -> None:
    """A later year's plan that carries an earlier year for less replaces the earlier year's figure."""
    e = estate([wl(f"w{i}", cpu=2, mem=2) for i in range(4)], [server(cpu=10, mem=10)], growth_pct_per_year=10.0)
    year0 = run_study(e)
    spread = Plan(
        servers=tuple(PlannedServer(f"S-{i}", "S", "hypervisor") for i in range(4)),
        placements=tuple(Placement(f"w{i}", 1, f"S-{i}", "vm") for i in range(4)),
    )
    worse = checked_study(year0.estate, year0.overhead, year0.costs, replace(year0.result, plan=spread, capex=400.0, cost=None))
    year1 = run_study(replace(e, settings=replace(e.settings, size_for_year=1)))
    best = monotonic({0: worse, 1: year1}, year0.overhead)
    assert best[0] == (year1, 1) and best[1] == (year1, 1)
    assert len(year1.result.plan.servers) < len(spread.servers)


def test_summary_sheet_and_html_report_read_back(tmp_path: Path) -> None:
    """The workbook opens on the executive summary (verdict, today and the plan, assumptions), money in the currency."""
    study = run_study(three_hosts(currency="CHF"))
    out = export_plan(study, tmp_path / "plan.xlsx")
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["Summary", "Details"]
    cells = [str(c) for row in book["Summary"].iter_rows(values_only=True) for c in row if c is not None]
    assert cells[0] == "Consolidation plan: the estate" and "Verdict" in cells and "Key assumptions" in cells
    verdict = verdict_sentence(study, compute_tco(study.estate, study.result.plan, study.baseline, study.costs, study.overhead))
    assert verdict in cells and "3 servers today, 1 in the plan" in verdict
    assert "1,000 CHF" in cells and "Servers (spares included)" in cells
    details = {r[2]: r[1] for r in book["Details"].iter_rows(min_row=2, values_only=True)}
    assert details["servers"] == 1 and details["baseline_servers"] == 3
    page = report_html(study)
    assert "<script" not in page and "<svg" in page and executive(study).verdict.replace("'", "&#x27;") in page
