"""The state map's values: stored per source release (computed at publish for the newest month the
states have), equal to a fresh computation, recomputed only for the source that changed; rates per
100,000 people only for counts."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from etl.store import list_vintages, withdraw
from indicators import maps
from indicators.registry import available_indicators
from indicators.series import geographies, read_series


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
    month = maps.map_month(engine, spec)
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
    # (An indicator whose states were only in the withdrawn release has no map any more.)
    assert set(computed) == {s.id for s in specs if s.source_id == spec.source_id
                             and maps.map_month(engine, s) is not None}


def test_the_map_shows_the_newest_month_most_states_have(snapshot_store):
    """The national series can run months ahead of the states' (CDC's US overdose total): a map of
    its newest month would be blank. The map's month is the newest month most states have."""
    from etl.geography import MX_STATES, US_STATES
    from etl.store import read_derived

    engine = snapshot_store  # (the maps it stores are those any request on this store would store)
    maps.refresh_maps(engine)
    ahead = 0
    for spec in state_level(engine):
        states = [g for g in geographies(engine, spec) if g in US_STATES or g in MX_STATES]
        valued: dict = {}
        newest = read_series(engine, spec)["period"].max()  # the default geography's newest month
        since = (newest - pd.DateOffset(months=36)).date()  # (the oracle reads three years: enough here)
        for geo in states:
            frame = read_series(engine, spec, geo, start=since)
            for period in frame.loc[frame["value"].notna(), "period"].unique():
                valued[period] = valued.get(period, 0) + 1
        most = max(period for period, count in valued.items() if count * 2 > len(states))
        month = maps.map_month(engine, spec)
        assert month == most.date(), spec.id
        shown = maps.map_values(engine, spec, month)
        assert sum(shown[g] is not None for g in states) * 2 > len(states), spec.id
        if newest > most:
            ahead += 1
            assert valued.get(newest, 0) * 2 <= len(states)  # a map of it would be (nearly) blank
        # Stored at publish: a request reads it.
        assert read_derived(engine, maps._name(spec, month, False), maps._key(engine, spec, False)) is not None
        before = maps.map_month(engine, spec, upto=(most - pd.DateOffset(months=1)).date())
        assert before is not None and before < month
    assert ahead, "a national series runs ahead of its states in the snapshot (CDC's overdose deaths)"


def test_rates_per_100k_are_mapped_for_counts_only(snapshot_store):
    """A rate per 100,000 people of a daily average or of a share means nothing: none is stored or
    served; counts with a population get theirs."""
    from etl.store import read_derived
    from indicators.series import POPULATION_BASE

    engine = snapshot_store
    maps.refresh_maps(engine)
    with_population = set(maps.available_geos(engine, POPULATION_BASE))
    counts = not_counts = 0
    for spec in state_level(engine):
        month = maps.map_month(engine, spec)
        stored = read_derived(engine, maps._name(spec, month, True), maps._key(engine, spec, True))
        if not (set(geographies(engine, spec)) & with_population):
            continue
        averaged = spec.transform is not None or spec.unit["en"].startswith("%")
        assert spec.takes_per_100k is not averaged
        if averaged:
            not_counts += 1
            assert stored is None, spec.id
            with pytest.raises(maps.NoRateMap):
                maps.map_values(engine, spec, month, per_100k=True)
        else:
            counts += 1
            assert stored is not None, spec.id
    assert counts and not_counts


def test_the_explorer_offers_no_rate_of_an_average_or_a_share(client):
    from dashboard.queries import BadQuery
    from dashboard.state import ExplorerState

    for spec in available_indicators():
        state = ExplorerState(spec.id, geo=spec.default_geo)
        if not spec.takes_per_100k:
            assert state.transform_unavailable("per100k", frozenset()) in ("transform_already_rate", "transform_annual")
    with client.application.test_request_context("/"):
        from dashboard import queries

        for spec in available_indicators():
            if spec.semantics != "annual" and not spec.takes_per_100k:
                month = queries.map_month(spec.id)
                with pytest.raises(BadQuery):
                    queries.map_values(spec.id, month, None, per_100k=True)
