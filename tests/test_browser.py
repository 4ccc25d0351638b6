"""The dashboard in a real headless Chromium: it starts, plans the sample and offers the plan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import browser_page, chromium_path, running_app
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_url() -> str:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI: make test must install it")
        pytest.skip("chromium not installed (run make test)")
    with running_app() as url:
        yield url


def test_dashboard_plans_sample_and_downloads_plan(app_url: str, tmp_path: Path) -> None:
    with browser_page() as page:
        page.goto(app_url)
        page.get_by_text("Solver:").first.wait_for(timeout=180_000)
        body = page.inner_text("body")
        assert "Servers" in body and "CAPEX" in body and "Savings" in body
        with page.expect_download() as download:
            page.get_by_role("button", name="Download plan workbook").click()
        path = tmp_path / "plan.xlsx"
        download.value.save_as(path)
    book = load_workbook(path, read_only=True)
    assert {"Summary", "Placements", "Servers", "Unplaced", "Assumptions"} <= set(book.sheetnames)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["servers"] > 0 and summary["savings"] > 0
