"""Commitments as records: the curated file against its schema and the timeline, the roll-up rule
on hand-made grids (every status and its reason), and the page and API on the snapshot, whose
statuses are recomputed here from the scorecard the API serves."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from etl.timeline import read_timeline
from indicators import commitments
from indicators.commitments import STATUSES, CommitmentError, evaluate, load, roll_up
from tests.helpers import render

EVENTS = read_timeline()
RECORDS = load()


def record(**changes) -> dict:
    base = {"id": "both-test-commitment", "event": "2025-09-03-cooperation-program-sig-created", "party": "both",
            "theme": "fentanyl", "text": {"en": "Do it.", "es": "Hacerlo."},
            "quote": {"said_by": {"en": "Someone", "es": "Alguien"}, "lang": "en", "text": "we will do it",
                      "url": "https://example.org/a"},
            "indicators": [{"indicator": "cbp_fentanyl_seizures_swb_lbs", "expected_direction": "down"},
                           {"indicator": "cdc_overdose_deaths_12m", "expected_direction": "down"}],
            "target": "undefined"}
    return {**base, **changes}


def grid(*verdicts: str, tested: str = "2025-09-03-cooperation-program-sig-created", **extra) -> dict:
    """One scorecard row led by an earlier event, the record's event merged into it."""
    indicators = ["cbp_fentanyl_seizures_swb_lbs", "cdc_overdose_deaths_12m"]
    cells = {i: {"verdict": v, "event": tested, **extra} for i, v in zip(indicators, verdicts, strict=False)}
    return {"rows": [{"event": {"id": "2025-07-31-tariff-truce-extended",
                                "merged": [{"id": "2025-09-03-cooperation-program-sig-created"}]},
                      "cells": cells}]}


# --- the curated file --------------------------------------------------------------------------

def test_the_curated_commitments_agree_with_the_timeline():
    assert RECORDS and len({r["id"] for r in RECORDS}) == len(RECORDS)
    assert commitments.check_against_timeline(RECORDS, EVENTS) == []


def test_us_and_mexican_commitments_sit_side_by_side():
    """Reciprocity: the US side (guns, finance, demand) is recorded as Mexico's is."""
    parties = {r["party"] for r in RECORDS}
    assert {"US", "MX", "both"} <= parties
    us_side = {r["theme"] for r in RECORDS if r["party"] in ("US", "both")}
    assert {"firearms", "finance", "precursors", "demand"} <= us_side


def test_a_broken_file_is_refused_in_one_line(tmp_path):
    import yaml

    for broken, words in (
            ([record(), record()], "appears twice"),
            ([record(party="CA")], "party"),
            ([record(indicators=[{"indicator": "no_such_series", "expected_direction": "down"}])], "unknown indicator"),
            ([record(indicators=[], target={"description": {"en": "ten of them", "es": "diez de ellos"}})],
             "must say what it needs"),
            ([{k: v for k, v in record().items() if k != "target"}], "target")):
        path = tmp_path / "commitments.yaml"
        path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        with pytest.raises(CommitmentError) as caught:
            load(path)
        assert words in str(caught.value) and "\n" not in str(caught.value)


def test_the_timeline_check_names_what_disagrees():
    wrong_direction = record(indicators=[{"indicator": "cbp_fentanyl_seizures_swb_lbs", "expected_direction": "up"}])
    unknown_event = record(event="2025-01-01-nothing")
    problems = commitments.check_against_timeline([wrong_direction, unknown_event], EVENTS)
    assert len(problems) == 3  # the direction, the quote's address (not a source), the unknown event
    assert any("does not link cbp_fentanyl_seizures_swb_lbs up (it links down)" in p for p in problems)
    assert any("not in the timeline" in p for p in problems)


# --- the roll-up rule ----------------------------------------------------------------------------

