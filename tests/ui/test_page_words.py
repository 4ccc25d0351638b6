"""The dashboard in the planner's language, through Streamlit's AppTest: options in words, Solve on top,
and the same server count on every tab when spares are bought."""

from __future__ import annotations

import json
import re

from test_app import _wait_for_new_plan, start, wait_for_plan

KEY = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")  # a setting or file key: type1, current_hosts, capex, esxi


def test_sidebar_options_are_words_and_solve_is_on_top() -> None:
    """Every choice in the sidebar reads as words (no keys such as type1, capex or esxi); Solve comes first."""
    at = start()
    labels = {kind: [(w.label, list(w.options)) for w in at.sidebar.get(kind)] for kind in ("radio", "selectbox", "multiselect")}
    keys = [(label, o) for widgets in labels.values() for label, options in widgets for o in options if KEY.match(str(o))]
    assert not keys, keys
    assert not [w.label for w in at.sidebar.number_input if KEY.match(w.label.split(" (")[0])]
    first = next(iter(at.sidebar.children.values()))
    assert [b.label for b in first.get("button")] == ["Solve"]  # above the input and every setting
    groups = [e.label for e in at.sidebar.expander]
    assert [g for g in groups if g in ("Sizing", "Failure tolerance", "Costs", "Solver")] == [
        "Sizing",
        "Failure tolerance",
        "Costs",
        "Solver",
    ]
    job = at.session_state["job"]
    job.stop()
    assert job.wait(60)


def test_spares_count_alike_on_the_plan_and_changes_tabs_and_show_in_the_chart() -> None:
    """A spare bought: the Plan tab's servers, the Changes tab's servers and the utilization chart all include it."""
    at = wait_for_plan(start())
    first = at.session_state["collected"]
    at.sidebar.number_input(key="spare_servers").set_value(1).run()
    next(b for b in at.sidebar.button if b.label == "Solve").click().run()
    at = _wait_for_new_plan(at, first)
    plan = at.session_state["study"].result.plan
    assert len(plan.spares) == 1
    shown_plan = {m.label: m.value for m in at.tabs[0].metric}["Servers"]
    shown_changes = {m.label: m.value for m in at.tabs[3].metric}["Servers"]
    assert int(shown_plan) == int(shown_changes) == len(plan.servers) + 1
    charts = [json.dumps(json.loads(c.proto.spec)) for c in at.tabs[0].get("plotly_chart")]
    assert any(plan.spares[0].server_id in spec for spec in charts)
