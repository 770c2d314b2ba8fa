"""Dated regime changes (data/regimes.yaml): schema, primary sources, and what the verification
does with them on the real scorecard."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
import yaml

from etl.timeline import read_timeline
from indicators import explain
from indicators.regimes import REGIMES_PATH, RegimeError, markers_for, read_regimes
from indicators.registry import INDICATORS
from indicators.scorecard import verify

# Primary sources only: the governments' own publications.
PRIMARY = ("federalregister.gov", "whitehouse.gov", "dhs.gov", "cbp.gov", "state.gov", "gob.mx", "justice.gov")


def test_every_marker_is_valid_dated_and_cites_a_primary_source():
    regimes = read_regimes()
    assert regimes
    for entry in regimes:
        host = urlparse(entry["source"]).hostname or ""
        assert host.endswith(PRIMARY), (entry["id"], host)
        assert isinstance(entry["date"], dt.date) and entry["date"] < dt.date.today()
        assert all(i in INDICATORS for i in entry["indicators"])
        assert entry["label"]["en"] != entry["label"]["es"]


def test_a_broken_regime_file_is_refused_in_one_line(tmp_path):
    entries = yaml.safe_load(REGIMES_PATH.read_text(encoding="utf-8"))
    bad = tmp_path / "regimes.yaml"
    bad.write_text(yaml.safe_dump([{**entries[0], "indicators": ["no_such_indicator"]}]), encoding="utf-8")
    with pytest.raises(RegimeError, match="unknown indicator"):
        read_regimes(bad)
    bad.write_text(yaml.safe_dump([{**entries[0], "source": "http://example.org"}]), encoding="utf-8")
    with pytest.raises(RegimeError, match="does not match"):
        read_regimes(bad)


def test_markers_are_handed_to_the_verification_oldest_first():
    for indicator in {i for entry in read_regimes() for i in entry["indicators"]}:
        dates = [m["date"] for m in markers_for(indicator)]
        assert dates == sorted(dates) and all({"id", "label", "source"} <= set(m) for m in markers_for(indicator))


def test_encounters_after_3_february_2025_are_not_credited_to_the_event(snapshot_store):
    # The fall began with the border orders of 20 January 2025, two weeks before the event.
    events = read_timeline()
    event = next(e for e in events if e["id"] == "2025-02-03-tariff-pause-national-guard")
    result = verify(snapshot_store, "cbp_swb_encounters", event, events=events)
    assert result.verdict not in ("improved", "worsened", "changed")
    close = [m for m in markers_for("cbp_swb_encounters") if m["date"] < event["date"]
             and (event["date"] - m["date"]).days <= 62]
    assert close, "the timeline's 20 January 2025 orders are a dated regime change of encounters"
    if result.verdict == "began_before":
        assert result.began_by == "marker" and result.began_at == close[0]["date"]
        assert result.total_change < 0 and close[0]["label"]["en"] in explain.sentence(result, "en")
        assert close[0]["label"]["es"] in explain.sentence(result, "es")
    steps = {m["date"].isoformat() for m in markers_for("cbp_swb_encounters")
             if pd_month(m["date"]) <= pd_month(result.pre_end)}
    assert {s["date"] for s in result.regime_steps} <= steps


def pd_month(day: dt.date) -> tuple[int, int]:
    return day.year, day.month