@pytest.mark.parametrize(("verdicts", "status"), [
    (("improved", "too_noisy"), "on_track"),
    (("improved", "not_yet_verifiable"), "on_track"),
    (("worsened", "no_change_beyond"), "off_track"),
    (("improved", "worsened"), "mixed"),
    (("too_noisy", "not_yet_verifiable"), "no_measurable_change"),
    (("began_before", "confounded"), "no_measurable_change"),
    (("changed", "no_data"), "no_measurable_change"),  # a change with no stated direction is no credit
    (("not_yet_verifiable", "no_data_after_event"), "too_early"),
    (("no_data", "no_data"), "not_measurable"),
    (("no_change_beyond", "no_change_beyond"), "no_change"),  # a change beyond a bound ruled out
    (("no_change_beyond", "not_yet_verifiable"), "no_change"),
    (("no_change_beyond", "too_noisy"), "no_measurable_change"),  # one of them cannot tell yet
])
def test_the_roll_up_rule(verdicts, status):
    assert roll_up(record(), grid(*verdicts))["status"] == status


def test_a_commitment_without_indicators_is_not_measurable_or_has_no_target():
    needs = {"en": "counts of tunnels found", "es": "conteos de túneles hallados"}
    assert roll_up(record(indicators=[], needs=needs), None)["status"] == "not_measurable"
    assert roll_up(record(indicators=[]), None)["status"] == "target_undefined"


def test_too_early_says_when_and_late_data_is_not_called_too_early():
    pending = grid("not_yet_verifiable", "not_yet_verifiable", checkable_from="2026-03-01",
                   expected_publication="2026-08-31")
    early = roll_up(record(), pending, today=dt.date(2026, 5, 1))
    assert early["status"] == "too_early" and early["checkable_from"] == "2026-03" and not early["late"]
    late = roll_up(record(), pending, today=dt.date(2026, 9, 1))
    assert late["status"] == "too_early" and late["late"]
    assert all(cell["late"] for cell in late["evidence"])


def test_the_evidence_names_the_event_each_verdict_was_tested_at():
    """Events within 45 days share one test: the verdict cited is the merged row's."""
    result = roll_up(record(), grid("improved", "too_noisy", tested="2025-07-31-tariff-truce-extended"))
    assert result["row_event"] == "2025-07-31-tariff-truce-extended"
    assert {cell["tested_event"] for cell in result["evidence"]} == {"2025-07-31-tariff-truce-extended"}
    assert [cell["role"] for cell in result["evidence"]] == ["for", "unclear"]


def test_as_of_leaves_out_commitments_made_later():
    day = dt.date(2025, 9, 30)
    shown = {item["id"] for item in evaluate(RECORDS, EVENTS, None, day)}
    dates = {e["id"]: dt.date.fromisoformat(str(e["date"])) for e in EVENTS}
    assert shown == {r["id"] for r in RECORDS if dates[r["event"]] <= day}
    assert 0 < len(shown) < len(RECORDS)


# --- page and API on the snapshot ----------------------------------------------------------------

def test_the_api_serves_every_commitment_with_the_status_its_verdicts_give(app):
    client = app.server.test_client()
    body = client.get("/api/commitments.json").get_json()
    assert body["as_of"] == dt.date.today().isoformat()
    assert [item["id"] for item in body["items"]] == [
        r["id"] for r in sorted(RECORDS, key=lambda r: (next(str(e["date"]) for e in EVENTS if e["id"] == r["event"]),
                                                        r["id"]))]
    scorecard = client.get("/api/scorecard.json").get_json()
    for item in body["items"]:
        plain = {k: v for k, v in item.items() if k in (*record(), "needs")}
        assert item["status"] == roll_up(plain, scorecard)["status"], item["id"]
    assert sum(body["by_status"].values()) == len(RECORDS)
    assert set(body["by_status"]) <= set(STATUSES)


