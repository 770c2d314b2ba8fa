"""The scorecard on the real timeline and the committed snapshot, and its API twins."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.timeline import read_timeline
from indicators.scorecard import NotAssessable, is_commitment, previous_linked_event, scorecard, verify

SIG3 = "2026-01-23-sig-3-washington"
FEB3 = "2025-02-03-tariff-pause-national-guard"


@pytest.fixture(scope="module")
def events():
    return read_timeline()


def by_id(events, event_id):
    return next(e for e in events if e["id"] == event_id)


def test_rows_are_commitments_with_indicators_and_columns_put_loaded_data_first(snapshot_store, events):
    grid = scorecard(snapshot_store, events, as_of=dt.date(2026, 11, 25))
    ids = [row["event"]["id"] for row in grid["rows"]]
    assert FEB3 in ids and SIG3 in ids
    assert all(is_commitment(by_id(events, i)) for i in ids)
    assert grid["columns"][:3] == ["cbp_fentanyl_seizures_swb_lbs", "cdc_overdose_deaths_12m",
                                   "cdc_synthetic_opioid_deaths_12m"]
    cells = {row["event"]["id"]: row["cells"] for row in grid["rows"]}
    assert cells[FEB3]["atf_mexico_us_sourced_traces"]["verdict"] == "no_data"
    fentanyl = cells[FEB3]["cbp_fentanyl_seizures_swb_lbs"]
    assert fentanyl["verdict"] in ("improved", "worsened", "no_detectable_change")
    assert fentanyl["ci_low"] <= fentanyl["effect"] <= fentanyl["ci_high"]
    assert fentanyl["post_start"] == "2025-03-01" and fentanyl["data_through"] == "2025-12-01"
    sig3 = cells[SIG3]["cbp_fentanyl_seizures_swb_lbs"]
    assert sig3["verdict"] == "not_yet_verifiable" and sig3["checkable_from"] == "2026-04-01"


def test_as_of_reruns_with_the_data_known_then(snapshot_store, events):
    event = by_id(events, FEB3)
    later = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", event, events=events)
    then = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", event, events=events, as_of=dt.date(2025, 7, 1))
    assert then.data_through == dt.date(2025, 5, 1)  # the May release was the newest on 1 July 2025
    assert then.n_post == 3 and later.n_post == 10
    before = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", event, events=events, as_of=dt.date(2025, 3, 1))
    assert before.verdict == "not_yet_verifiable"


def test_previous_linked_event_skips_same_month_events(events):
    assert previous_linked_event(events, by_id(events, SIG3), "cbp_fentanyl_seizures_swb_lbs") == dt.date(2025, 12, 15)
    assert previous_linked_event(events, by_id(events, FEB3), "cbp_fentanyl_seizures_swb_lbs") is None


def test_same_month_events_are_named(snapshot_store, events):
    result = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", by_id(events, FEB3), events=events)
    assert any("2025-02-01-ieepa-tariff-order" in note for note in result.notes)


def test_rolling_cdc_series_is_assessed_as_such(snapshot_store, events):
    result = verify(snapshot_store, "cdc_synthetic_opioid_deaths_12m", by_id(events, "2025-02-27-security-cabinet-meets-rubio"),
                    events=events)
    assert result.semantics == "rolling_12m" and result.n_post >= 6
    assert "12-month total" in result.explanation


def test_breakdown_indicators_are_not_assessable(snapshot_store, events):
    with pytest.raises(NotAssessable):
        verify(snapshot_store, "cbp_drug_seizures_by_type_lbs", by_id(events, FEB3), events=events)


def test_verify_api(client):
    body = client.get(f"/api/verify?indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}").get_json()
    assert body["indicator"] == "cbp_fentanyl_seizures_swb_lbs" and body["event"] == FEB3 and body["geo"] == "US"
    assert body["method"] == "structural" and body["n_post"] == 10
    assert len(body["counterfactual"]) == 10 and body["placebo_n"] >= 5
    its = client.get(f"/api/verify?indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}&method=its&as_of=2025-07-01").get_json()
    assert its["method"] == "its" and its["data_through"] == "2025-05-01"
    tx = client.get("/api/verify?indicator=cdc_synthetic_opioid_deaths_12m&event=2025-02-27-security-cabinet-meets-rubio"
                    "&geo=TX").get_json()
    assert tx["geo"] == "TX" and tx["semantics"] == "rolling_12m"


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("indicator=cbp_fentanyl_seizures_swb_lbs", 400, "required"),
        (f"indicator=nope&event={FEB3}", 404, "unknown indicator"),
        ("indicator=cbp_fentanyl_seizures_swb_lbs&event=nope", 404, "unknown event"),
        (f"indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}&method=magic", 400, "method="),
        (f"indicator=atf_mexico_us_sourced_traces&event={FEB3}", 404, "no data loaded yet"),
        (f"indicator=cbp_drug_seizures_by_type_lbs&event={FEB3}", 404, "broken down"),
        (f"indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}&as_of=soon", 400, "is not a date"),
    ],
)
def test_verify_api_errors(client, query, status, message):
    response = client.get(f"/api/verify?{query}")
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_scorecard_api_matches_the_function(client, snapshot_store, events):
    body = client.get("/api/scorecard.json?as_of=2026-11-25").get_json()
    direct = scorecard(snapshot_store, events, as_of=dt.date(2026, 11, 25))
    assert body["columns"] == direct["columns"]
    assert [r["event"]["id"] for r in body["rows"]] == [r["event"]["id"] for r in direct["rows"]]
    first = direct["rows"][0]["cells"]["cbp_fentanyl_seizures_swb_lbs"]
    assert body["rows"][0]["cells"]["cbp_fentanyl_seizures_swb_lbs"]["effect"] == pytest.approx(first["effect"])
