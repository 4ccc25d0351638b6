"""The dashboard's page logic through Streamlit's AppTest: the real script, solver and files."""

from __future__ import annotations

import re
import time

import pytest
from conftest import GOOD_SERVERS, REPO, WORKLOAD_HEADER, write_book
from streamlit.testing.v1 import AppTest

from planner.sweeps.grid import SOLVED

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def start(time_limit: int = 5, business_case: bool = False) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.session_state["time_limit"] = time_limit
    at.session_state["business_case"] = business_case
    at.run()
    return at


def wait_for_plan(at: AppTest, timeout: float = 120) -> AppTest:
    """Rerun the page until the background solve has finished and its plan is shown."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = at.session_state["job"] if "job" in at.session_state else None  # noqa: SIM401 (no .get on AppTest state)
        if job is not None and not job.running:
            at.run()
            if "collected" in at.session_state and at.session_state["collected"] is job:
                return at
        time.sleep(0.5)
        at.run()
    raise AssertionError("the plan did not appear in time")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def downloads(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def test_sample_is_planned_on_open() -> None:
    """The sample is planned on open: verdict, figures in words and currency, tables without raw keys, downloads."""
    at = wait_for_plan(start())
    assert not at.exception
    m = metrics(at)
    assert int(m["Servers"]) > 0 and m["Unplaced"] == "0" and "%" in m["Against a like-for-like refresh"]
    assert m["Buying the plan's servers"].endswith(" USD") and "," in m["Buying the plan's servers"]
    assert any("servers today" in s.value for s in at.success)  # the verdict in a sentence
    wanted = {"Download plan workbook", "Download placements (CSV)", "Download summary (JSON)", "Download report (HTML)"}
    assert wanted <= set(downloads(at))
    assert any("Solver:" in md.value for md in at.markdown)
    raw_key = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
    for frame in (*at.tabs[0].dataframe, *at.tabs[1].dataframe):  # the plan and the business case (editors hold input)
        assert not [c for c in frame.value.columns if raw_key.match(str(c))], list(frame.value.columns)


def test_invalid_upload_shows_every_problem_and_a_marked_copy(tmp_path: object) -> None:
    at = wait_for_plan(start())
    bad = write_book(
        tmp_path / "bad.xlsx",
        {  # type: ignore[operator]
            "Workloads": [
                WORKLOAD_HEADER,
                ["a", "two", 1, 0, "linux", "any", "shared", 1, None, None, None],
                ["b", 1, -1, 0, "plan9", "any", "shared", 1, None, None, None],
            ],
            "Servers": GOOD_SERVERS,
        },
    )
    at.sidebar.file_uploader[0].upload("bad.xlsx", bad.read_bytes(), XLSX).run()
    assert not at.exception
    assert any("3 problem(s)" in e.value for e in at.error)
    table = at.dataframe[0].value
    assert list(table["row"]) == [2, 3, 3] and list(table["column"]) == ["cpu_cores", "memory_gb", "os"]
    assert "Download your workbook with the problems marked" in downloads(at)
    edited = at.session_state["workloads_frame"]  # the editor holds the bad cell as text: editable, so fixable in place
    assert list(edited["cpu_cores"]) == ["two", "1"]


def test_csv_upload_uses_the_bundled_catalog_and_plans(tmp_path: object) -> None:
    """A CSV of workloads without a catalog plans on the bundled current-generation catalog, and says so."""
    at = wait_for_plan(start())
    first = at.session_state["collected"]
    at.sidebar.file_uploader[0].upload("w.csv", b"name,cpu_cores,memory_gb\nweb,2,4\napi,1,2\n", "text/csv").run()
    deadline = time.monotonic() + 60
    while at.session_state["collected"] is first and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.exception
    assert metrics(at)["Servers"] == "1"
    assert any("bundled current-generation catalog" in i.value for i in at.sidebar.info)


def test_changing_a_constraint_and_solving_shows_what_changed() -> None:
    at = wait_for_plan(start())
    before = at.session_state["collected"]
    forms = next(r for r in at.sidebar.radio if r.label == "Forms")
    forms.set_value("vm_only").run()
    assert any("Constraints changed" in i.value for i in at.info)
    next(b for b in at.sidebar.button if b.label == "Solve").click().run()
    deadline = time.monotonic() + 60
    while at.session_state["collected"] is before and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.exception
    m = metrics(at)
    assert m["VMs / containers"].endswith("/ 0")
    assert "Replicas moved" in m and int(m["Replicas moved"]) > 0
    said = [md.value for md in at.markdown if md.value.startswith("**What changed:**")]
    assert said == ["**What changed:** forms: auto -> vm_only"]  # the setting by name, not a dict dump
    captions = [c.value for c in at.caption if c.value.startswith("Servers before:")]
    assert captions and "{" not in captions[0] and " x " in captions[0]


def test_second_solve_does_not_start_while_one_runs() -> None:
    at = start(time_limit=60)
    job = at.session_state["job"]
    assert job.running
    solve = next(b for b in at.sidebar.button if b.label == "Solve")
    assert solve.disabled
    assert at.session_state["job"] is job  # the rerun did not start another solve
    job.stop()
    assert job.wait(30) and job.study is not None


@pytest.mark.slow
def test_upload_over_the_size_cap_is_refused() -> None:
    at = wait_for_plan(start())
    at.sidebar.file_uploader[0].upload("huge.xlsx", b"0" * (21 * 1024 * 1024), XLSX).run()
    assert any("the limit is 20 MB" in str(row) for row in at.dataframe[0].value["problem"])


def _wait_for_new_plan(at: AppTest, first: object) -> AppTest:
    deadline = time.monotonic() + 90
    while at.session_state["collected"] is first and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    return at


def test_rvtools_upload_is_converted_and_planned(tmp_path: object) -> None:
    import sys

    sys.path.insert(0, str(REPO / "sample_data"))
    from make_rvtools import write_v4

    data = write_v4(tmp_path / "rv.xlsx").read_bytes()  # type: ignore[operator]
    at = wait_for_plan(start())
    first = at.session_state["collected"]
    at.sidebar.file_uploader[0].upload("RVTools_export.xlsx", data, XLSX).run()
    at = _wait_for_new_plan(at, first)
    assert not at.exception
    notes = " ".join(i.value for i in at.sidebar.info)
    assert "imported from RVTools" in notes and "templates skipped" in notes and "like-for-like" in notes
    assert int(metrics(at)["Servers"]) >= 1


def test_a_foreign_csv_is_mapped_in_the_page_and_planned() -> None:
    at = wait_for_plan(start())
    first = at.session_state["collected"]
    csv_bytes = b"Host Name;vCPU;RAM (MB)\nsrv1;2;8000\nsrv2;4;16000\n"
    at.sidebar.file_uploader[0].upload("cmdb.csv", csv_bytes, "text/csv").run()
    assert any("map its columns" in w.value for w in at.sidebar.warning)
    at.sidebar.selectbox(key="map_name").select("Host Name")
    at.sidebar.selectbox(key="map_cpu_cores").select("vCPU")
    at.sidebar.selectbox(key="map_memory").select("RAM (MB)")
    at.sidebar.selectbox(key="unit_memory").select("mb")
    submit = next(b for b in at.sidebar.button if "mapping" in b.label)
    submit.click().run()
    at = _wait_for_new_plan(at, first)
    assert not at.exception
    assert any("mapped CSV" in i.value for i in at.sidebar.info)
    assert metrics(at)["Servers"] == "1"


def test_powered_off_vms_can_be_included_from_the_page(tmp_path: object) -> None:
    import sys

    sys.path.insert(0, str(REPO / "sample_data"))
    from make_rvtools import write_v3

    data = write_v3(tmp_path / "rv.xlsx").read_bytes()  # type: ignore[operator]
    at = wait_for_plan(start())
    at.sidebar.file_uploader[0].upload("rv.xlsx", data, XLSX).run()
    before = len(at.session_state["rows"]["workloads"])
    at.sidebar.checkbox(key="powered_off").check().run()
    notes = " ".join(i.value for i in at.sidebar.info)
    assert "included (include_powered_off=yes)" in notes
    assert len(at.session_state["rows"]["workloads"]) > before
    assert not at.exception


def test_business_case_tab_shows_strategies_tco_growth_and_resilience() -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.session_state["time_limit"] = 10  # a first plan shows within seconds, while the search and the business case run
    at.session_state["ha_failures"] = 1
    at.session_state["years"] = 2
    at.run()
    early_shown = False  # the checked plan is on the page while its business case is still being built
    deadline = time.monotonic() + 240
    while at.session_state["job"].running and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
        shown = at.session_state["study"] if "study" in at.session_state else None  # noqa: SIM401 (no .get on AppTest state)
        if shown is not None and shown.case is None and at.session_state["job"].running:
            early_shown = True
            assert any("Solver:" in md.value for md in at.markdown)  # the plan tab shows it already
    at = wait_for_plan(at, timeout=240)
    assert early_shown
    assert not at.exception
    study = at.session_state["study"]
    assert study.case is not None and study.resilience is not None and study.resilience.survived
    assert any(s.value.startswith("Cheapest:") for s in at.success)
    m = metrics(at)
    assert ("Saving" in m or "Costs more than today" in m) and "Payback" in m and m["Today"].endswith(" USD")
    headers = [h.value for h in at.subheader]
    assert {"Strategies", "Total cost of ownership", "Growth", "Resilience"} <= set(headers)


def test_scenarios_page_runs_a_sweep_and_compares_two_scenarios() -> None:
    """Two scenarios swept from the page, both solved, compared side by side, and both downloads offered."""
    at = wait_for_plan(start())
    assert at.multiselect(key="sweep_models").value[0] == "all"  # a first grid drawn from the estate's catalog
    at.multiselect(key="sweep_models").set_value(["all"])
    at.multiselect(key="sweep_ceilings").set_value([80])  # the form: no YAML needed
    at.multiselect(key="sweep_failures").set_value([0, 1]).run()
    next(n for n in at.number_input if n.key == "sweep_limit").set_value(1.0)
    next(n for n in at.number_input if n.key == "sweep_workers").set_value(2)
    next(b for b in at.button if b.key == "run_sweep").click().run()
    job = at.session_state["sweep_job"]
    assert job.wait(300) and job.error is None
    at.run()
    table = [r for r in job.rows() if r["status"] in SOLVED]  # cut short counts too: a checked plan
    assert len(table) == 2
    at.selectbox(key="diff_b").set_value("S002").run()
    diff = next(d.value for d in at.dataframe if "Differs" in d.value.columns)
    assert list(diff.columns) == ["Item", "A: S001", "B: S002", "Differs"]
    differs = dict(zip(diff["Item"], diff["Differs"], strict=True))
    assert differs["Servers that may fail"] == "yes" and differs["Servers"] in ("yes", "")
    assert {"Download sweep.xlsx", "Download best-plan.xlsx"} <= set(downloads(at))


def test_scenarios_page_reports_a_bad_grid() -> None:
    at = start()
    at.toggle(key="sweep_yaml").set_value(True).run()  # a grid written as YAML is checked like the form's
    next(t for t in at.text_area if t.key == "sweep_grid").set_value("hypervisor: [type9]\n")
    next(b for b in at.button if b.key == "run_sweep").click().run()
    assert any("type9" in e.value for e in at.error)
    assert "sweep_job" not in at.session_state
    job = at.session_state["job"]  # the plan solve started on open: end it before the next test
    job.stop()
    assert job.wait(60)


def test_an_inventory_is_sized_by_the_sizing_controls(tmp_path: object) -> None:
    """An RVTools upload is planned lift and shift and N+1 by default; the vCPU ratio control re-sizes it."""
    import sys

    sys.path.insert(0, str(REPO / "sample_data"))
    from make_rvtools import write_v4

    at = wait_for_plan(start())
    first = at.session_state["collected"]
    at.sidebar.file_uploader[0].upload("RVTools_export.xlsx", write_v4(tmp_path / "rv.xlsx").read_bytes(), XLSX).run()  # type: ignore[operator]
    at = _wait_for_new_plan(at, first)
    assert not at.exception
    assert at.sidebar.number_input(key="ha_failures").value == 1  # existing VMs: N+1 by default
    assert at.sidebar.number_input(key="vcpu_per_core").value == 4.0
    assert at.sidebar.radio(key="containerize").value == "none"
    study = at.session_state["study"]
    assert {p.form for p in study.result.plan.placements} == {"vm"}  # lift and shift
    assert study.estate.settings.vcpu_per_core == 4.0
    before = at.session_state["collected"]
    at.sidebar.number_input(key="vcpu_per_core").set_value(1.0).run()
    next(b for b in at.sidebar.button if b.label == "Solve").click().run()
    at = _wait_for_new_plan(at, before)
    resized = at.session_state["study"]
    assert resized.estate.settings.vcpu_per_core == 1.0
    cores = {w.name: w.cpu_cores for w in study.estate.workloads}
    assert all(w.cpu_cores == pytest.approx(4 * cores[w.name]) for w in resized.estate.workloads if w.vcpus)


def test_solving_unchanged_input_again_reuses_the_plan() -> None:
    """Solve pressed again with nothing changed: the same plan, said so, no new solve and no 'changes'."""
    at = wait_for_plan(start())
    study, job = at.session_state["study"], at.session_state["job"]
    next(b for b in at.sidebar.button if b.label == "Solve").click().run()
    assert at.session_state["job"] is job and at.session_state["study"] is study
    assert any("Nothing changed since the last solve" in i.value for i in at.info)


def test_an_unreadable_upload_keeps_its_own_error_after_any_click() -> None:
    """'not an Excel workbook' names the user's file and stays the only problem after Solve, never 'required column'."""
    at = wait_for_plan(start())
    at.sidebar.file_uploader[0].upload("estate.xlsx", b"hello, not a workbook", XLSX).run()
    first = [str(p) for p in at.session_state["problems"]]
    assert first and all("estate.xlsx" in p and "input.xlsx" not in p for p in first), first
    next(b for b in at.sidebar.button if b.label == "Solve").click().run()
    after = [str(p) for p in at.session_state["problems"]]
    assert after == first and not any("required column" in p for p in after)


def test_a_stopped_solve_says_the_business_case_was_not_built() -> None:
    """Business case ticked, solve stopped before it: the tab says so and how to finish, not 'tick Business case'."""
    at = start(time_limit=60, business_case=True)
    job = at.session_state["job"]
    job.stop()
    assert job.wait(60)
    at = wait_for_plan(at)
    texts = [i.value for i in at.info]
    assert any("stopped before the business case" in t for t in texts), texts
    assert not any("Tick 'Business case'" in t for t in texts)
