"""Outputs that are never half-written, to destinations checked before any work.

Every file is written to a temporary file beside its destination, flushed to disk, and renamed
over it in one step (`os.replace`): a run killed mid-write leaves the previous file intact, and
two runs writing one destination leave one complete file (the last to finish). A destination is
checked before the solve starts (`check_destination`): its folder must exist and be writable, its
extension must be the format written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.input_errors import InputError, InputProblem


def check_destination(path: str | Path, suffixes: tuple[str, ...], option: str) -> Path:
    """A destination that can be written in one of `suffixes`, or an InputError naming the option and why."""
    target = Path(path)
    problem = None
    if target.suffix.lower() not in suffixes:
        formats = " or ".join(suffixes)
        problem = f"{target.name!r} would be written as {formats}: give a name ending in {formats}"
    elif target.is_dir():
        problem = f"{target} is a folder: give a file name ending in {suffixes[0]}"
    elif not target.parent.is_dir():
        problem = f"folder {target.parent} does not exist"
    elif not os.access(target.parent, os.W_OK):
        problem = f"folder {target.parent} is not writable"
    elif target.exists() and not os.access(target, os.W_OK):
        problem = f"{target} exists and is not writable"
    if problem:
        raise InputError([InputProblem(option, None, None, problem)])
    return target


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; on success it replaces `path` in one step, else it is removed."""
    target = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        yield Path(temp)
        with open(temp, "rb+") as done:  # flushed to disk before the rename makes it visible
            os.fsync(done.fileno())
        os.chmod(temp, _mode(target))
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _umask() -> int:
    mask = os.umask(0)  # reading the umask sets it: done once, at import, before any thread writes a file
    os.umask(mask)
    return mask


UMASK = _umask()


def _mode(target: Path) -> int:
    """The permissions the file gets: those of the file it replaces, else what the umask gives a new file."""
    return target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~UMASK


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call `write(temporary path)` and move the finished file to `path` in one step."""
    with atomic_path(path) as temp:
        write(temp)
    return Path(path)
