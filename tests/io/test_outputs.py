"""Outputs never half-written: a write that dies leaves the previous file intact; destinations checked first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.input_errors import InputError
from planner.io.outputs import atomic_path, check_destination, write_atomically


def test_a_failed_write_leaves_the_previous_file_and_no_temporary() -> None:
    """An error midway through writing: the destination keeps its old content, and the temporary file is gone."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"planner-out-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    target = folder / "plan.xlsx"
    target.write_bytes(b"previous plan")

    def half(path: Path) -> None:
        path.write_bytes(b"half of a new")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half)
    assert target.read_bytes() == b"previous plan"
    assert [p.name for p in folder.iterdir()] == ["plan.xlsx"]
    write_atomically(target, lambda p: p.write_bytes(b"new plan"))
    assert target.read_bytes() == b"new plan"


def test_a_process_killed_while_writing_leaves_the_previous_file(tmp_path: Path) -> None:
    """A writer process that dies mid-write (os._exit, as a kill -9 would) never touches the destination."""
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"previous plan")
    code = (
        "import os, sys\n"
        "from planner.io.outputs import atomic_path\n"
        f"with atomic_path({str(target)!r}) as temp:\n"
        "    temp.write_bytes(b'half')\n"
        "    os._exit(9)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False)
    assert done.returncode == 9
    assert target.read_bytes() == b"previous plan"


def test_a_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    """The temporary file's private mode is not carried onto the plan: it gets what the umask gives a new file."""
    with atomic_path(tmp_path / "p.json") as temp:
        temp.write_text("{}")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "p.json").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing/plan.xlsx", "does not exist"),
        ("plan.csv", "give a name ending in .xlsx"),
        ("plan", "give a name ending in .xlsx"),
    ],
)
def test_destinations_are_checked_before_any_work(tmp_path: Path, name: str, message: str) -> None:
    """A missing folder or a wrong extension is an input error naming the option."""
    with pytest.raises(InputError, match=message) as info:
        check_destination(tmp_path / name, (".xlsx",), "--out")
    assert info.value.problems[0].sheet == "--out"
    assert check_destination(tmp_path / "plan.XLSX", (".xlsx",), "--out") == tmp_path / "plan.XLSX"
