"""The `[[table]]` entries of a reference file (OS lifecycle, CPU generations, server catalog), checked alike:
each file names its entries the same way, and a ProfileError names the file, the table and the entry."""

from __future__ import annotations

import re
from collections.abc import Collection

from planner.profiles.overheads import ProfileError


def entries(data: dict[str, object], table: str, keys: Collection[str], where: str) -> list[tuple[int, dict[str, object]]]:
    """The numbered entries of `[[table]]`, each holding exactly `keys`; one or more of them."""
    items = data.get(table)
    if not isinstance(items, list) or not items:
        raise ProfileError(f"{where}: needs one or more [[{table}]] entries")
    for n, entry in enumerate(items, start=1):
        if not isinstance(entry, dict) or set(entry) != set(keys):
            raise ProfileError(f"{where}: [[{table}]] entry {n} needs exactly {', '.join(sorted(keys))}")
    return list(enumerate(items, start=1))


def check_pattern(pattern: str, where: str) -> None:
    """A ProfileError when a pattern is not a regular expression."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ProfileError(f"{where}: pattern {pattern!r} is not valid (as a regular expression: {exc})") from exc
