"""Results: how a run ended (SolveStatus), said in words, and combined over sites."""

from __future__ import annotations

import json

import pytest

from planner.plan import SolveStatus, combined_status

OPT, FEAS, STOP, INF, NONE = (
    SolveStatus.OPTIMAL,
    SolveStatus.FEASIBLE,
    SolveStatus.STOPPED,
    SolveStatus.INFEASIBLE,
    SolveStatus.NO_SOLUTION,
)


@pytest.mark.parametrize(
    ("parts", "merged"),
    [
        ([OPT, OPT], OPT),  # every site proven
        ([OPT, FEAS], FEAS),  # one site out of time: the whole is not proven
        ([OPT, STOP, FEAS], STOP),  # one site stopped by the user: the whole was stopped
        ([INF, INF], INF),  # nothing placed anywhere
        ([INF, OPT], FEAS),  # one site placed nothing, another is optimal: a plan, not a proven one
        ([OPT, NONE], NONE),  # a site without a plan: no plan for the whole
    ],
)
def test_combined_status_is_the_weakest_claim(parts: list[SolveStatus], merged: SolveStatus) -> None:
    """Merged site results claim no more than their weakest part."""
    assert combined_status(parts) is merged


def test_status_keys_are_stable_and_labels_are_words() -> None:
    """The value is the key machines read (JSON: 'optimal'); the label is what people read."""
    assert json.dumps({"status": SolveStatus.OPTIMAL}) == '{"status": "optimal"}'
    assert SolveStatus.FEASIBLE == "feasible" and "not proven" in SolveStatus.FEASIBLE.label
    assert "stopped" in SolveStatus.STOPPED.label and not SolveStatus.NO_SOLUTION.has_plan
    assert len({s.label for s in SolveStatus}) == len(SolveStatus)
