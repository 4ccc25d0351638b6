"""Reading profile files: each file read once per content, and a study that reads each once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import estate, server, wl

from planner.business.case import build_business_case
from planner.profiles import loading
from planner.profiles.loading import READS, estate_costs, load_costs, load_profile, study_overhead
from planner.profiles.overheads import ProfileError
from planner.study.pipeline import run_study


@pytest.fixture
def fresh_reads() -> None:
    """Forget what earlier tests parsed, so that this test counts every read."""
    loading._PARSED.clear()
    READS.clear()


@pytest.mark.usefixtures("fresh_reads")
def test_a_file_is_read_once_until_it_changes(tmp_path: Path) -> None:
    """Loading one profile many times reads its file once; a changed file is read again."""
    src = Path(load_profile("none").path)
    copy = tmp_path / "mine.toml"
    copy.write_text(src.read_text())
    for _ in range(5):
        load_profile(str(copy))
    assert READS[str(copy.resolve())] == 1
    copy.write_text(src.read_text().replace('name = "none"', 'name = "mine"') + "\n")
    assert load_profile(str(copy)).name in ("mine", "none")
    assert READS[str(copy.resolve())] == 2


@pytest.mark.usefixtures("fresh_reads")
@pytest.mark.slow
def test_a_study_reads_each_profile_file_once() -> None:
    """A study with the TCO objective, one failure tolerated and its business case reads each profile file once."""
    ws = [wl(f"w{i}", cpu=1 + i % 3, mem=2 + i % 4, os="windows" if i % 3 == 0 else "linux") for i in range(12)]
    e = estate(
        ws,
        [server("S", cpu=16, mem=32, cost=100), server("L", cpu=32, mem=64, cost=180)],
        overhead_profile="default",
        objective="tco",
        ha_failures=1,
        business_case=True,
        years=2,
        time_limit_s=2,
        compare_platforms=("hyperv",),
    )
    study = build_business_case(run_study(e))
    assert study.case is not None and len(study.case.strategies) >= 5
    assert READS, "the study read no profile at all"
    assert max(READS.values()) == 1, {Path(p).name: n for p, n in READS.items() if n > 1}
    names = {Path(p).name for p in READS}
    assert {"default.toml", "hyperv.toml"} <= names


def test_loaded_profiles_are_the_files(tmp_path: Path) -> None:
    """The study's profiles come from models/ with the estate's overrides; an unknown one is refused by name."""
    e = estate([wl("a")], overhead_profile="default", cost_overrides=(("pue", 1.2),))
    assert estate_costs(e)["pue"] == 1.2 and load_costs()["pue"] != 1.2
    assert study_overhead(e.settings).name == "default"
    with pytest.raises(ProfileError, match="cost profile 'nope' not found"):
        load_costs("nope")
