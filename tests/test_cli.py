"""The planner command end to end, as a user runs it: real files, real exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import GOOD_SERVERS, REPO, WORKLOAD_HEADER, write_book
from openpyxl import load_workbook

from planner.checker import check_plan
from planner.io.planfile import read_plan
from planner.io.reader import read_estate
from planner.study.pipeline import load_overhead

SAMPLE = REPO / "sample_data" / "estate.xlsx"


def planner(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner.cli", *args], capture_output=True, text=True, timeout=300, cwd=REPO)


def test_plan_sample_writes_a_verified_plan(tmp_path: Path) -> None:
    out, js = tmp_path / "plan.xlsx", tmp_path / "summary.json"
    run = planner("plan", str(SAMPLE), "--out", str(out), "--summary-json", str(js), "--time-limit", "15")
    assert run.returncode == 0, run.stderr
    assert "plan written" in run.stdout and "CAPEX" in run.stdout
    summary = json.loads(js.read_text())
    for key in (
        "servers",
        "capex",
        "baseline_servers",
        "baseline_capex",
        "savings",
        "savings_pct",
        "lower_bound",
        "gap_pct",
        "status",
        "seconds",
    ):
        assert key in summary
    assert summary["servers"] < summary["baseline_servers"] and summary["savings"] > 0
    assert summary["lower_bound"] <= summary["capex"]
    # Read the written workbook back and check it independently against the input.
    estate = read_estate(SAMPLE, overrides={"time_limit_s": "15"})
    plan = read_plan(out)
    assert check_plan(estate, load_overhead(estate), plan) == []
    assert len(plan.placements) + len(plan.unplaced) == sum(w.replicas for w in estate.workloads)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == [
        "Summary",
        "Details",
        "Strategies",
        "TCO",
        "Growth",
        "Resilience",
        "Placements",
        "Servers",
        "Unplaced",
        "Assumptions",
    ]
    assert "verdict   Cheapest:" in run.stdout and "paid back" in run.stdout and "needed year 0:" in run.stdout


def test_plan_with_failures_round_trips_every_failure_set(tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    run = planner("plan", str(SAMPLE), "--out", str(out), "--time-limit", "8", "--set", "ha_failures=1", "--plan-only")
    assert run.returncode == 0, run.stderr
    assert "survives losing any 1 server(s)" in run.stdout
    estate = read_estate(SAMPLE, overrides={"ha_failures": "1"})
    overhead = load_overhead(estate)
    plan = read_plan(out)
    assert check_plan(estate, overhead, plan) == []
    from planner.study.resilience import assess, check_scenario

    report = assess(estate, overhead, plan, 1)
    assert report.survived and report.total == len(plan.servers) + len(plan.spares)
    assert all(check_scenario(estate, overhead, plan, s) == [] for s in report.scenarios)
    book = load_workbook(out, read_only=True)
    assert "Failures" in book.sheetnames and "Strategies" not in book.sheetnames


def test_plan_with_settings_and_quiet(tmp_path: Path) -> None:
    out = tmp_path / "p.xlsx"
    run = planner(
        "plan",
        str(SAMPLE),
        "--out",
        str(out),
        "--quiet",
        "--plan-only",
        "--time-limit",
        "5",
        "--set",
        "forms=vm_only",
        "--set",
        "hypervisor=type2",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and run.stderr == ""
    assert {p.form for p in read_plan(out).placements} == {"vm"}


def test_invalid_input_exits_2_naming_row_and_column(tmp_path: Path) -> None:
    bad = write_book(
        tmp_path / "bad.xlsx",
        {
            "Workloads": [
                WORKLOAD_HEADER,
                ["a", 1, 1, 0, "linux", "any", "shared", 1, None, None, None],
                ["b", 1, -4, 0, "linux", "any", "shared", 1, None, None, None],
            ],
            "Servers": GOOD_SERVERS,
        },
    )
    run = planner("plan", str(bad), "--out", str(tmp_path / "p.xlsx"))
    assert run.returncode == 2
    assert "Workloads, row 3, column memory_gb: must be more than zero" in run.stderr
    assert not (tmp_path / "p.xlsx").exists()
    assert planner("validate", str(bad)).returncode == 2
    assert planner("plan", str(SAMPLE), "--out", "x.xlsx", "--set", "nonsense").returncode == 2


def test_validate_template_profiles(tmp_path: Path) -> None:
    run = planner("validate", str(SAMPLE))
    assert run.returncode == 0 and "valid" in run.stdout
    assert planner("template", str(tmp_path / "t.xlsx")).returncode == 0 and (tmp_path / "t.xlsx").exists()
    listing = planner("profiles")
    assert "default" in listing.stdout and "none" in listing.stdout
    detail = planner("profiles", "default")
    assert "vm_memory_overhead_pct" in detail.stdout and "source:" in detail.stdout


def test_python_m_planner_and_version() -> None:
    """`python -m planner` is the planner command, and `--version` names the installed distribution's version."""
    run = subprocess.run([sys.executable, "-m", "planner", "--version"], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert run.returncode == 0, run.stderr
    from planner import __version__

    assert run.stdout.strip() == f"planner {__version__} (consolidation-planner)" and __version__ != "0+unknown"


def test_sample_command_copies_a_plannable_estate(tmp_path: Path) -> None:
    """`planner sample DIR` writes the bundled sample estate and catalog, which then validate as they are."""
    run = planner("sample", str(tmp_path / "s"))
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "cmdb.csv",
        "estate.xlsx",
        "rvtools_v3.xlsx",
        "rvtools_v4.xlsx",
        "servers.csv",
        "usage.csv",
    ]
    check = planner("validate", str(tmp_path / "s" / "rvtools_v4.xlsx"), "--servers", str(tmp_path / "s" / "servers.csv"))
    assert check.returncode == 0 and "valid" in check.stdout, check.stderr
    sized = planner(
        "validate",
        str(tmp_path / "s" / "estate.xlsx"),
        "--usage",
        str(tmp_path / "s" / "usage.csv"),
        "--set",
        "sizing=percentile",
    )
    assert sized.returncode == 0 and "sized by percentile: 284 workloads" in sized.stdout, sized.stderr


