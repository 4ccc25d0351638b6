"""Operating-system lifecycle: which OSes an inventory's VMs run that may never become containers.

The rules come from `models/reference/legacy_os.toml` (each a pattern with its reason and source),
loaded by `planner.profiles.loading.load_legacy_os`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from planner.profiles.overheads import ProfileError


@dataclass(frozen=True)
class LegacyOs:
    """One rule: OS texts matching `pattern` (ignoring case) never become containers, for `reason`."""

    pattern: str
    reason: str
    source: str

    def matches(self, os_text: str) -> bool:
        """True when the OS text an inventory reports falls under this rule."""
        return re.search(self.pattern, os_text, re.IGNORECASE) is not None


def parse_legacy_os(data: dict[str, object], where: str) -> tuple[LegacyOs, ...]:
    """The rules of a lifecycle file, checked: a ProfileError names the file and the entry."""
    entries = data.get("os")
    if not isinstance(entries, list) or not entries:
        raise ProfileError(f"{where}: needs one or more [[os]] entries")
    rules = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != {"pattern", "reason", "source"}:
            raise ProfileError(f"{where}: [[os]] entry {n} needs exactly pattern, reason and source")
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in entry):
            raise ProfileError(f"{where}: [[os]] entry {n}: pattern, reason and source must be text")
        try:
            re.compile(entry["pattern"])
        except re.error as exc:
            raise ProfileError(f"{where}: [[os]] entry {n}: pattern is not a regular expression: {exc}") from exc
        rules.append(LegacyOs(entry["pattern"], entry["reason"], entry["source"]))
    return tuple(rules)


def legacy_reason(os_text: str, rules: Sequence[LegacyOs]) -> str | None:
    """Why a VM with this OS never becomes a container, or None when it may."""
    return next((rule.reason for rule in rules if rule.matches(os_text)), None)
