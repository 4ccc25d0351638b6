"""The dashboard page logic through Streamlit's AppTest (real script, real solver)."""

from __future__ import annotations

from conftest import REPO
from streamlit.testing.v1 import AppTest


def test_app_plans_the_sample() -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=240)
    at.session_state["time_limit"] = 5
    at.run()
    assert not at.exception, at.exception
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["Servers"]) > 0
    assert "Solver:" in " ".join(md.value for md in at.markdown)