def test_plan_output_states_how_the_run_ended(tmp_path: Path) -> None:
    """The solver line says the status in words: proven optimal, or why it is not."""
    book = write_book(
        tmp_path / "small.xlsx",
        {"Workloads": [WORKLOAD_HEADER, ["a", 2, 4], ["b", 2, 4]], "Servers": GOOD_SERVERS},
    )
    run = planner("plan", str(book), "--out", str(tmp_path / "p.xlsx"), "--plan-only", "--time-limit", "5")
    assert run.returncode == 0, run.stderr
    assert "solver    optimal (proven)" in run.stdout


def test_dashboard_command_serves_the_app() -> None:
    """`planner dashboard` starts Streamlit on the packaged page, which answers its health check."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "planner", "dashboard", "--port", str(port), "--address", "127.0.0.1"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, ended whole below
    )
    try:
        deadline, healthy = time.monotonic() + 120, False
        while time.monotonic() < deadline and server.poll() is None and not healthy:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    healthy = answer.status == 200
            except OSError:
                time.sleep(0.5)
        assert healthy, f"no answer from the dashboard (exit {server.poll()})"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            _, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            _, err = server.communicate(timeout=30)
    assert "dashboard on http://127.0.0.1" in err


def test_ctrl_c_keeps_the_best_plan_and_exits_130(tmp_path: Path) -> None:
    """SIGINT mid-search: the best plan so far is checked and written, its status says stopped, the exit is 130."""
    out = tmp_path / "plan.xlsx"
    args = [sys.executable, "-m", "planner.cli", "plan", str(SAMPLE), "--time-limit", "120", "--plan-only", "--out", str(out)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stderr is not None
    line = proc.stderr.readline()  # printed once the search watches Ctrl-C
    assert line.startswith("solving"), line
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 130, stderr
    assert "stopping: the best plan so far" in stderr and "stopped by the user" in stdout
    estate = read_estate(SAMPLE)
    assert check_plan(estate, load_overhead(estate), read_plan(out)) == []
    summary = {r[2]: r[1] for r in load_workbook(out, read_only=True)["Details"].iter_rows(values_only=True)}
    assert summary["status"] == "stopped"


def test_a_bad_destination_is_refused_before_reading_or_solving(tmp_path: Path) -> None:
    """--out into a missing folder, or with an extension it would not be written as: exit 2 naming --out, first."""
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")  # an input error too: the destination is checked before the input is read
    for out, said in ((tmp_path / "no" / "plan.xlsx", "does not exist"), (tmp_path / "plan.csv", "ending in .xlsx")):
        done = planner("plan", str(broken), "--out", str(out))
        assert done.returncode == 2 and "--out" in done.stderr and said in done.stderr, done.stderr
        assert "not a readable" not in done.stderr and not out.exists()


def test_the_readme_cmdb_example_and_a_filled_in_template_plan(tmp_path: Path) -> None:
    """README's CMDB command works as written, and the blank template, once filled in, validates as it stands."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "planner plan sample_data/cmdb.csv --servers sample_data/servers.csv" in readme
    maps = ["--map", "Host Name=name", "--map", "Cores=cpu_cores", "--map", "RAM (MB)=memory_mb", "--map", "OS=os"]
    out = tmp_path / "cmdb-plan.xlsx"
    done = planner(
        "plan", "sample_data/cmdb.csv", "--servers", "sample_data/servers.csv", *maps, "--out", str(out), "--plan-only"
    )
    assert done.returncode == 0 and out.is_file(), done.stderr
    template = tmp_path / "t.xlsx"
    assert planner("template", str(template)).returncode == 0
    book = load_workbook(template)
    book["Workloads"].append(["web", 2, 4])
    book["Servers"].append(["M", 16, 64, 1000, 5000])
    book.save(template)
    checked = planner("validate", str(template))
    assert checked.returncode == 0, checked.stderr
