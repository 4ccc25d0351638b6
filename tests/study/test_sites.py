"""Multi-site estates: planned per site, merged into one plan, checked against the site rule."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO, WORKLOAD_HEADER, estate, random_book, server, wl, write_book
from openpyxl import load_workbook

from planner.business.workbook import export_plan
from planner.checker import check_plan
from planner.cli import main
from planner.input_errors import InputError
from planner.io.reader import read_estate
from planner.sites import planned_per_site, site_estate, split_estate
from planner.study.pipeline import run_study


def _site_of_servers(study: object) -> dict[str, set[str]]:
    e, plan = study.estate, study.result.plan  # type: ignore[attr-defined]
    out: dict[str, set[str]] = {}
    for p in plan.placements:
        out.setdefault(p.server_id, set()).add(e.workload(p.workload).site)
    return out


def test_each_site_gets_its_own_servers_control_plane_and_failure_tolerance() -> None:
    ws = [wl(f"a{i}", 3, 5, site="DC1") for i in range(7)] + [wl(f"b{i}", 2, 6, site="DC2", replicas=2) for i in range(3)]
    e = estate(
        ws, [server(cpu=16, mem=32)], time_limit_s=3, ha_failures=1, container_platform="kubernetes", overhead_profile="default"
    )
    assert planned_per_site(e) and [s for s, _ in split_estate(e)] == ["DC1", "DC2"]
    study = run_study(e)
    r = study.result
    assert [s.site for s in r.sites] == ["DC1", "DC2"]
    assert all(len(sites) == 1 for sites in _site_of_servers(study).values())  # never two sites on a server
    assert all(s.server_id.startswith(f"{s.site}/") for s in (*r.plan.servers, *r.plan.spares))
    planes = [w for w in study.estate.workloads if "control plane" in w.name]
    assert sorted(w.site for w in planes) == ["DC1", "DC2"] and len({w.name for w in planes}) == 2
    assert r.capex == sum(s.capex for s in r.sites) and r.lower_bound == pytest.approx(sum(s.lower_bound for s in r.sites))
    assert study.resilience is not None and study.resilience.survived  # each site survives its own loss
    for scenario in study.resilience.scenarios:
        lost_site = scenario.failed[0].split("/")[0]
        assert all(m.server_id.startswith(f"{lost_site}/") for m in scenario.moves)  # restarts stay at the site
    assert study.summary.sites == 2 and study.baseline.servers == 10  # one server per workload today, control plane excluded


def test_checker_refuses_a_server_shared_by_two_sites() -> None:
    e = estate([wl("a", 2, 2, site="DC1"), wl("b", 2, 2, site="DC2")], time_limit_s=2)
    study = run_study(e)
    plan = study.result.plan
    assert not check_plan(study.estate, study.overhead, plan)
    first = plan.servers[0]
    moved = replace(plan, placements=tuple(replace(p, server_id=first.server_id) for p in plan.placements))
    assert any("at site" in v for v in check_plan(study.estate, study.overhead, moved))
    nameless = replace(plan, servers=tuple(replace(s, site="") for s in plan.servers))
    assert any("belongs to no site" in v for v in check_plan(study.estate, study.overhead, nameless))


def test_cross_sites_yes_pools_the_estate() -> None:
    e = estate([wl("a", 4, 4, site="DC1"), wl("b", 4, 4, site="DC2")], time_limit_s=2, cross_sites=True)
    assert not planned_per_site(e)
    study = run_study(e)
    assert len(study.result.plan.servers) == 1 and not study.result.sites
    apart = run_study(replace(e, settings=replace(e.settings, cross_sites=False)))
    assert len(apart.result.plan.servers) == 2  # the price of keeping each site's workloads at home


def test_site_estate_keeps_the_hosts_of_its_workloads() -> None:
    e = estate([wl("a", site="DC1", current_host="h1"), wl("b", site="DC2", current_host="h2")])
    assert [w.name for w in site_estate(e, "DC2").workloads] == ["b"]


def _book(tmp_path: Path, rows: list[dict[str, object]], **settings: object) -> Path:
    table = [WORKLOAD_HEADER] + [[{**dict.fromkeys(WORKLOAD_HEADER), **r}[h] for h in WORKLOAD_HEADER] for r in rows]
    servers = [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], ["S", 16, 64, 1000, 5000]]
    return write_book(
        tmp_path / "sites.xlsx",
        {"Workloads": table, "Servers": servers, "Settings": [["setting", "value"], *([k, v] for k, v in settings.items())]},
    )


def test_site_column_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    rows = [
        {"name": "a", "cpu_cores": 1, "memory_gb": 1, "site": "DC1", "affinity_group": "g"},
        {"name": "b", "cpu_cores": 1, "memory_gb": 1, "site": "DC2", "affinity_group": "g"},
        {"name": "c", "cpu_cores": 1, "memory_gb": 1},
    ]
    with pytest.raises(InputError) as err:
        read_estate(_book(tmp_path, rows))
    found = {(p.sheet, p.row, p.column) for p in err.value.problems}
    assert found == {("Workloads", 3, "affinity_group"), ("Workloads", 4, "site")}
    assert "cross_sites" in str(err.value)
    e = read_estate(_book(tmp_path, rows[:2], cross_sites="yes"))  # allowed when workloads may cross sites
    assert [w.site for w in e.workloads] == ["DC1", "DC2"] and not planned_per_site(e)


def test_rvtools_sites_by_datacenter_or_cluster_and_plan_sheet(tmp_path: Path) -> None:
    rv, catalog = REPO / "sample_data" / "rvtools_v4.xlsx", REPO / "sample_data" / "servers.csv"
    by_datacenter = read_estate(rv, servers_path=catalog, overrides={"site_level": "datacenter"})
    assert {w.site for w in by_datacenter.workloads} == {"dc-1"}
    by_cluster = read_estate(rv, servers_path=catalog, overrides={"time_limit_s": "2"})  # clusters apart by default
    assert by_cluster.settings.site_level == "cluster"
    assert {w.site for w in by_cluster.workloads} == {"cl-a", "cl-b"}
    study = run_study(by_cluster)
    out = export_plan(study, tmp_path / "plan.xlsx")
    book = load_workbook(out, read_only=True)
    assert book.sheetnames[:3] == ["Summary", "Details", "Sites"]
    sites = list(book["Sites"].iter_rows(values_only=True))
    assert [r[0] for r in sites[1:]] == ["cl-a", "cl-b", "total"]
    assert sites[-1][2] == len(study.result.plan.servers) + len(study.result.plan.spares)
    header = next(book["Servers"].iter_rows(values_only=True))
    assert "Site" in header


def test_cli_prints_each_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = random_book(tmp_path / "e.xlsx", 20, sites=("north", "south"), settings={"time_limit_s": 1})
    assert main(["plan", str(book), "--out", str(tmp_path / "p.xlsx"), "--plan-only"]) == 0
    out = capsys.readouterr().out
    assert "site      north:" in out and "site      south:" in out
