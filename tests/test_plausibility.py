"""The plausibility check of new and provisional months on hand-written releases: each kind of
fault refused, named, and a plausible next month passing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl import plausibility
from etl.release_diff import ReleaseDiff

ORIGIN = {"outputs": [{"series": "victims", "aggregation": "sum", "whole": True}],
          "plausibility": {"dimensions": ["crime"], "why": "hand-written test origin, the default limits"}}
GEOS = {"MX-AAA": 300.0, "MX-BBB": 120.0, "MX-CCC": 60.0}
CRIMES = {"homicide": 0.8, "feminicide": 0.2}


def release(months: int, provisional: int = 0, seed: int = 1) -> pd.DataFrame:
    """Steady Poisson counts by state and crime from 2022-01, the last ``provisional`` flagged."""
    rng = np.random.default_rng(seed)
    periods = pd.period_range("2022-01", periods=months, freq="M")
    rows = []
    for i, period in enumerate(periods):
        for geo, level in GEOS.items():
            for crime, share in CRIMES.items():
                rows.append({"indicator": "victims", "period": period.to_timestamp().date(), "geo": geo,
                             "value": float(rng.poisson(level * share)), "value_predicted": None,
                             "flags": "provisional" if i >= months - provisional else "", "crime": crime})
    return pd.DataFrame(rows)


def last(frame: pd.DataFrame) -> np.ndarray:
    periods = pd.to_datetime(frame["period"])
    return (periods == periods.max()).to_numpy()


@pytest.fixture
def old_and_new():
    new = release(37, provisional=3)
    return new[~last(new)].reset_index(drop=True), new


def kinds(problems) -> set[str]:
    return {kind for kind, _ in problems}


def test_a_plausible_next_month_passes(old_and_new):
    old, new = old_and_new
    assert plausibility.check(old, new, ORIGIN) == []


def test_a_doubled_state_in_the_new_month_is_refused_and_named(old_and_new):
    old, new = old_and_new
    new.loc[last(new) & (new["geo"] == "MX-AAA"), "value"] *= 2
    problems = dict(plausibility.check(old, new, ORIGIN))
    assert "MX-AAA" in problems["implausible"] and "2025-01" in problems["implausible"]


def test_a_state_missing_from_the_new_month(old_and_new):
    old, new = old_and_new
    new = new[~(last(new) & (new["geo"] == "MX-BBB"))]
    assert "MX-BBB" in dict(plausibility.check(old, new, ORIGIN))["incomplete"]


def test_zeros_where_the_series_never_was(old_and_new):
    old, new = old_and_new
    new.loc[last(new), "value"] = 0.0
    assert "zero" in kinds(plausibility.check(old, new, ORIGIN))


def test_a_copied_month(old_and_new):
    old, new = old_and_new
    periods = pd.to_datetime(new["period"])
    before = new[periods == periods.max() - pd.DateOffset(months=1)]
    new.loc[last(new), "value"] = before["value"].to_numpy()
    assert "repeated" in kinds(plausibility.check(old, new, ORIGIN))


def test_fractions_in_whole_counts_are_never_accepted(old_and_new):
    old, new = old_and_new
    new["value"] = new["value"] * 1.5 + 0.5
    problems = plausibility.check(old, new, ORIGIN)
    assert "fractional" in kinds(problems)
    diff = ReleaseDiff(problems=problems)
    assert any("fractions" in line for line in diff.refusals(accept_revisions=True, accept_anomalies=True))


def test_two_states_that_traded_values(old_and_new):
    old, new = old_and_new
    new["geo"] = new["geo"].map({"MX-AAA": "MX-BBB", "MX-BBB": "MX-AAA", "MX-CCC": "MX-CCC"})
    line = dict(plausibility.check(old, new, ORIGIN))["swapped"]
    assert "MX-AAA" in line and "MX-BBB" in line


def test_a_provisional_month_revised_beyond_the_bound(old_and_new):
    old, new = old_and_new
    flagged = old["flags"].str.contains("provisional").to_numpy()
    first = pd.to_datetime(old.loc[flagged, "period"]).min()
    where = (pd.to_datetime(new["period"]) == first).to_numpy() & (new["geo"] == "MX-CCC").to_numpy()
    new.loc[where, "value"] *= 2
    assert "MX-CCC" in dict(plausibility.check(old, new, ORIGIN))["provisional"]


def test_a_reviewed_month_is_not_held_again(old_and_new):
    old, new = old_and_new
    new.loc[last(new) & (new["geo"] == "MX-AAA"), "value"] *= 2
    month = pd.Period(pd.to_datetime(new["period"]).max(), "M")
    reviewed = [f"victims MX-AAA {month}", f"victims MX-AAA crime=homicide {month}"]
    origin = {**ORIGIN, "plausibility": {**ORIGIN["plausibility"], "reviewed": reviewed}}
    assert "implausible" not in kinds(plausibility.check(old, new, origin))


def test_a_series_that_stopped_before_the_last_release_is_not_expected(old_and_new):
    """A state that stopped reporting months ago has 12 months of history, but not the last 12:
    its absence from the new month is not a fault (else every later release would be refused)."""
    old, new = old_and_new
    periods = pd.to_datetime(old["period"])
    stopped = (old["geo"] == "MX-CCC").to_numpy() & (periods > periods.max() - pd.DateOffset(months=3)).to_numpy()
    old = old[~stopped]
    new = new[~((new["geo"] == "MX-CCC").to_numpy()
                & (pd.to_datetime(new["period"]) > periods.max() - pd.DateOffset(months=3)).to_numpy())]
    assert "incomplete" not in kinds(plausibility.check(old, new, ORIGIN))
