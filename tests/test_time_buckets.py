"""Percentile arithmetic and time buckets (planner.usage), against hand values and as properties."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.usage import bucket_of, history_settings_problem, percentile_by_bucket

MONDAY = int(np.datetime64("2026-11-02T00:00:00", "s").astype(np.int64))


def test_percentile_matches_excel_percentile_inc() -> None:
    """95th percentile of 1..20 by linear interpolation (Excel PERCENTILE.INC): 19.05."""
    values = np.arange(1, 21, dtype=float)[None, :]
    got = percentile_by_bucket(values, np.zeros(20, dtype=int), 1, 95)
    assert got.shape == (1, 1) and abs(got[0, 0] - 19.05) < 1e-9


def test_percentile_skips_gaps_and_fills_empty_buckets() -> None:
    """NaN samples are left out; a bucket with none takes the row's own percentile."""
    values = np.array([[1.0, np.nan, 3.0, np.nan]])
    got = percentile_by_bucket(values, np.array([0, 0, 1, 1]), 3, 50)
    assert np.allclose(got, [[1.0, 3.0, 2.0]])


def test_hour_of_day_buckets_fold_days_and_label_clock_times() -> None:
    """Two days of hourly samples: 24 buckets, interval 25 in the bucket of 01:00."""
    index, labels = bucket_of(MONDAY, 3600, 48, "hour_of_day")
    assert len(labels) == 24 and labels[1] == "01:00" and index[25] == 1


def test_hour_of_week_labels_name_the_day() -> None:
    """A Monday midnight sample is bucket 'Mon 00:00'."""
    index, labels = bucket_of(MONDAY, 3600, 2, "hour_of_week")
    assert labels[index[0]] == "Mon 00:00" and labels[index[1]] == "Mon 01:00"


def test_time_aware_needs_percentile_sizing() -> None:
    """Packing by time sizes from a history: any other sizing is refused in words."""
    from planner.domain import Settings

    wrong = type("S", (), {"sizing": "allocation", "packing": "time_aware", "percentile": 95, "window_days": 30,
                           "memory_sizing": "history", "time_buckets": "interval"})()  # fmt: skip
    assert "needs sizing = percentile" in str(history_settings_problem(wrong))
    assert history_settings_problem(Settings(sizing="percentile", packing="time_aware", time_buckets="hour_of_week")) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=40),
    st.floats(1, 100),
    st.integers(1, 5),
)
def test_a_bucket_percentile_lies_within_its_samples(samples: list[float], q: float, buckets: int) -> None:
    """Property: each bucket's percentile is between its smallest and largest sample; interval buckets are the samples."""
    values = np.array([samples])
    index = np.arange(len(samples)) % buckets
    got = percentile_by_bucket(values, index, buckets, q)[0]
    for b in range(min(buckets, len(samples))):
        mine = values[0][index == b]
        assert mine.min() - 1e-9 <= got[b] <= mine.max() + 1e-9
    same = percentile_by_bucket(values, np.arange(len(samples)), len(samples), q)[0]
    assert np.allclose(same, samples)
