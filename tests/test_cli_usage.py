"""The planner command with a utilization history: --usage, --replay, `planner replay`, bad histories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO
from openpyxl import load_workbook

SAMPLE = REPO / "sample_data" / "estate.xlsx"
USAGE = REPO / "sample_data" / "usage.csv"


def planner(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True, timeout=300, cwd=REPO)


def later_history(tmp_path: Path) -> Path:
    """The sample's history a week later, every workload 20% busier (capped at 100%)."""
    lines = USAGE.read_text().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        name, time, cpu, memory = line.split(",")
        later = time.replace("2026-11-0", "2026-11-1")
        out.append(f"{name},{later},{min(100.0, float(cpu) * 1.2):.1f},{memory}")
    path = tmp_path / "later.csv"
    path.write_text("\n".join(out) + "\n")
    return path


def test_time_aware_plan_with_a_held_out_replay_writes_the_replay_sheet(tmp_path: Path) -> None:
    """Plan the sample by time on its week of history, replay it on a busier week: both on the Replay sheet."""
    out = tmp_path / "plan.xlsx"
    run = planner(
        "plan", str(SAMPLE), "--usage", str(USAGE), "--replay", str(later_history(tmp_path)), "--out", str(out),
        "--set", "sizing=percentile", "--set", "packing=time_aware", "--time-limit", "10", "--plan-only",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "replayed on usage.csv: the plan would have held for 100.00% of 168 intervals" in run.stdout
    assert "replayed on later.csv" in run.stdout
    rows = list(load_workbook(out, read_only=True)["Replay"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("History", "Server", "Model", "Intervals")
    histories = {r[0] for r in rows[1:]}
    assert histories == {"usage.csv", "later.csv"}
    verdicts = [r for r in rows[1:] if r[1] == "verdict"]
    assert len(verdicts) == 2
    summary = {r[2]: r[1] for r in load_workbook(out, read_only=True)["Details"].iter_rows(values_only=True)}
    assert summary["replay_intervals"] == 168 and summary["replay_held_pct"] == 100.0


def test_replay_command_replays_a_written_plan(tmp_path: Path) -> None:
    """`planner replay PLAN INPUT --usage FILE` prints the verdict and the busiest servers."""
    out = tmp_path / "plan.xlsx"
    assert planner("plan", str(SAMPLE), "--out", str(out), "--time-limit", "5", "--plan-only", "--quiet").returncode == 0
    run = planner("replay", str(out), str(SAMPLE), "--usage", str(USAGE))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("replayed on usage.csv: the plan would have held for")
    assert "peak" in run.stdout and "intervals over the ceiling" in run.stdout


def test_a_malformed_history_is_refused_with_file_row_and_column(tmp_path: Path) -> None:
    """A word in cpu_pct: exit 2, the file, row and column named, nothing written."""
    bad = tmp_path / "bad.csv"
    bad.write_text("workload,time,cpu_pct\npayments-web,2026-11-02T00:00Z,busy\n")
    out = tmp_path / "plan.xlsx"
    run = planner("plan", str(SAMPLE), "--usage", str(bad), "--out", str(out), "--set", "sizing=percentile")
    assert run.returncode == 2
    assert "bad.csv, row 2, column cpu_pct: cpu_pct must be a number" in run.stderr
    assert not out.exists()


def test_readme_history_commands_work_as_written(tmp_path: Path) -> None:
    """The README's two history commands, copied from it and run in a folder holding the sample."""
    import shutil

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    lines = [
        line
        for line in readme.splitlines()
        if line.startswith(("planner plan sample_data/estate.xlsx --usage", "planner replay plan.xlsx sample_data"))
    ]
    assert len(lines) == 2
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    for line in lines:
        args = line.split()[1:] + (["--time-limit", "5", "--plan-only"] if line.startswith("planner plan") else [])
        run = subprocess.run(
            [sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True, timeout=300, cwd=tmp_path
        )
        assert run.returncode == 0, run.stderr
        assert "would have held for" in run.stdout
