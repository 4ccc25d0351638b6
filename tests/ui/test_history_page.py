"""The dashboard with a utilization history: the sample's week, sized by percentile, packed by time, replayed."""

from __future__ import annotations

from test_app import start, wait_for_plan


def test_sample_history_packs_by_time_and_shows_the_replay() -> None:
    """Use the sample's history, choose percentile sizing and packing by time: the plan is replayed on the
    week and the page says it held, with a per-server chart of load over time."""
    at = wait_for_plan(start())
    at.button(key="sample_usage").click().run()
    at.radio(key="sizing").set_value("percentile").run()
    at.radio(key="packing").set_value("time_aware").run()
    at.button[[b.label for b in at.button].index("Solve")].click().run()
    at = wait_for_plan(at)
    assert not at.exception
    shown = [s.value for s in at.success] + [w.value for w in at.warning]
    assert any("Replayed on usage.csv: the plan would have held for" in v for v in shown), shown
    assert at.selectbox(key="replay_server").options
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("over usage.csv" in t for t in titles)


def test_a_malformed_history_is_named_on_the_page(tmp_path: object) -> None:
    """An uploaded history with a word for a number: the page names the file, row and column."""
    at = wait_for_plan(start())
    at.session_state["usage"] = {"name": "mine.csv", "data": b"workload,time,cpu_pct\npayments-web,0,lots\n", "suffix": ".csv"}
    at.radio(key="sizing").set_value("percentile").run()
    at.button[[b.label for b in at.button].index("Solve")].click().run()
    assert any("The input has 1 problem(s)" in e.value for e in at.error)
    table = at.dataframe[0].value
    assert list(table.iloc[0]) == ["mine.csv", 2, "cpu_pct", "cpu_pct must be a number"]
