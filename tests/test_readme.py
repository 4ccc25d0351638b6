"""Every concrete `planner` command the README gives runs as written, in a folder holding the sample."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]{2,}\b|\[|\.\.\.")  # WORKBOOK, PLAN.xlsx, [--seed N], ...: a synopsis line
FAST = ["--time-limit", "5", "--plan-only"]  # a plan's figures are not what this test checks: only that it runs


def readme_commands() -> list[str]:
    """The README's concrete planner commands: inline `planner ...` spans and shell lines, synopsis lines left out."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    inline = [" ".join(m.split()) for m in re.findall(r"`(planner [^`]+)`", text)]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    found = [c for c in (*inline, *lines) if c.startswith("planner ") and not PLACEHOLDER.search(re.sub(r'"[^"]*"', "", c))]
    needs_input = ("plan", "validate", "replay", "sweep")
    return list(dict.fromkeys(c for c in found if len(c.split()) > 2 or c.split()[1] not in needs_input))


def test_the_readme_names_its_example_commands() -> None:
    """The extraction finds the README's examples (a test that found none would pass without checking anything)."""
    commands = readme_commands()
    assert any("rvtools_v4.xlsx" in c for c in commands) and any("cmdb.csv" in c for c in commands)
    assert any(c.startswith("planner profiles ") for c in commands)


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    """Each command exits 0 in a folder holding sample_data/ (plans with a short limit and no business case)."""
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    for command in readme_commands():
        args = shlex.split(command)[1:]
        if args[0] == "dashboard" or "--scheduler" in args:
            continue  # a server that keeps running, or a cluster that is not there: covered by their own tests
        if args[0] in ("plan", "sweep"):
            args += FAST if args[0] == "plan" else ["--time-limit", "2"]
        run = subprocess.run(
            [sys.executable, "-m", "planner.cli", *args], cwd=tmp_path, capture_output=True, text=True, timeout=600
        )
        assert run.returncode == 0, f"{command}\n{run.stderr[-2000:]}"
