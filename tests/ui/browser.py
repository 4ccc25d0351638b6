"""Browser tooling for the dashboard: start the real app on a free localhost port and drive
Debian's Chromium through Playwright (never a downloaded browser build)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_app(port: int | None = None, timeout_s: float = 90) -> Iterator[str]:
    """Run `streamlit run app.py` on loopback; yield its URL; stop it afterwards."""
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    # the server's output goes to a file: a pipe nobody reads fills up and blocks the server mid-test
    log = tempfile.NamedTemporaryFile(prefix="planner-app-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = Path(log.name).read_text(errors="replace")
                raise RuntimeError(f"the dashboard did not start:\n{output}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        Path(log.name).unlink(missing_ok=True)


@contextlib.contextmanager
def browser_page(width: int = 1440, height: int = 1000) -> Iterator[object]:
    """A Playwright page in headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Debian's chromium is not installed (make test installs it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
            yield context.new_page()
        finally:
            browser.close()


def wait_for_text(page: Any, text: str, timeout_ms: int = 180_000, shot: Path | None = None) -> None:
    """Wait until the page shows `text`; on timeout fail with what the page says instead (and a screenshot)."""
    try:
        page.get_by_text(text).first.wait_for(timeout=timeout_ms)
    except Exception:
        if shot is not None:
            page.screenshot(path=str(shot))
        raise AssertionError(f"{text!r} not shown; the page says:\n{page.inner_text('body')[:3000]}") from None


def open_tab(page: Any, name: str, timeout_ms: int = 120_000) -> None:
    """Click the tab called `name` once the page shows it once (a rerun briefly shows the tabs twice)."""
    tab = page.get_by_role("tab", name=name)
    for _ in range(timeout_ms // 250):
        if tab.count() == 1:
            try:
                tab.click(timeout=5_000)
                return
            except Exception:  # the rerun replaced the tab between the count and the click: look again
                pass
        page.wait_for_timeout(250)
    raise AssertionError(f"tab {name!r} not shown once; the page says:\n{page.inner_text('body')[:3000]}")


def screenshot(path: Path, url: str, wait_for_text: str = "Solver:") -> Path:
    """Open the dashboard, wait until the plan is shown, and save a full-page screenshot."""
    with browser_page() as page:
        page.goto(url)  # type: ignore[attr-defined]
        page.get_by_text(wait_for_text).first.wait_for(timeout=180_000)  # type: ignore[attr-defined]
        page.wait_for_timeout(1500)  # type: ignore[attr-defined]  # let charts finish drawing
        page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path


if __name__ == "__main__":  # python tests/ui/browser.py docs/dashboard.png
    target = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "docs" / "dashboard.png")
    with running_app() as app_url:
        print(screenshot(target, app_url))
