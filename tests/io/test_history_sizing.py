"""Percentile sizing from a history: hand values, the allocation cap, memory kept on allocation, fallbacks named."""

from __future__ import annotations

import numpy as np
import pytest

from planner.input_errors import InputError
from planner.io.reader import estate_from_rows
from planner.usage import UsageHistory

MONDAY = int(np.datetime64("2026-11-02T00:00:00", "s").astype(np.int64))
SERVERS = [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], ["S", 64, 512, 1000, 10000]]
WORKLOADS = [["name", "vcpus", "memory_gb"], ["vm", 8, 16], ["quiet", 4, 8]]


def one_history(cpu: list[float], memory: list[float] | None = None) -> UsageHistory:
    """History of workload 'vm' alone, 5-minute samples, percent of its allocation."""
    values = np.array([cpu], dtype=float)
    return UsageHistory(
        names=("vm",),
        start=MONDAY,
        step=300,
        cpu=values,
        memory=np.array([memory if memory is not None else [50.0] * len(cpu)], dtype=float),
        cpu_absolute=(False,),
        memory_absolute=(False,),
        source="hand.csv",
    )


def sized(h: UsageHistory, **chosen: object) -> object:
    rows = [["setting", "value"], ["sizing", "percentile"], *([k, v] for k, v in chosen.items())]
    return estate_from_rows(WORKLOADS, SERVERS, rows, usage=h)


def test_percentile_sizing_matches_the_hand_calculation() -> None:
    """8 vCPUs at 1..20%: the 95th percentile is 19.05% (PERCENTILE.INC) -> 8 x 0.1905 x 1.3 = 1.9812 cores;
    memory 16 GB at 50% -> 8 x 1.3 = 10.4 GB."""
    estate = sized(one_history([float(v) for v in range(1, 21)]))
    vm = estate.workload("vm")  # type: ignore[attr-defined]
    assert vm.cpu_cores == pytest.approx(8 * 0.1905 * 1.3)
    assert vm.memory_gb == pytest.approx(10.4)


def test_never_above_the_allocation_and_memory_may_stay_on_it() -> None:
    """A VM busy at 100% is sized at its 8 vCPUs, not 8 x 1.3; memory_sizing = allocation keeps 16 GB."""
    estate = sized(one_history([100.0] * 10), memory_sizing="allocation")
    vm = estate.workload("vm")  # type: ignore[attr-defined]
    assert vm.cpu_cores == pytest.approx(8.0) and vm.memory_gb == 16


def test_the_window_keeps_only_the_last_days() -> None:
    """Two days at 90% then one day at 10%: a 1-day window sizes on the quiet day alone."""
    day = 288
    estate = sized(one_history([90.0] * 2 * day + [10.0] * day), window_days=1, comfort_factor=1.0)
    assert estate.workload("vm").cpu_cores == pytest.approx(0.8)  # type: ignore[attr-defined]


def test_workloads_without_history_keep_their_allocation_and_are_named() -> None:
    """'quiet' has no samples: 4 vCPUs / 4 per core = 1 core, named in the notes."""
    estate = sized(one_history([10.0, 20.0]))
    assert estate.workload("quiet").cpu_cores == 1.0  # type: ignore[attr-defined]
    assert any("without history" in n and "quiet" in n for n in estate.notes)  # type: ignore[attr-defined]


def test_percentile_sizing_without_a_history_is_refused() -> None:
    """sizing = percentile and no history: an error at the setting, saying how to give one."""
    rows = [["setting", "value"], ["sizing", "percentile"]]
    with pytest.raises(InputError) as err:
        estate_from_rows(WORKLOADS, SERVERS, rows)
    assert "needs a utilization history" in str(err.value) and err.value.problems[0].column == "sizing"


def test_a_history_under_allocation_sizing_is_kept_for_the_replay() -> None:
    """Sized by allocation, a given history still reaches the estate (the replay proof) and sizes nothing."""
    estate = estate_from_rows(WORKLOADS, SERVERS, [["setting", "value"]], usage=one_history([50.0, 60.0]))
    assert estate.usage is not None and estate.workload("vm").cpu_cores == 2.0  # type: ignore[attr-defined]


def test_a_usage_sheet_in_the_workbook_is_read(tmp_path: object) -> None:
    """A native workbook with a Usage sheet: no --usage needed; its problems name the sheet."""
    from openpyxl import Workbook

    from planner.io.reader import read_estate

    book = Workbook()
    book.active.title = "Workloads"
    for row in WORKLOADS:
        book["Workloads"].append(row)
    servers = book.create_sheet("Servers")
    for row in SERVERS:
        servers.append(row)
    settings = book.create_sheet("Settings")
    for row in (["setting", "value"], ["sizing", "percentile"], ["comfort_factor", 1.0]):
        settings.append(row)
    usage = book.create_sheet("Usage")
    usage.append(["workload", "time", "cpu_pct", "memory_pct"])
    for minute, pct in ((0, 50), (5, 50)):
        usage.append(["vm", f"2026-11-02T00:{minute:02d}:00Z", pct, 25])
    path = tmp_path / "estate.xlsx"  # type: ignore[operator]
    book.save(path)
    estate = read_estate(path)
    assert estate.usage is not None and estate.workload("vm").cpu_cores == pytest.approx(4.0)
    usage.append(["vm", "soon", 1, 1])
    book.save(path)
    with pytest.raises(InputError) as err:
        read_estate(path)
    assert str(err.value.problems[0]).startswith("Usage, row 4, column time: not a time")
