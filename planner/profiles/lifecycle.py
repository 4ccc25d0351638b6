"""Operating-system lifecycle: which OSes an inventory's VMs run that may never become containers.

The rules come from `models/reference/legacy_os.toml` (each a pattern with its reason and source),
loaded by `planner.profiles.loading.load_legacy_os`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from planner.profiles.overheads import ProfileError
from planner.profiles.tables import check_pattern, entries


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
    rules = []
    for n, entry in entries(data, "os", ("pattern", "reason", "source"), where):
        texts = [entry[k] for k in ("pattern", "reason", "source")]
        if not all(isinstance(t, str) and t.strip() for t in texts):
            raise ProfileError(f"{where}: [[os]] entry {n}: pattern, reason and source must be text")
        pattern, reason, source = (str(t) for t in texts)
        check_pattern(pattern, f"{where}: [[os]] entry {n}")
        rules.append(LegacyOs(pattern, reason, source))
    return tuple(rules)


def legacy_reason(os_text: str, rules: Sequence[LegacyOs]) -> str | None:
    """Why a VM with this OS never becomes a container, or None when it may."""
    return next((rule.reason for rule in rules if rule.matches(os_text)), None)
