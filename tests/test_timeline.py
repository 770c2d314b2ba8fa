"""The curated timeline: schema, coverage of the research fact sheet, links to the registry."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
import yaml

from etl.common import SanityError
from etl.timeline import TIMELINE_PATH, read_timeline
from indicators.registry import INDICATORS
from tests.helpers import RAW_DIR, require

RESEARCH = RAW_DIR.parent.parent / "research" / "timeline.md"


@pytest.fixture(scope="module")
def events() -> list[dict]:
    return read_timeline()


def _fact_sheet_rows() -> list[list[str]]:
    """The summary table of the research fact sheet: one row per event (# first, confidence last)."""
    require(RESEARCH.is_file(), f"research fact sheet not found at {RESEARCH}")
    table = RESEARCH.read_text().split("## Summary table", 1)[1].split("## ", 1)[0]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in table.splitlines() if re.match(r"^\|\s*\d+\s*\|", line)]


def _confidence(label: str) -> str:
    label = label.strip("* ").upper()
    if label.startswith("NOT FOUND"):
        return "not_found"
    if label.startswith("SINGLE") and "CONFIRMED" not in label:
        return "single"
    return "confirmed"


def test_every_event_of_the_fact_sheet_is_encoded(events):
    # Every row of the research sheet, plus measurement changes split out of them (eTrace in SIG-1).
    rows = _fact_sheet_rows()
    split_out = [e for e in events if e["type"] == "measurement_change"]
    assert len(events) == len(rows) + len(split_out)
    expected = Counter(_confidence(row[-1]) for row in rows) + Counter(e["confidence"] for e in split_out)
    assert Counter(e["confidence"] for e in events) == expected
    sig_meetings = [e for e in events if e["id"].startswith(("2025-09-26-sig-1", "2025-12-11-sig-2",
                                                              "2026-01-23-sig-3"))]
    assert [e["date"] for e in sig_meetings] == [dt.date(2025, 9, 26), dt.date(2025, 12, 11), dt.date(2026, 1, 23)]


def test_the_february_ministerial_is_marked_unconfirmed(events):
    [ministerial] = [e for e in events if "ministerial" in e["id"]]
    assert ministerial["status"] == "announced_not_confirmed"
    assert ministerial["confidence"] == "not_found"
    assert ministerial["date_precision"] == "month"
    assert all(e["status"] == "happened" for e in events if e is not ministerial)


def test_linked_indicators_exist_in_the_registry(events):
    for event in events:
        for link in event["indicators"]:
            assert link["indicator"] in INDICATORS, (event["id"], link["indicator"])


def test_every_event_is_bilingual_and_sourced(events):
    for event in events:
        for field in ("title", "summary"):
            assert event[field]["en"] != event[field]["es"], (event["id"], field)
        assert event["sources"], event["id"]


def test_a_measurement_change_is_dated_for_the_trace_series(events):
    changes = [e for e in events if e["type"] == "measurement_change"]
    assert [c["id"] for c in changes if c["indicators"][0]["indicator"] == "atf_mexico_us_sourced_traces"]


def test_sesnsps_new_register_is_a_measurement_change_on_every_homicide_indicator(events):
    """SESNSP's move to RNID (January 2026) is declared on every SESNSP homicide and feminicide
    indicator, old series and new, with SESNSP's page cited."""
    homicide = {i for i, spec in INDICATORS.items() if spec.source_id in ("sesnsp_homicides", "sesnsp_rnid")
                and ("homicid" in i or "feminicid" in i)}
    [change] = [e for e in events if e["type"] == "measurement_change"
                and homicide <= {link["indicator"] for link in e["indicators"]}]
    assert str(change["date"]) == "2026-01-01"
    assert any("sesnsp" in url and "datos-abiertos" in url for url in change["sources"])
    assert all(link["expected_direction"] == "none" for link in change["indicators"])  # a break, not a commitment


def write(tmp_path, items) -> str:
    path = tmp_path / "timeline.yaml"
    path.write_text(yaml.safe_dump(items, allow_unicode=True))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.update(type="rumour"), "type: 'rumour' is not one of"),
        (lambda e: e["title"].pop("es"), "title: 'es' is a required property"),
        (lambda e: e.update(date="2026-02-30"), "is not a 'date'"),
        (lambda e: e.update(id="no-date-prefix"), "does not match"),
        (lambda e: e.update(sources=["ftp://x"]), "does not match"),
        (lambda e: e["indicators"].append({"indicator": "x", "expected_direction": "sideways"}), "is not one of"),
        # An official text is listed first, the press after it.
        (lambda e: e.update(sources=["https://news.example/a", "https://www.state.gov/b"]), "official text first"),
    ],
)
def test_schema_rejects_bad_events(tmp_path, change, message):
    items = yaml.safe_load(TIMELINE_PATH.read_text())[:2]
    change(items[0])
    with pytest.raises(SanityError) as caught:
        read_timeline(write(tmp_path, items))
    assert message in str(caught.value)


def test_duplicate_ids_are_rejected(tmp_path):
    items = yaml.safe_load(TIMELINE_PATH.read_text())[:1] * 2
    with pytest.raises(SanityError, match="duplicate event id"):
        read_timeline(write(tmp_path, items))


def test_official_texts_are_told_from_press_reports_by_host():
    from etl.timeline import is_primary

    for url in ("https://www.state.gov/x", "https://www.federalregister.gov/d/1", "https://www.gob.mx/sre/prensa/1",
                "https://sre.gob.mx/x", "https://www.whitehouse.gov/x"):
        assert is_primary(url), url
    for url in ("https://www.gob.mx.example.com/x", "https://govtrack.us/x", "https://www.proceso.com.mx/x",
                "https://notgov/x"):
        assert not is_primary(url), url
