"""CPU generations: the reference file, matching CPU model texts to generations, and per-core ratings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.profiles.cpus import base_ghz, core_rating, generation_of
from planner.profiles.loading import load_cpu_generations
from planner.profiles.overheads import ProfileError

GENERATIONS = load_cpu_generations()

# CPU model texts as RVTools vHost and vendors print them -> the generation's name starts with...
KNOWN = [
    ("Intel(R) Xeon(R) CPU X5690 @ 3.47GHz", "Intel Nehalem-EP / Westmere"),
    ("Intel(R) Xeon(R) CPU E7- 8870 @ 2.40GHz", "Intel Nehalem-EP / Westmere"),
    ("Intel(R) Xeon(R) CPU E5-2690 0 @ 2.90GHz", "Intel Sandy Bridge"),
    ("Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz", "Intel Ivy Bridge"),
    ("Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz", "Intel Haswell"),
    ("Intel(R) Xeon(R) CPU E5-2680v4 @ 2.40GHz", "Intel Broadwell"),
    ("Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz", "Intel Skylake"),
    ("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "Intel Cascade Lake"),
    ("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "Intel Ice Lake"),
    ("Intel(R) Xeon(R) Platinum 8480+", "Intel Sapphire Rapids"),
    ("Intel(R) Xeon(R) 6787P", "Intel Sapphire Rapids"),
    ("AMD EPYC 7601 32-Core Processor", "AMD Zen (EPYC 7001"),
    ("AMD EPYC 7742 64-Core Processor", "AMD Zen 2"),
    ("AMD EPYC 7763 64-Core Processor", "AMD Zen 3"),
    ("AMD EPYC 9454 48-Core Processor", "AMD Zen 4"),
    ("AMD EPYC 9655 96-Core Processor", "AMD Zen 5"),
]


@pytest.mark.parametrize(("text", "name"), KNOWN)
def test_cpu_model_texts_map_to_their_generation(text: str, name: str) -> None:
    """Each common server CPU text, Intel or AMD, old or current, is found in its own generation."""
    generation = generation_of(text, GENERATIONS)
    assert generation is not None and generation.name.startswith(name)


def test_unknown_cpus_have_no_rating() -> None:
    """A CPU no pattern matches, or one with no clock, has no rating (the sizing then says so)."""
    assert generation_of("AMD Opteron(tm) Processor 6380", GENERATIONS) is None
    assert core_rating("AMD Opteron(tm) Processor 6380", 2.5, GENERATIONS) is None
    assert core_rating("AMD EPYC 9454 48-Core Processor", None, GENERATIONS) is None  # AMD texts carry no clock
    assert core_rating("", 2.5, GENERATIONS) is None
    assert core_rating("Intel(R) Xeon(R) CPU E5-2680 v2", 2800, GENERATIONS) is None  # MHz given as GHz


def test_a_rating_is_ipc_times_base_clock() -> None:
    """The rating of a 2013 Xeon and of a 2022 EPYC, as the data file's header works them out by hand."""
    assert core_rating("Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz", None, GENERATIONS) == pytest.approx(1.10 * 2.8)
    assert core_rating("AMD EPYC 9454 48-Core Processor", 2.75, GENERATIONS) == pytest.approx(1.99 * 2.75)
    assert base_ghz("Xeon Gold 6430 @ 2.10GHz", None) == 2.1
    assert base_ghz("Xeon Gold 6430 @ 2.10GHz", 1.9) == 1.9  # a figure given wins over the text


def test_newer_generations_do_more_per_clock() -> None:
    """Within each vendor, a later generation's IPC is never below an earlier one's; every entry has a source."""
    for vendor in ("Intel", "AMD"):
        line = sorted((g.year, g.ipc) for g in GENERATIONS if g.name.startswith(vendor))
        assert [ipc for _, ipc in line] == sorted(ipc for _, ipc in line)
    assert all(g.source.strip() for g in GENERATIONS)


@given(st.sampled_from([t for t, _ in KNOWN]), st.floats(min_value=0.5, max_value=5.0))
def test_rating_scales_with_clock(text: str, ghz: float) -> None:
    """A faster clock of the same generation rates proportionally higher; the generation alone sets the factor."""
    one, other = core_rating(text, ghz, GENERATIONS), core_rating(text, ghz * 1.5, GENERATIONS)
    assert one is not None and other is not None
    assert other / one == pytest.approx(1.5, rel=1e-3)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("description = 'x'", "needs one or more [[generation]]"),
        ("[[generation]]\nname='a'\nyear=2020\nipc=0\npatterns=['x']\nsource='s'", "ipc must be a number"),
        ("[[generation]]\nname='a'\nyear=2020\nipc=1\npatterns=['(']\nsource='s'", "is not valid"),
        ("[[generation]]\nname='a'\nyear=2020\nipc=1\npatterns=['x']", "needs exactly"),
    ],
)
def test_a_bad_generations_file_is_named(tmp_path: Path, body: str, message: str) -> None:
    """A broken reference file fails with its name and the entry, not a traceback."""
    path = tmp_path / "cpus.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError, match=re.escape(message)) as info:
        load_cpu_generations(path)
    assert "cpus.toml" in str(info.value)
