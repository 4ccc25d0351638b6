"""Profiles load, validate (naming file and key) and accept user overrides."""

from pathlib import Path

import pytest

from planner.profiles.loading import list_profiles, load_profile
from planner.profiles.overheads import PARAMETERS, ProfileError


def test_shipped_profiles_are_complete_and_sourced() -> None:
    assert {"default", "none"} <= set(list_profiles())
    for name in list_profiles():
        model = load_profile(name)
        assert set(model.numbers) == set(PARAMETERS)
        assert all(n.reason and n.source for n in model.numbers.values())
    assert all(v.value == 0 for v in load_profile("none").numbers.values())


def _write(tmp_path: Path, body: str) -> Path:
    text = load_profile("default").path
    path = tmp_path / "custom.toml"
    path.write_text(Path(text).read_text() + body)
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('\n[mystery_gb]\nvalue = 1.0\nreason = "x"\nsource = "y"\n', "custom.toml: unknown key 'mystery_gb'"),  # typo'd key
    ],
)
def test_profile_refuses_unknown_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        load_profile(str(_write(tmp_path, body)))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "[container_start_s]\nvalue = 1.0",
            "[container_start_s]\nvalue = -1.0",
            r"\[container_start_s\]: value must be a finite number, zero or more",
        ),  # negative
        (
            "[container_start_s]\nvalue = 1.0",
            '[container_start_s]\nvalue = "fast"',
            r"\[container_start_s\]: value must be a number",
        ),  # text
        ('source = "moby issue #21737', 'origin = "moby issue #21737', r"\[container_start_s\] has unknown field"),  # wrong field
        ("[container_start_s]", "[not_a_table]", "missing number \\[container_start_s\\]"),  # missing number
    ],
)
def test_profile_refuses_bad_numbers(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = Path(load_profile("default").path).read_text()
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new))
    with pytest.raises(ProfileError, match=f"broken.toml.*{message}"):
        load_profile(str(path))


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(ProfileError, match=r"not found.*default"):
        load_profile("nonesuch")


def test_overrides_replace_and_record() -> None:
    model = load_profile("default").with_overrides({"linux_guest_memory_gb": 2.5})
    assert model["linux_guest_memory_gb"] == 2.5
    assert "set by the user" in model.numbers["linux_guest_memory_gb"].reason
    assert model.overridden == ("linux_guest_memory_gb",)
    with pytest.raises(ProfileError, match="unknown overhead number"):
        model.with_overrides({"nope": 1})
    with pytest.raises(ProfileError, match="zero or more"):
        model.with_overrides({"linux_guest_memory_gb": -1})
