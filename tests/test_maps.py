"""The state map's values: stored per source release (computed at publish for the newest month),
equal to a fresh computation, recomputed only for the source that changed."""

from __future__ import annotations

import dataclasses

import pytest

from etl import pipeline
from etl.store import list_vintages, withdraw
from indicators import maps
from indicators.registry import available_indicators
from indicators.series import geographies, read_series


@pytest.fixture
def snapshot_copy(store):
    pipeline.ensure_store(store)
    return store


def state_level(engine):
    return [spec for spec in available_indicators()
            if spec.semantics != "annual" and len(geographies(engine, spec)) >= 2]


def test_stored_maps_equal_a_fresh_computation_and_follow_their_source(snapshot_copy, monkeypatch):
    engine = snapshot_copy
    specs = state_level(engine)
    assert specs, "the snapshot has state-level series"
    first = maps.refresh_maps(engine)
    assert first >= len(specs)  # levels of each, and rates where a population is loaded
    assert maps.refresh_maps(engine) == 0  # nothing changed: nothing recomputed

    spec = specs[0]
    month = read_series(engine, spec)["period"].max().date()
    computed = []
    real = maps.compute
    monkeypatch.setattr(maps, "compute", lambda *a, **k: computed.append(a[1].id) or real(*a, **k))
    stored = maps.map_values(engine, spec, month)
    assert computed == [] and stored == real(engine, spec, month)
    assert set(stored) == set(geographies(engine, spec))
    assert any(value is not None for value in stored.values())
    # The indicator redefined (another filter): its map is computed again, not served as stored.
    redefined = dataclasses.replace(spec, filters={**spec.filters, "never": "matches"})
    assert maps.map_values(engine, redefined, month) != stored and computed == [spec.id]
    computed.clear()

    # A withdrawal of this source's newest release: its maps are recomputed, no other source's.
    withdraw(engine, list_vintages(engine, spec.source_id)[-1].id, "test: replaced by the publisher")
    assert len(list_vintages(engine, spec.source_id)) >= 2, "an older release stays served"
    again = maps.refresh_maps(engine)
    assert again == len(computed) >= 1
    assert set(computed) == {s.id for s in specs if s.source_id == spec.source_id}
