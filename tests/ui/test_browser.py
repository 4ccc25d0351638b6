"""The dashboard in a real headless Chromium: upload a workbook, solve, check the headline
figures on the page, download the plan and check the downloaded workbook."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import REPO, browser_page, chromium_path, open_tab, running_app, screenshot, wait_for_text
from conftest import GOOD_SERVERS, GOOD_WORKLOADS, write_book
from openpyxl import load_workbook

from planner.checker import check_plan
from planner.io.planfile import read_plan
from planner.io.reader import read_estate
from planner.study.pipeline import load_overhead

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI: make test must install it")
        pytest.skip("chromium not installed (run make test)")
    with running_app() as url:
        yield url


RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # a snake_case key such as servers_by_model or cpu_demand_x
BARE_MONEY = re.compile(r"(?<![\d.,])\d{4,}(?:\.\d+)?(?![\d,])")  # 12345 or 2207015.1: a sum without separators


def _main_text(page: object) -> str:
    """What the page's main area (the tabs, not the sidebar's settings) says."""
    return str(page.locator("[data-testid=stMain]").inner_text())  # type: ignore[attr-defined]


def test_upload_solve_check_and_download(app_url: str, tmp_path: Path) -> None:
    """Upload -> solve -> the verdict and figures in words -> download: the workbook opens on its Summary."""
    # web (2 replicas, anti-affinity), a strict Linux DB and a Windows app: the replica spread
    # needs 2 servers, and 2 x M1 (10,000 each) is the cheapest plan.
    book = write_book(
        tmp_path / "estate.xlsx",
        {"Workloads": GOOD_WORKLOADS, "Servers": GOOD_SERVERS, "Settings": [["setting", "value"], ["time_limit_s", 10]]},
    )
    with browser_page() as page:
        page.goto(app_url)
        page.locator("input[type=file]").first.set_input_files(str(book))
        wait_for_text(page, "Servers by model: 2 x M1", shot=tmp_path / "failure.png")
        body = page.inner_text("body")
        assert "20,000 USD" in body and "estate.xlsx" in body and "servers today, 2 in the plan" in body
        shown = _main_text(page)
        open_tab(page, "Business case")
        wait_for_text(page, "Today and the plan, priced alike")
        shown += _main_text(page)
        years = {str(y) for y in range(2000, 2100)}
        assert not RAW_KEY.findall(shown), RAW_KEY.findall(shown)
        assert not [n for n in BARE_MONEY.findall(shown) if n not in years], BARE_MONEY.findall(shown)
        open_tab(page, "Plan")
        metric = page.locator("[data-testid=stMetric]").filter(has_text="Servers").first.inner_text()
        assert "\n2\n" in f"\n{metric}\n"
        with page.expect_download() as download:
            page.get_by_role("button", name="Download plan workbook").click()
        saved = tmp_path / "plan.xlsx"
        download.value.save_as(saved)
    written = load_workbook(saved, read_only=True)
    assert written.sheetnames[0] == "Summary" and {"Placements", "Servers", "Unplaced", "Assumptions"} <= set(written.sheetnames)
    summary = [str(c) for row in written["Summary"].iter_rows(values_only=True) for c in row if c is not None]
    assert "Verdict" in summary and "20,000 USD" in summary
    estate = read_estate(book)
    plan = read_plan(saved)
    assert check_plan(estate, load_overhead(estate), plan) == []
    assert len(plan.placements) == 4 and len(plan.servers) == 2


def test_screenshot_of_the_sample_plan(app_url: str, tmp_path: Path) -> None:
    """The README screenshot's tooling; UPDATE_SCREENSHOT=1 writes docs/dashboard.png."""
    target = REPO / "docs" / "dashboard.png" if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "dashboard.png"
    path = screenshot(target, app_url, wait_for_text="Servers by model")
    assert path.stat().st_size > 10_000


def test_scenarios_tab_runs_a_sweep_in_the_browser(app_url: str, tmp_path: Path) -> None:
    """Upload, then a two-by-two sweep from the Scenarios tab: four scenarios in the table and in sweep.xlsx."""
    book = write_book(
        tmp_path / "estate.xlsx",
        {"Workloads": GOOD_WORKLOADS, "Servers": GOOD_SERVERS, "Settings": [["setting", "value"], ["time_limit_s", 5]]},
    )
    with browser_page() as page:
        page.goto(app_url)
        page.locator("input[type=file]").first.set_input_files(str(book))
        wait_for_text(page, "Servers by model: 2 x M1", shot=tmp_path / "failure.png")
        open_tab(page, "Scenarios")
        page.get_by_text("Write the grid as YAML instead").click()  # the form is the default; YAML is still accepted
        grid = page.get_by_label("Grid (YAML)")
        grid.fill("server_model: [all, M2]\nha_failures: [0, 1]\n")
        grid.press("Control+Enter")
        seconds = page.get_by_label("Seconds per scenario")
        seconds.fill("1")
        seconds.press("Enter")
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Run sweep").click()
        wait_for_text(page, "Compare two scenarios", shot=tmp_path / "failure.png")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download sweep.xlsx").click()
        saved = tmp_path / "sweep.xlsx"
        download.value.save_as(saved)
    rows = list(load_workbook(saved, read_only=True)["Scenarios"].iter_rows(values_only=True))
    header = list(rows[0])
    assert [r[header.index("server_model")] for r in rows[1:]] == ["all", "all", "M2", "M2"]
    assert all(r[header.index("status")] in ("optimal", "feasible", "cut_short") for r in rows[1:])


def test_history_upload_packs_by_time_and_shows_the_replay(app_url: str, tmp_path: Path) -> None:
    """Upload the sample's week of history beside the sample estate, size by percentile, pack by time:
    the page shows the replay's verdict and a server's load over the week."""
    with browser_page() as page:
        page.goto(app_url)
        wait_for_text(page, "Servers by model")
        page.get_by_text("Utilization history and sizing").click()
        page.locator("input[type=file]").nth(1).set_input_files(str(REPO / "sample_data" / "usage.csv"))
        wait_for_text(page, "History: usage.csv", timeout_ms=120_000)
        page.get_by_text("Percentile of the utilization history").click()
        page.get_by_text("By time: peaks that do not coincide share headroom").click()
        page.get_by_role("button", name="Solve", exact=True).click()
        wait_for_text(page, "Replayed on usage.csv: the plan would have held for", shot=tmp_path / "failure.png")
        assert "Replay on the history" in page.inner_text("body")
        chart = page.locator(".js-plotly-plot").filter(has_text="over usage.csv")  # the load chart, by its title
        chart.first.wait_for(timeout=30_000)
        assert chart.count() == 1
