"""CPU generations in sizing: measured cores on an old CPU become fewer cores of a new one, by hand calculation."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SERVER_HEADER, write_book
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.domain import ServerModel, Settings, Workload
from planner.io.reader import read_estate
from planner.io.sizing import apply_sizing
from planner.study.pipeline import run_study
from planner.study.report import cpu_rating_rows

OLD = "Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz"  # Ivy Bridge, 2013: 1.10 x 2.8 = 3.08
NEW = "AMD EPYC 9454"  # Zen 4, 2022, at 2.75 GHz: 1.99 x 2.75 = 5.4725
FACTOR = (1.10 * 2.8) / (1.99 * 2.75)
HEAD = ["name", "cpu_cores", "vcpus", "memory_gb", "cpu_usage_pct", "cpu_model", "cpu_ghz"]


def _book(tmp_path: Path, rows: list[list[object]], catalog_cpu: tuple[object, object], **settings: object) -> Path:
    servers = [[*SERVER_HEADER[:8], "cpu_model", "cpu_ghz"], ["M", 96, 768, 4000, 30000, 900, 2, None, *catalog_cpu]]
    entries = [["setting", "value"], ["comfort_factor", 1], ["demand_floor_pct", 1], *([k, v] for k, v in settings.items())]
    return write_book(tmp_path / "e.xlsx", {"Workloads": [HEAD, *rows], "Servers": servers, "Settings": entries})


ROWS = [
    ["physical", 8, None, 32, None, OLD, None],  # a physical server's 8 cores
    ["vm-busy", None, 8, 32, 50, OLD, None],  # 8 vCPUs at 50%: 4 busy cores of the old CPU
    ["vm-new", None, 8, 32, 50, "AMD EPYC 9454", 2.75],  # measured on the same CPU as planned: 1:1
    ["vm-odd", None, 8, 32, 50, "AMD Opteron 6380", 2.5],  # unknown CPU: 1:1, named
]


def test_measured_cores_convert_to_the_planned_cpu(tmp_path: Path) -> None:
    """By demand, a VM's busy cores and a physical server's cores shrink by the ratio of per-core ratings."""
    estate = read_estate(_book(tmp_path, ROWS, (NEW, 2.75), sizing="demand"))
    cores = {w.name: w.cpu_cores for w in estate.workloads}
    assert cores["physical"] == pytest.approx(8 * FACTOR)  # 4.50 cores of an EPYC 9454
    assert cores["vm-busy"] == pytest.approx(4 * FACTOR)
    assert cores["vm-new"] == pytest.approx(4)
    assert cores["vm-odd"] == pytest.approx(4)
    said = " ".join(estate.notes)
    assert "3 workloads' measured cores converted" in said  # vm-new too, by a ratio of 1
    assert "AMD Opteron 6380" in said and "converted 1:1" in said


def test_allocation_sizing_keeps_the_vcpu_ratio(tmp_path: Path) -> None:
    """By allocation, a VM's vCPUs are planned at the vCPU-per-core ratio on the new cores: no conversion."""
    estate = read_estate(_book(tmp_path, ROWS, (NEW, 2.75), vcpu_per_core=4))
    cores = {w.name: w.cpu_cores for w in estate.workloads}
    assert cores["vm-busy"] == pytest.approx(2) and cores["vm-odd"] == pytest.approx(2)
    assert cores["physical"] == pytest.approx(8 * FACTOR)  # a physical server's cores are still old cores


def test_a_catalog_without_cpus_converts_nothing_and_says_so(tmp_path: Path) -> None:
    """Without a rated catalog model, measured cores stay 1:1 and a warning says why: never a silent 1:1."""
    estate = read_estate(_book(tmp_path, ROWS, (None, None), sizing="demand"))
    assert {w.name: w.cpu_cores for w in estate.workloads}["vm-busy"] == pytest.approx(4)
    assert any("no catalog model names its CPU" in n for n in estate.notes)


def test_the_assumptions_sheet_lists_each_rating_with_its_source(tmp_path: Path) -> None:
    """Every CPU rated (the catalog's and today's) is a row with its rating, generation and source."""
    estate = read_estate(_book(tmp_path, ROWS, (NEW, 2.75), sizing="demand"))
    rows = {r["setting"]: r for r in cpu_rating_rows(estate)}
    assert rows[f"core_rating: {NEW}"]["value"] == pytest.approx(5.472, abs=1e-3)
    assert rows[f"core_rating: {OLD}"]["value"] == pytest.approx(3.08)
    assert "Rupp" in str(rows[f"core_rating: {OLD}"]["source"])
    assert rows["core_rating: AMD Opteron 6380"]["value"] == "unknown (converted 1:1)"
    assert run_study(estate).result.plan.servers  # and the estate plans


CPUS = [OLD, "Intel(R) Xeon(R) CPU E5-2690 0 @ 2.90GHz", "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "AMD Opteron 6380", None]


@given(
    vcpus=st.integers(1, 64),
    use=st.floats(0, 100),
    cpu=st.sampled_from(CPUS),
    sizing=st.sampled_from(["allocation", "demand"]),
)
@settings(max_examples=60, deadline=None)
def test_conversion_never_inflates_and_never_touches_allocations(vcpus: int, use: float, cpu: str | None, sizing: str) -> None:
    """Sized onto a newer CPU, a VM needs no more cores than measured on its old one; by allocation, exactly vCPUs / ratio."""
    w = Workload("vm", vcpus, 8, vcpus=float(vcpus), cpu_usage_pct=use, cpu_model=cpu)
    server = ServerModel("M", 96, 768, 4000, 30000, cpu_model=NEW, cpu_ghz=2.75)
    config = Settings(sizing=sizing, comfort_factor=1.0)
    [sized], _ = apply_sizing([w], config, [server])
    unconverted, _ = apply_sizing([w], config, [])
    assert 0 < sized.cpu_cores <= unconverted[0].cpu_cores + 1e-9
    if sizing == "allocation":
        assert sized.cpu_cores == pytest.approx(vcpus / 4)
