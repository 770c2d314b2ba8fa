"""New and provisional months bent the way the reliability test bent them, on the real releases:
the store holds a real release cut by its newest month, the next release is the whole release with
that month (or its provisional months) broken. Each must be refused in one line naming the cell,
the store unchanged; the unbent release must publish. Which state or month is bent is derived from
the data, never written here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl import pipeline, plausibility
from etl.common import load_origin
from etl.sources import get_source
from etl.store import Observation, PublishError, RefreshRun, list_vintages

pytestmark = pytest.mark.raw

FILES = {
    "sesnsp_homicides": "mexico/sesnsp_victimas_homicidio_estatal_mensual_2015-01_2025-06.csv",
    "cbp_encounters": "cbp/encounters/nationwide-encounters-fy23-fy26-nov-state.csv",
    "cbp_weapons_seizures": "cbp/weapons-ammunition-seizures/weapons-ammunition-seizures-fy22-fy25-may.csv",
    "cdc_wonder": "cdc_vsrr/wonder_provisional_monthly_T40.4_by_state_2018-01_to_2025-03.csv",
    "cdc_vsrr": "cdc_vsrr/vsrr_api_T40.4_states_2015-01_to_2026-01.csv",
    "conapo_population": "mexico/conapo_poblacion_entidad_genero_1950_2070.csv",
    "cbp_drug_seizures": "cbp/drug-seizures/nationwide-drugs-fy23-fy26-apr.csv",
}


def months(obs: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(obs["period"]).dt.to_period("M")


def newest(obs: pd.DataFrame) -> np.ndarray:
    periods = months(obs)
    return (periods == periods.max()).to_numpy()


def steadiest_geo(obs: pd.DataFrame, source: str) -> str:
    """The geography whose total moves least from month to month (robustly), among those at or
    above the source's judged level: the one whose doubling is plainest."""
    conf = plausibility.settings_of(load_origin(source))
    totals = obs.assign(m=months(obs)).groupby(["geo", "m"])["value"].sum().unstack("geo").iloc[:-1]
    big = totals.columns[(totals.iloc[-12:].median() >= 10 * conf["min_level"]).to_numpy()]
    totals = totals[[g for g in big if g not in ("US", "MX")]]
    spread = np.log(totals + 1).diff().iloc[-12:].abs().mean()  # steady over the last year
    return str(spread.idxmin())


def scale_geo_newest(factor: float) -> Callable[[pd.DataFrame, str], tuple[pd.DataFrame, str]]:
    def bend(obs, source):
        geo = steadiest_geo(obs, source)
        obs = obs.copy()
        where = newest(obs) & (obs["geo"] == geo).to_numpy()
        obs.loc[where, "value"] = (obs.loc[where, "value"] * factor).round()
        return obs, geo
    return bend


def drop_geo_newest(obs, source):
    geo = steadiest_geo(obs, source)
    return obs[~(newest(obs) & (obs["geo"] == geo).to_numpy())], geo


def zero_newest(obs, source):
    obs = obs.copy()
    obs.loc[newest(obs), "value"] = 0
    return obs, "0"


def copy_previous_month(obs, source):
    periods = months(obs)
    last = periods.max()
    before = obs[(periods == last - 1).to_numpy()].copy()
    before["period"] = obs.loc[newest(obs), "period"].iloc[0]
    return pd.concat([obs[~newest(obs)], before], ignore_index=True), str(last)


def fractions(obs, source):
    obs = obs.copy()
    obs["value"] = obs["value"] * 1.5
    return obs, "fractions"


def swap_two_geos(obs, source):
    """The two largest geographies (other than the nation) trade codes in every month."""
    sizes = obs[~obs["geo"].isin(["US", "MX"])].groupby("geo")["value"].sum().sort_values()
    a, b = sizes.index[-1], sizes.index[-2]
    obs = obs.copy()
    obs["geo"] = obs["geo"].map(lambda g: b if g == a else a if g == b else g)
    return obs, f"{a} and {b}"


def provisional_up(obs, source):
    obs = obs.copy()
    flagged = obs["flags"].fillna("").str.contains("provisional").to_numpy()
    last = months(obs)[flagged].min()
    where = flagged & (months(obs) == last).to_numpy() & (obs["geo"] == "US").to_numpy()
    obs.loc[where, "value"] = (obs.loc[where, "value"] * 1.5).round()
    return obs, "US"