def test_the_api_selects_and_refuses_in_one_line(app):
    client = app.server.test_client()
    every = client.get("/api/commitments.json").get_json()["items"]
    us = client.get("/api/commitments.json?party=US").get_json()["items"]
    assert [i["id"] for i in us] == [i["id"] for i in every if i["party"] in ("US", "both")]
    linked = "atf_mexico_us_sourced_traces"
    chosen = client.get(f"/api/commitments.json?indicator={linked}").get_json()["items"]
    assert [i["id"] for i in chosen] == [i["id"] for i in every
                                         if any(link["indicator"] == linked for link in i["indicators"])]
    csv = client.get("/api/commitments.csv?party=MX").get_data(as_text=True).splitlines()
    assert len(csv) - 1 == sum(1 for i in every if i["party"] in ("MX", "both"))
    for query, words in (("party=CA", "party must be one of"), ("status=done", "status must be one of"),
                         ("indicator=x", "unknown indicator"), ("colour=red", "unknown parameter")):
        response = client.get(f"/api/commitments.json?{query}")
        assert response.status_code == 400 and words in response.get_json()["error"], query


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_page_shows_each_commitment_its_status_evidence_and_target(app, lang):
    from dashboard.i18n import t
    from dashboard.state import ExplorerState

    body = app.server.test_client().get("/api/commitments.json").get_json()["items"]
    layout, _title = render(app, "/commitments", "?lang=es" if lang == "es" else "")
    text = json.dumps(layout, ensure_ascii=False)
    for item in body:
        assert f"commitment-{item['id']}" in text
        assert item["text"][lang] in text and item["quote"]["said_by"][lang] in text
        assert t("commitment_status_" + item["status"], lang) in text
        for cell in item["evidence"]:
            assert ExplorerState(cell["indicator"], event=cell["tested_event"], lang=lang).href().split("&")[0] in text
    undefined = sum(1 for r in RECORDS if r["target"] == "undefined")
    assert text.count(t("commitment_target_undefined", lang)) == undefined
    assert t("commitments_rule", lang) in text
    noted = {e["id"]: e["verifiability"][lang] for e in EVENTS if e.get("verifiability")}
    for item in body:
        if item["event"] in noted:
            assert json.dumps(noted[item["event"]], ensure_ascii=False)[1:-1] in text


def test_the_page_filters_from_its_address(app):
    layout, _title = render(app, "/commitments", "?party=MX")
    text = json.dumps(layout)
    for r in RECORDS:
        assert (f'"commitment-{r["id"]}"' in text) == (r["party"] in ("MX", "both")), r["id"]


def test_the_overview_lists_the_meetings_commitments(app):
    from dashboard.i18n import t

    meeting = "2025-09-26-sig-1-mission-firewall"
    layout, _title = render(app, "/overview", f"?meeting={meeting}&lang=es")
    text = json.dumps(layout, ensure_ascii=False)
    made = [r for r in RECORDS if r["event"] == meeting]
    assert made
    for r in made:
        assert r["text"]["es"] in text and f"#commitment-{r['id']}" in text
    assert t("overview_commitments", "es") in text


def test_status_badges_hold_white_text_and_have_a_symbol_each():
    from dashboard.figures import COMMITMENT_COLOURS, COMMITMENT_SYMBOLS
    from tests.helpers import contrast

    assert set(COMMITMENT_COLOURS) == set(COMMITMENT_SYMBOLS) == set(STATUSES)
    assert len(set(COMMITMENT_SYMBOLS.values())) == len(STATUSES)
    for status, colour in COMMITMENT_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 4.5, (status, colour)


def test_a_directional_verdict_counts_only_beyond_chance_and_in_the_commitments_direction():
    """One of many tests: an 'improved' cell whose q-value is above the grid's alpha is no credit;
    nor is one tested for another direction (a shared row whose events disagree)."""
    improved = grid("improved", "too_noisy")
    improved["alpha"] = 0.05
    cell = improved["rows"][0]["cells"]["cbp_fentanyl_seizures_swb_lbs"]
    cell.update(q_value=0.01, expected_direction="down")
    assert roll_up(record(), improved)["status"] == "on_track"
    cell.update(q_value=0.2)
    result = roll_up(record(), improved)
    assert result["status"] == "no_measurable_change" and result["evidence"][0]["role"] == "unclear"
    cell.update(q_value=0.01, expected_direction="ambiguous")
    result = roll_up(record(), improved)
    assert result["status"] == "no_measurable_change" and result["evidence"][0]["tested_direction"] == "ambiguous"
