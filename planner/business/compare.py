"""What changed between two plans: servers, CAPEX and the replicas that moved.

Server ids are renumbered on every solve, so servers are matched across the two plans
by the replicas they share (largest overlap first); a replica moved when its new server
is not the match of its old one, or when its form changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields

from planner.plan import Plan
from planner.study.pipeline import Study

Key = tuple[str, int]


@dataclass(frozen=True)
class PlanChange:
    """The difference between a previous plan and the current one."""

    servers_before: int
    servers_after: int
    capex_before: float
    capex_after: float
    models_before: dict[str, int]
    models_after: dict[str, int]
    moved: list[dict[str, object]]

    @property
    def capex_delta(self) -> float:
        """CAPEX after minus before."""
        return self.capex_after - self.capex_before


def _contents(plan: Plan) -> dict[str, set[Key]]:
    out: dict[str, set[Key]] = {s.server_id: set() for s in plan.servers}
    for p in plan.placements:
        out.setdefault(p.server_id, set()).add((p.workload, p.replica))
    return out


def match_servers(before: Plan, after: Plan) -> dict[str, str]:
    """Old server id -> new server id, pairing servers that share the most replicas."""
    old, new = _contents(before), _contents(after)
    where_new = {k: sid for sid, keys in new.items() for k in keys}
    overlaps: Counter[tuple[str, str]] = Counter()
    for sid, keys in old.items():
        for k in keys:
            if k in where_new:
                overlaps[sid, where_new[k]] += 1
    matched: dict[str, str] = {}
    taken: set[str] = set()
    for (o, n), _ in sorted(overlaps.items(), key=lambda kv: (-kv[1], kv[0])):
        if o not in matched and n not in taken:
            matched[o] = n
            taken.add(n)
    return matched


def compare_studies(before: Study, after: Study) -> PlanChange:
    """Servers, CAPEX and moved replicas between two studies of the same estate."""
    b, a = before.result.plan, after.result.plan
    match = match_servers(b, a)
    old = {(p.workload, p.replica): p for p in b.placements}
    new = {(p.workload, p.replica): p for p in a.placements}
    models_b = {s.server_id: s.model for s in b.servers}
    models_a = {s.server_id: s.model for s in a.servers}
    moved: list[dict[str, object]] = []
    for key in sorted(set(old) | set(new)):
        o, n = old.get(key), new.get(key)
        if o and n and match.get(o.server_id) == n.server_id and o.form == n.form:
            continue
        if o and n:
            what = "form changed" if match.get(o.server_id) == n.server_id else "moved to another server"
        else:
            what = "newly placed" if n else "now unplaced"
        moved.append(
            {
                "workload": key[0],
                "replica": key[1],
                "change": what,
                "before": f"{models_b[o.server_id]} as {o.form}" if o else "unplaced",
                "after": f"{models_a[n.server_id]} as {n.form}" if n else "unplaced",
            }
        )
    return PlanChange(
        servers_before=len(b.servers) + len(b.spares),  # spares are bought and priced: counted as the Plan tab does
        servers_after=len(a.servers) + len(a.spares),
        capex_before=before.result.capex,
        capex_after=after.result.capex,
        models_before=dict(Counter(s.model for s in (*b.servers, *b.spares))),
        models_after=dict(Counter(s.model for s in (*a.servers, *a.spares))),
        moved=moved,
    )


def model_counts(counts: dict[str, int]) -> str:
    """Servers by model in words: '23 x 2U-64c-512G, 3 x 1U-32c-256G' (most first); 'none' when empty."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{n} x {model}" for model, n in ranked) or "none"


def what_changed(before: Study, after: Study) -> list[str]:
    """The inputs that differ between two studies, in words: each setting with its two values, then how
    many workloads and server models were added, removed or edited."""
    said = []
    b, a = before.estate.settings, after.estate.settings
    for f in fields(b):
        old, new = getattr(b, f.name), getattr(a, f.name)
        if old != new:
            said.append(f"{f.name.replace('_', ' ')}: {_shown(old)} -> {_shown(new)}")
    for what, old_items, new_items in (
        ("workloads", before.estate.workloads_by_name, after.estate.workloads_by_name),
        ("server models", before.estate.server_models_by_name, after.estate.server_models_by_name),
    ):
        added = len(new_items.keys() - old_items.keys())
        removed = len(old_items.keys() - new_items.keys())
        edited = sum(1 for k in old_items.keys() & new_items.keys() if old_items[k] != new_items[k])
        parts = [f"{n} {verb}" for n, verb in ((added, "added"), (removed, "removed"), (edited, "edited")) if n]
        if parts:
            said.append(f"{what}: {', '.join(parts)}")
    return said


def _shown(value: object) -> str:
    """A setting's value as a planner reads it."""
    if value is None:
        return "(default)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    return f"{value:g}" if isinstance(value, float) else str(value)