CASES = [
    ("sesnsp_homicides", "a steady state doubled in the newest month", scale_geo_newest(2.0), "out of line"),
    ("sesnsp_homicides", "a state missing from the newest month", drop_geo_newest, "missing from the new month"),
    ("sesnsp_homicides", "the newest month all zeros", zero_newest, "read 0 where they never were"),
    ("sesnsp_homicides", "the newest month a copy of the one before", copy_previous_month, "a copied month"),
    ("sesnsp_homicides", "victims × 1.5 (fractions)", fractions, "have fractions"),
    ("cbp_encounters", "a steady state doubled in the newest month", scale_geo_newest(2.0), "out of line"),
    ("cbp_encounters", "a state missing from the newest month", drop_geo_newest, "missing from the new month"),
    ("cbp_weapons_seizures", "a month of all-zero quantities", zero_newest, "read 0 where they never were"),
    ("cdc_wonder", "a steady state ×10 in the newest month (decimal comma read as thousands)",
     scale_geo_newest(10.0), "out of line"),
    ("cdc_vsrr", "the first provisional national month revised +50 %", provisional_up, "provisional month(s) revised"),
    ("conapo_population", "two states' codes swapped", swap_two_geos, "traded values"),
    ("cbp_drug_seizures", "the newest month a copy of the one before", copy_previous_month, "a copied month"),
]


def count(store) -> int:
    with Session(store) as session:
        return session.scalar(select(func.count()).select_from(Observation))


@functools.cache
def real_release(raw_dir: Path, source: str):
    """The real release, parsed once for every case (the cases bend copies of its rows)."""
    return get_source(source).record_from_file(raw_dir / FILES[source])


def seeded(store_factory, raw_dir: Path, source: str):
    """A store with the real release cut by its newest month, and that whole release."""
    cached = real_release(raw_dir, source)
    record = dataclasses.replace(cached, observations=cached.observations.copy())  # publishing may touch it
    obs = record.observations
    cut = dataclasses.replace(record, observations=obs[~newest(obs)].reset_index(drop=True),
                              file_name=f"cut-{record.file_name}", sha256=hashlib.sha256(b"cut" + record.sha256.encode()).hexdigest(),
                              published_on=record.published_on - dt.timedelta(days=31))
    store = store_factory()
    pipeline.guarded_publish(store, cut, kind="import")
    return store, record


def next_release(record, observations: pd.DataFrame, name: str):
    return dataclasses.replace(record, observations=observations.reset_index(drop=True), file_name=f"next-{name}.csv",
                               sha256=hashlib.sha256(name.encode() + record.sha256.encode()).hexdigest())


@pytest.mark.parametrize("source", sorted(FILES))
def test_the_real_next_month_publishes(store_factory, raw_dir, source):
    store, record = seeded(store_factory, raw_dir, source)
    run = pipeline.guarded_publish(store, record, kind="import")
    assert run.outcome == "ok", run.message


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_a_broken_new_month_is_refused_in_one_line(store_factory, raw_dir, case):
    source, _name, bend, expect = case
    store, record = seeded(store_factory, raw_dir, source)
    before = (count(store), [v.id for v in list_vintages(store)])
    bent, where = bend(record.observations, source)
    with pytest.raises(PublishError) as caught:
        pipeline.guarded_publish(store, next_release(record, bent, _name), kind="import")
    line = str(caught.value)
    assert expect in line and "\n" not in line, line
    if where not in ("0", "fractions"):
        assert all(name in line for name in where.split(" and ")), line  # names the cell(s)
    assert (count(store), [v.id for v in list_vintages(store)]) == before


def test_an_accepted_anomaly_publishes_and_is_recorded(store_factory, raw_dir):
    store, record = seeded(store_factory, raw_dir, "sesnsp_homicides")
    bent, geo = scale_geo_newest(2.0)(record.observations, "sesnsp_homicides")
    release = next_release(record, bent, "accepted")
    with pytest.raises(PublishError) as caught:
        pipeline.guarded_publish(store, release, kind="import")
    assert "--accept-anomalies" in str(caught.value)
    run: RefreshRun = pipeline.guarded_publish(store, release, kind="import", accept_anomalies=True)
    assert run.outcome == "ok"
    assert geo in run.diff and '"accepted": ["' in run.diff


def test_one_source_failing_unexpectedly_never_stops_the_others(store_factory, raw_dir, monkeypatch, capsys):
    """A refresh where one source's parser breaks in a way nobody foresaw: that source is recorded
    as failed in one line, the next source still publishes, and the exit status says so."""
    from etl.__main__ import main
    from etl.sources import SOURCES
    from etl.store import failing_sources

    store = store_factory()
    broken, working = "cdc_vsrr", "sesnsp_homicides"

    def explode(session=None):
        raise ZeroDivisionError("a parser bug")

    cached = real_release(raw_dir, working)
    record = dataclasses.replace(cached, observations=cached.observations.copy())
    monkeypatch.setattr(SOURCES[broken], "fetch_latest", explode)
    monkeypatch.setattr(SOURCES[working], "fetch_latest", lambda session=None: record)
    code = main(["--database-url", store.url.render_as_string(hide_password=False), "refresh", broken, working])
    out = capsys.readouterr()
    errors = [line for line in out.err.splitlines() if line.startswith("error: ")]
    assert code == 2
    assert len(errors) == 1 and broken in errors[0] and "ZeroDivisionError: a parser bug" in errors[0], out.err
    assert "Traceback" not in out.err
    assert f"{working}: ok:" in out.out
    assert [run.source_id for run in failing_sources(store)] == [broken]
    assert [v.source_id for v in list_vintages(store)] == [working]
