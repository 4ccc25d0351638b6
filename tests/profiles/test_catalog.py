"""The bundled server catalog: prices built from parts by hand, like-for-like models of today's hosts, bad files named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.domain import CurrentHost
from planner.profiles.catalog import TB_IN_GB, catalog_servers, like_for_like
from planner.profiles.cpus import core_rating
from planner.profiles.loading import load_catalog, load_cpu_generations
from planner.profiles.overheads import ProfileError

CATALOG = load_catalog()


def test_a_price_is_the_sum_of_its_parts() -> None:
    """2 x EPYC 9354 + 768 GB + 15.36 TB NVMe + chassis, worked by hand from the file's figures."""
    server = next(s for s in catalog_servers(CATALOG) if s.model == "2U-2xEPYC9354-768G")
    assert server.unit_cost == pytest.approx(5500 + 2 * 3420 + 768 * 5 + 15.36 * 150)
    assert server.cpu_cores == 64 and server.threads_per_core == 2 and server.sockets == 2
    assert server.storage_gb == pytest.approx(15.36 * TB_IN_GB / 2, abs=0.1)  # RAID 10 on decimal TB, in GiB
    assert server.power_watts == 2 * 280 + 250


def test_every_model_is_rated_and_sourced() -> None:
    """Each bundled model's CPU has a per-core rating, and every model and part price states its source."""
    generations = load_cpu_generations()
    for s in catalog_servers(CATALOG):
        assert s.cpu_model and core_rating(s.cpu_model, s.cpu_ghz, generations)
    assert all(m.source for m in CATALOG.models)
    assert {k for k, _ in CATALOG.prices.sources} >= {"chassis", "memory_per_gb", "storage_per_tb", "platform_watts"}


def test_like_for_like_keeps_today_s_shapes() -> None:
    """One model per host shape, memory kept, cores rounded up to a current CPU; a shape the catalog sells is not repeated."""
    hosts = [CurrentHost("a", 24, 384), CurrentHost("b", 24, 384), CurrentHost("c", 40, 512), CurrentHost("d", 32, 256)]
    models = like_for_like(hosts, CATALOG)
    assert [(m.cpu_cores, m.memory_gb) for m in models] == [(32, 384), (64, 512)]  # 32c-256G is in the catalog
    assert all(m.model.startswith("like-for-like") for m in models)
    small = next(s for s in catalog_servers(CATALOG) if s.model == "2U-2xEPYC9124-256G")
    assert models[0].unit_cost == pytest.approx(small.unit_cost + (384 - 256) * 5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("description = 'x'", "needs a [prices] table"),
        (
            "[prices]\nchassis=1\nmemory_per_gb=1\nstorage_per_tb=1\nraid_usable_fraction=0\nplatform_watts=1\n[[model]]\nmodel='m'",
            "raid_usable_fraction must be above 0",
        ),
        (
            "[prices]\nchassis=-1\nmemory_per_gb=1\nstorage_per_tb=1\nraid_usable_fraction=1\nplatform_watts=1\n[[model]]\nmodel='m'",
            "prices.chassis must be a number",
        ),
        (
            "[prices]\nchassis=1\nmemory_per_gb=1\nstorage_per_tb=1\nraid_usable_fraction=1\nplatform_watts=1\n[[model]]\nmodel='m'",
            "entry 1 needs exactly",
        ),
    ],
)
def test_a_bad_catalog_file_is_named(tmp_path: Path, body: str, message: str) -> None:
    """A broken catalog file fails with its name and what is wrong, before any plan."""
    path = tmp_path / "mine.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError, match=re.escape(message)) as info:
        load_catalog(path)
    assert "mine.toml" in str(info.value)
