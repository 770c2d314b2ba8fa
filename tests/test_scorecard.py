"""The scorecard on the real timeline and the committed snapshot, its stored precomputation, and
its API twins. Expected rows, merges and counts are derived from the timeline, not typed."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pandas as pd
import pytest

from dashboard.i18n import t
from etl import pipeline
from etl.store import read_derived
from etl.timeline import read_timeline
from indicators import explain, precompute
from indicators.assessment import Assessment
from indicators.registry import get_indicator
from indicators.scorecard import (
    NotAssessable,
    commitment_groups,
    is_commitment,
    links,
    previous_linked_event,
    scorecard,
    verify,
)
from indicators.series import read_series
from indicators.verification import JOINT_DAYS
from tests.helpers import when_ready

SIG3 = "2026-01-23-sig-3-washington"
FEB3 = "2025-02-03-tariff-pause-national-guard"
AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def events():
    return read_timeline()


@pytest.fixture(scope="module")
def grid(snapshot_store, events):
    return scorecard(snapshot_store, events, as_of=AS_OF)


def by_id(events, event_id):
    return next(e for e in events if e["id"] == event_id)


def words(cell: dict, lang: str) -> tuple[str, list[str]]:
    """A grid cell's sentence and notes in the language, as the page and the API word them."""
    result = Assessment.from_json(cell)
    return explain.sentence(result, lang), explain.notes(result, lang)


def test_rows_are_commitments_merged_by_month_or_45_days(grid, events):
    groups = commitment_groups(events, AS_OF)
    commitments = sorted((e for e in events if is_commitment(e) and e["date"] <= AS_OF),
                         key=lambda e: (e["date"], e["id"]))
    assert [e["id"] for group in groups for e in group] == [e["id"] for e in commitments]
    for group in groups:  # each next commitment of a row is within 45 days of the one before, or in its month
        for before, after in itertools.pairwise(group):
            assert (after["date"] - before["date"]).days <= JOINT_DAYS or \
                pd.Period(after["date"], "M") == pd.Period(before["date"], "M")
    for first, second in itertools.pairwise(groups):  # rows apart are more than 45 days and a month apart
        assert (second[0]["date"] - first[-1]["date"]).days > JOINT_DAYS
        assert pd.Period(second[0]["date"], "M") != pd.Period(first[-1]["date"], "M")
    assert len(grid["rows"]) == len(groups)
    for row, group in zip(grid["rows"], groups, strict=True):
        assert row["event"]["id"] == group[0]["id"]
        assert [m["id"] for m in row["event"]["merged"]] == [e["id"] for e in group[1:]]
        assert set(row["cells"]) == {i for e in group for i in links(e)}
    merged = [(row, group) for row, group in zip(grid["rows"], groups, strict=True) if len(group) > 1]
    assert merged, "the timeline has commitments close together; they must share one row"
    for row, group in merged:
        for indicator_id, cell in row["cells"].items():
            assessed = by_id(events, cell.get("event", row["event"]["id"]))
            sharing = [e for e in group if indicator_id in links(e) and e["id"] != assessed["id"]
                       and abs((e["date"] - assessed["date"]).days) <= JOINT_DAYS]
            if cell["verdict"] not in ("no_data", "no_data_after_event", "descriptive_only") and sharing:
                # one cell names every event it covers, by title
                text, text_es = " ".join(words(cell, "en")[1]), " ".join(words(cell, "es")[1])
                assert all(e["title"]["en"] in text and e["title"]["es"] in text_es for e in sharing), indicator_id


def test_columns_put_loaded_data_first_and_unloaded_sources_say_so(grid):
    available = [c for c in grid["columns"] if get_indicator(c).status == "available"]
    assert grid["columns"][: len(available)] == sorted(available)
    planned = [c for c in grid["columns"] if get_indicator(c).status != "available"]
    for row in grid["rows"]:
        for indicator_id in planned:
            if indicator_id in row["cells"]:
                assert row["cells"][indicator_id]["verdict"] == "no_data"


def test_cells_carry_units_intervals_and_the_detectable_change(grid, snapshot_store):
    cells = {row["event"]["id"]: row["cells"] for row in grid["rows"]}
    fentanyl = cells[FEB3]["cbp_fentanyl_seizures_swb_lbs"]
    assert fentanyl["unit"] == get_indicator("cbp_fentanyl_seizures_swb_lbs").unit
    assert fentanyl["ci_low"] <= fentanyl["effect"] <= fentanyl["ci_high"] and fentanyl["mde"] > 0
    newest = read_series(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", as_of=AS_OF)["period"].max()
    assert fentanyl["post_start"] == "2025-03-01" and fentanyl["data_through"] == f"{newest:%Y-%m-%d}"
    (text, _), (text_es, _) = words(fentanyl, "en"), words(fentanyl, "es")
    assert "lbs per month" in text and "libras por mes" in text_es
    if fentanyl["verdict"] == "too_noisy":
        assert "cannot tell a change smaller than" in text and fentanyl["mde_relative"] > 0.5
    assert fentanyl["scale"] == get_indicator("cbp_fentanyl_seizures_swb_lbs").model_scale == "log"


def test_the_grid_reports_q_values_and_what_chance_alone_would_flag(grid):
    tested = [c for row in grid["rows"] for c in row["cells"].values() if c.get("q_value") is not None]
    assert grid["tests"] == len(tested) > 0
    assert grid["expected_by_chance"] == pytest.approx(grid["alpha"] * grid["tests"], abs=0.01)
    assert all(c["q_value"] >= c["p_value"] for c in tested)


def test_a_merged_cell_judges_by_the_direction_all_its_events_share(grid, events):
    for row, group in zip(grid["rows"], commitment_groups(events, AS_OF), strict=True):
        for indicator_id, cell in row["cells"].items():
            directions = {links(e)[indicator_id] for e in group if indicator_id in links(e)}
            assert cell["expected_direction"] == (directions.pop() if len(directions) == 1 else "ambiguous")
            if cell["expected_direction"] == "ambiguous":
                assert cell["verdict"] not in ("improved", "worsened")


def test_rolling_cdc_cells_compare_one_12_month_total(grid, snapshot_store, events):
    event = by_id(events, "2025-02-27-security-cabinet-meets-rubio")
    result = verify(snapshot_store, "cdc_synthetic_opioid_deaths_12m", event, events=events, as_of=AS_OF)
    assert result.semantics == "rolling_12m" and result.cumulative_effect is None
    last = result.counterfactual.iloc[-1]
    assert result.effect == pytest.approx(last["actual"] - last["expected"])
    assert f"{result.total_start:%Y-%m} to {result.post_end:%Y-%m}" in explain.sentence(result, "en")


def test_cdc_cells_use_the_predicted_counts_where_published(snapshot_store, events):
    spec = get_indicator("cdc_synthetic_opioid_deaths_12m")
    frame = read_series(snapshot_store, spec, as_of=AS_OF).set_index("period")
    assert frame["value_predicted"].notna().any()
    event = by_id(events, "2025-02-27-security-cabinet-meets-rubio")
    result = verify(snapshot_store, spec, event, events=events, as_of=AS_OF)
    actual = result.counterfactual.set_index("period")["actual"]
    expected = frame["value_predicted"].fillna(frame["value"]).astype(float).reindex(actual.index)
    pd.testing.assert_series_equal(actual, expected, check_names=False)
    assert any("predicted counts" in note for note in explain.notes(result, "en"))


def test_as_of_reruns_with_the_data_known_then(snapshot_store, events):
    event = by_id(events, FEB3)
    later = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", event, events=events)
    then = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", event, events=events, as_of=dt.date(2025, 7, 1))
    assert then.data_through == dt.date(2025, 5, 1)  # the May release was the newest on 1 July 2025
    newest = pd.Period(read_series(snapshot_store, "cbp_fentanyl_seizures_swb_lbs")["period"].max(), "M")
    assert then.n_post == 3 and later.n_post == min(12, (newest - pd.Period(later.post_start, "M")).n + 1)
    before = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", event, events=events, as_of=dt.date(2025, 3, 1))
    assert before.verdict == "not_yet_verifiable"


def test_previous_linked_event_skips_same_month_events(events):
    assert previous_linked_event(events, by_id(events, SIG3), "cbp_fentanyl_seizures_swb_lbs") == dt.date(2025, 12, 15)
    assert previous_linked_event(events, by_id(events, FEB3), "cbp_fentanyl_seizures_swb_lbs") is None


def test_same_month_events_are_named(snapshot_store, events):
    result = verify(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", by_id(events, FEB3), events=events)
    ieepa = by_id(events, "2025-02-01-ieepa-tariff-order")
    notes, notes_es = explain.notes(result, "en"), explain.notes(result, "es")
    assert any(ieepa["title"]["en"] in note for note in notes)  # by title, never by id
    assert any(ieepa["title"]["es"] in note for note in notes_es)
    assert not any("2025-02-01-ieepa-tariff-order" in note for note in [*notes, explain.sentence(result, "en")])


def test_breakdown_indicators_are_not_assessable(snapshot_store, events):
    with pytest.raises(NotAssessable):
        verify(snapshot_store, "cbp_drug_seizures_by_type_lbs", by_id(events, FEB3), events=events)


def test_the_grid_is_computed_at_start_and_served_without_recomputing(store_factory, monkeypatch):
    from dashboard.app_factory import create_app

    engine = store_factory()
    app = create_app(engine=engine)  # first start: snapshot, timeline, then the stored grid
    events = precompute.read_events(engine)
    stored = read_derived(engine, precompute.NAME, precompute.scorecard_key(engine, events))
    assert stored is not None

    def refuse(*_args, **_kwargs):
        raise AssertionError("a request recomputed the scorecard")

    monkeypatch.setattr(precompute, "scorecard", refuse)
    body = app.server.test_client().get("/api/scorecard.json").get_json()
    stored = json.loads(stored)
    tested = [(row["event"]["id"], key) for row in stored["rows"] for key, cell in row["cells"].items()
              if cell["verdict"] != "no_data"]
    assert tested
    # The stored grid holds codes and numbers; the API words each tested cell, in both languages.
    for row, served in zip(stored["rows"], body["rows"], strict=True):
        for key, cell in row["cells"].items():
            assert not set(cell) & {"explanation", "explanation_es", "notes", "notes_es"}
            said = {} if cell["verdict"] == "no_data" else {
                "explanation": words(cell, "en")[0], "explanation_es": words(cell, "es")[0],
                "notes": words(cell, "en")[1], "notes_es": words(cell, "es")[1]}
            assert served["cells"][key] == {**cell, **said}
    assert {k: v for k, v in body.items() if k != "rows"} == {k: v for k, v in stored.items() if k != "rows"}


def test_a_publish_recomputes_the_stored_grid(prepared_store, tmp_path):
    engine = prepared_store  # the snapshot and its stored scorecard
    events = precompute.read_events(engine)
    before = precompute.scorecard_key(engine, events)
    from sqlalchemy.orm import Session

    from etl.common import load_origin
    from etl.store import Vintage, VintageRecord, publish  # a tiny hand-made release of one source

    with Session(engine) as session:
        newest = session.query(Vintage).filter(Vintage.source_id == "cdc_wonder").order_by(Vintage.id.desc()).first()
    observations = pd.DataFrame({
        "indicator": ["cdc_synthetic_opioid_deaths_monthly"], "period": [newest.period_end], "geo": ["US"],
        "value": [1.0], "flags": [""],
    })
    record = VintageRecord(source_id="cdc_wonder", file_name="hand-made.csv", url=None, sha256="0" * 64,
                           published_on=newest.published_on, published_on_basis="test",
                           retrieved_at=newest.retrieved_at, observations=observations)
    publish(engine, load_origin("cdc_wonder"), record, kind="import")
    assert precompute.scorecard_key(engine, events) != before
    assert precompute.stored_scorecard(engine, events) is None  # stale grids are never served
    pipeline.after_publish(engine)  # what `python -m etl` runs after publishing
    assert precompute.stored_scorecard(engine, events)["key"] == precompute.scorecard_key(engine, events)


def test_verify_api(client, snapshot_store):
    body = client.get(f"/api/verify?indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}").get_json()
    assert body["indicator"] == "cbp_fentanyl_seizures_swb_lbs" and body["event"] == FEB3 and body["geo"] == "US"
    newest = pd.Period(read_series(snapshot_store, "cbp_fentanyl_seizures_swb_lbs")["period"].max(), "M")
    months = min(12, (newest - pd.Period("2025-03", "M")).n + 1)
    assert body["method"] == "structural" and body["n_post"] == months and body["mde"] > 0
    assert len(body["counterfactual"]) == months and body["scale"] == "log"
    its = client.get(f"/api/verify?indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}&method=its&as_of=2025-07-01").get_json()
    assert its["method"] == "its" and its["data_through"] == "2025-05-01"
    tx = client.get("/api/verify?indicator=cdc_synthetic_opioid_deaths_12m&event=2025-02-27-security-cabinet-meets-rubio"
                    "&geo=TX").get_json()
    assert tx["geo"] == "TX" and tx["semantics"] == "rolling_12m" and tx["cumulative_effect"] is None


def test_verify_api_says_when_an_indicator_has_no_data(client, planned_indicator):
    response = client.get(f"/api/verify?indicator={planned_indicator}&event={FEB3}")
    assert response.status_code == 404 and "no data loaded yet" in response.get_json()["error"]


def test_annual_figures_give_a_descriptive_cell_without_an_interval(client):
    body = client.get(f"/api/verify?indicator=atf_mexico_us_sourced_traces&event={FEB3}").get_json()
    # The newest ATF figure (a multi-year window) ends before 2025: nothing after the event yet.
    assert body["verdict"] == "no_data_after_event" and body["ci_low"] is None and body["ci_high"] is None
    assert body["data_through"][:4] < "2025" and body["data_through"][:4] in body["explanation"]
    early = client.get("/api/verify?indicator=atf_mexico_us_sourced_traces&event=2025-02-03-tariff-pause-national-guard"
                       "&as_of=2010-06-01").get_json()
    assert early["verdict"] in ("no_data_after_event", "descriptive_only")


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("indicator=cbp_fentanyl_seizures_swb_lbs", 400, "required"),
        (f"indicator=nope&event={FEB3}", 404, "unknown indicator"),
        ("indicator=cbp_fentanyl_seizures_swb_lbs&event=nope", 404, "unknown event"),
        (f"indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}&method=magic", 400, "method="),
        (f"indicator=cbp_drug_seizures_by_type_lbs&event={FEB3}", 404, "broken down"),
        (f"indicator=cbp_fentanyl_seizures_swb_lbs&event={FEB3}&as_of=soon", 400, "is not a date"),
    ],
)
def test_verify_api_errors(client, query, status, message):
    response = client.get(f"/api/verify?{query}")
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_scorecard_api_matches_the_function(client, snapshot_store, events):
    body = when_ready(client, f"/api/scorecard.json?as_of={AS_OF}").get_json()
    direct = scorecard(snapshot_store, events, as_of=AS_OF)
    assert body["columns"] == direct["columns"] and body["tests"] == direct["tests"]
    assert [r["event"]["id"] for r in body["rows"]] == [r["event"]["id"] for r in direct["rows"]]
    first = direct["rows"][0]["cells"]["cbp_fentanyl_seizures_swb_lbs"]
    assert body["rows"][0]["cells"]["cbp_fentanyl_seizures_swb_lbs"]["effect"] == pytest.approx(first["effect"])


def test_the_scorecard_has_a_csv_twin_with_units_and_an_as_of_form(client):
    import io

    import pandas as pd

    grid = client.get("/api/scorecard.json").get_json()
    response = client.get("/api/scorecard.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    table = pd.read_csv(io.StringIO(text))  # a plain table
    meta = client.get("/api/scorecard.metadata.json").get_json()
    assert meta["tests"] == grid["tests"] and meta["key"] == grid["key"] and "/scorecard?as_of=" in meta["cite"]
    assert "scorecard.metadata.json" in response.headers["Link"] and "//api" not in response.headers["Link"]
    # The dated address it gives serves the same grid at once (today reads what is served now).
    from urllib.parse import urlsplit

    address = urlsplit(meta["data"])
    assert address.path == "/api/scorecard.csv" and address.query == f"as_of={meta['generated']}"
    dated = client.get(f"{address.path}?{address.query}")
    assert dated.status_code == 200 and dated.get_data(as_text=True) == text
    cells = {(row["event"]["id"], i): c["verdict"] for row in grid["rows"] for i, c in row["cells"].items()}
    assert dict(zip(zip(table["event_id"], table["indicator"], strict=True), table["verdict"], strict=True)) == cells
    with_numbers = table[table["effect"].notna()]
    assert not with_numbers.empty and with_numbers["unit"].notna().all()
    # An earlier date is its own grid (and its own file).
    assert when_ready(client, "/api/scorecard.csv?as_of=2026-01-01").status_code == 200
    assert client.get("/api/scorecard.metadata.json?as_of=2026-01-01").get_json()["as_of"] == "2026-01-01"
    assert client.get("/api/scorecard.csv?as_of=2026-13-01").status_code == 400


def test_a_past_date_is_computed_in_the_background_and_nobody_waits(client, snapshot_app, snapshot_store):
    """A scorecard for a past date not asked for before: the API answers 202 with Retry-After and
    the page says it is being computed (EN/ES) and waits for it; once stored, both serve it."""
    from dash import no_update
    from sqlalchemy import delete

    from dashboard import queries
    from dashboard.pages import scorecard as page
    from etl.store import DerivedResult

    day = "2025-10-15"
    with snapshot_store.begin() as conn:  # no grid stored for any past date, none cached
        conn.execute(delete(DerivedResult).where(DerivedResult.name.like("scorecard@%")))
    with snapshot_app.server.app_context():
        queries.cache.clear()
    first = client.get(f"/api/scorecard.json?as_of={day}")
    assert first.status_code == 202 and int(first.headers["Retry-After"]) > 0
    assert first.get_json()["status"] == "computing" and first.get_json()["as_of"] == day
    assert client.get(f"/api/scorecard.csv?as_of={day}").status_code in (200, 202)
    with snapshot_app.server.test_request_context(f"/scorecard?as_of={day}"):
        for lang in ("en", "es"):
            shown = page.layout(lang=lang, as_of=day)
            text = str(shown)
            if "scorecard-table" in text:  # computed meanwhile
                continue
            assert t("scorecard_computing", lang, day=day) in text and "scorecard-wait" in text, text[:300]
    ready = when_ready(client, f"/api/scorecard.json?as_of={day}")
    assert ready.status_code == 200 and ready.get_json()["as_of"] == day
    with snapshot_app.server.test_request_context(f"/scorecard?as_of={day}"):
        assert "scorecard-table" in str(page.layout(lang="en", as_of=day))
        # The waiting page's timer then loads the page's address.
        assert page._ready(1, {"as_of": day, "lang": "es"}) == f"/scorecard?as_of={day}&lang=es"
        assert page._ready(1, {"as_of": "https://elsewhere.example/"}) is no_update


def test_a_past_date_that_cannot_be_computed_says_so(client, snapshot_app, monkeypatch):
    """A computation that fails is not retried for every request: the API answers 500 with the
    reason in one line and the page says it (EN/ES), for a while; then it is tried again."""
    from dashboard import queries
    from dashboard.pages import scorecard as page

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a planted failure")

    monkeypatch.setattr(precompute, "scorecard", broken)
    day = "2025-08-20"
    with snapshot_app.server.app_context():
        queries.cache.clear()
    response = when_ready(client, f"/api/scorecard.json?as_of={day}")
    assert response.status_code == 500
    assert "could not be computed: ZeroDivisionError: a planted failure" in response.get_json()["error"]
    with snapshot_app.server.test_request_context(f"/scorecard?as_of={day}"):
        for lang in ("en", "es"):
            assert t("scorecard_failed", lang, day=day, reason="")[:40] in str(page.layout(lang=lang, as_of=day))
    precompute._past_failed.clear()  # (the next test asking for this date computes it again)


def test_tested_cells_with_controls_carry_the_control_series_check(grid, snapshot_store):
    # Every tested cell of an indicator with control series shows the check, named from the
    # registry; where the controls cover the window it has an interval and a sentence in both
    # languages; where they do not it says it could not run.
    checked = 0
    for row in grid["rows"]:
        for indicator_id, cell in row["cells"].items():
            spec = get_indicator(indicator_id)
            if not spec.donors or not cell.get("checks"):
                continue
            check = next(c for c in cell["checks"] if c["check"] == "donors")
            assert check["offered"] == [d["id"] for d in spec.donors] and set(check["donors"]) <= set(check["offered"])
            labels = {d["id"]: d["label"] for d in spec.donors}
            assert check["names"] == ", ".join(labels[k]["en"] for k in check["donors"])
            if check["reading"] == "not_possible":
                assert check["passed"] is None and "ci_low" not in check
                continue
            checked += 1
            assert check["ci_low"] <= check["effect"] <= check["ci_high"]
            assert any(n["code"] == f"donors_{check['reading']}" for n in cell["note_codes"])
            assert any(check["names"] in n for n in words(cell, "en")[1])
            assert any(check["names_es"] in n for n in words(cell, "es")[1])
    assert checked > 0


def test_control_series_read_the_base_with_their_own_filters():
    from indicators.registry import donor_specs, registry_problems

    assert registry_problems() == []
    for spec in (get_indicator("cbp_fentanyl_seizures_swb_lbs"), get_indicator("cdc_synthetic_opioid_deaths_12m")):
        for donor, donor_spec in donor_specs(spec):
            base = get_indicator(donor["indicator"]) if donor.get("indicator") else spec
            assert donor_spec.base == base.base and donor_spec.breakdown is None
            assert donor_spec.filters == {**base.filters, **donor.get("filters", {})}
            assert donor_spec.filters != spec.filters or donor_spec.base != spec.base  # never the series itself


def test_scorecards_for_past_dates_are_capped(store, monkeypatch):
    """Anyone may ask for any as_of date: the stored grids for past dates stay bounded, the oldest
    computed dropped first."""
    import datetime as dt

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from etl.store import DerivedResult
    from indicators import precompute

    monkeypatch.setattr(precompute, "AS_OF_KEPT", 2)
    # First days of successive months: each reads another month, so each is its own grid.
    days = [dt.date(2025 + i // 12, 1 + i % 12, 1) for i in range(precompute.AS_OF_KEPT + 2)]
    for day in days:
        precompute.refresh_scorecard(store, [], as_of=day)
    with Session(store) as session:
        kept = sorted(session.scalars(select(DerivedResult.name).where(DerivedResult.name.like("scorecard@%"))))
    assert kept == sorted(f"scorecard@{precompute.as_of_key(store, [], day)}:{day.isoformat()}"
                          for day in days[-precompute.AS_OF_KEPT:])


def test_past_dates_that_read_the_same_data_share_one_stored_grid(store, raw_dir, monkeypatch):
    """An as_of date maps to what the grid depends on (vintages in force, month, commitments made
    by then): two dates of one month with nothing published or committed between them are one
    computation; a publication or an event between them makes another."""
    import datetime as dt

    from etl import pipeline, timeline
    from etl.sources import get_source
    from etl.store import list_vintages, read_events, withdraw
    from indicators import precompute

    timeline.load_into_store(store)
    path = min(get_source("cdc_vsrr").raw_files(raw_dir), key=lambda p: p.stat().st_size)
    pipeline.import_file(store, "cdc_vsrr", path, published_on=dt.date(2026, 5, 13))
    events = read_events(store)
    event_days = {dt.date.fromisoformat(str(e["date"])[:10]) for e in events}
    published = {v.published_on for v in list_vintages(store)}
    # A month after the release with no event in it.
    month = next(dt.date(2026 + m // 12, 1 + m % 12, 1) for m in range(6, 24)
                 if not any((d.year, d.month) == (2026 + m // 12, 1 + m % 12) for d in event_days | published))
    calls = []
    real = precompute.compute_scorecard
    monkeypatch.setattr(precompute, "compute_scorecard", lambda *a, **k: calls.append(k.get("as_of", a[-1])) or
                        real(*a, **k))

    first = precompute.scorecard_grid(store, events, month)
    second = precompute.scorecard_grid(store, events, month.replace(day=20))
    assert len(calls) == 1
    assert first["as_of"] == month.isoformat() and second["as_of"] == month.replace(day=20).isoformat()
    assert second["computed_as_of"] == month.isoformat()
    assert {k: v for k, v in second.items() if k != "as_of"} == {k: v for k, v in first.items() if k != "as_of"}

    # The day of an event: other commitments made by then, another grid.
    event_day = min(d for d in event_days if d.day > 1)  # the day before is in the same month
    precompute.scorecard_grid(store, events, event_day)
    precompute.scorecard_grid(store, events, event_day - dt.timedelta(days=1))
    assert len(calls) == 3
    # A withdrawal dated inside the month: the later date reads other vintages (a new grid); the
    # date before it still reads what it read (the stored grid).
    vintage = list_vintages(store)[0]
    withdraw(store, vintage.id, "test", on=month.replace(day=10))
    n = len(calls)
    assert precompute.scorecard_grid(store, events, month)["computed_as_of"] == month.isoformat()
    precompute.scorecard_grid(store, events, month.replace(day=20))
    assert len(calls) == n + 1


def test_a_grid_for_one_date_is_not_reused_across_a_due_publication():
    """A not-yet-verifiable cell says "expected by" before its publication date and "overdue"
    after it: the stored grid serves another date only on the same side of every such date."""
    from indicators import precompute

    grid = {"computed_as_of": "2026-03-01", "thresholds": ["2026-03-31"]}
    import datetime as dt

    assert precompute._reusable(grid, dt.date(2026, 3, 30))
    assert not precompute._reusable(grid, dt.date(2026, 3, 31))
    assert precompute._reusable({**grid, "computed_as_of": "2026-04-02"}, dt.date(2026, 3, 31))


def test_a_missing_grid_is_computed_once_across_waiting_requests(store, monkeypatch):
    """Single-flight: requests for the same missing grid wait for one computation; while another
    process computes it, the previous data's grid is served, marked as updating."""
    import threading
    import time

    from etl import timeline
    from etl.store import derived_lock, read_events
    from indicators import precompute

    timeline.load_into_store(store)  # the events only: a grid of untestable cells is quick to compute
    events = read_events(store)
    calls = []
    real = precompute.compute_scorecard

    def counted(*args, **kwargs):
        calls.append(1)
        time.sleep(0.5)  # long enough that the other requests arrive while it computes
        return real(*args, **kwargs)

    monkeypatch.setattr(precompute, "compute_scorecard", counted)
    results = []
    start = threading.Barrier(3)  # all three ask at once

    def ask():
        start.wait()
        results.append(precompute.scorecard_grid(store, events))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == 3 and not any(r.get("updating") for r in results)
    # New data (a changed timeline digest stands in for a publish): while another process holds the
    # computation, the grid of the previous data is served, marked as updating, and nothing computed.
    changed = [*events[1:]]
    with derived_lock(store, "scorecard"):
        stale = precompute.scorecard_grid(store, changed)
    assert stale["updating"] is True and len(calls) == 1
    # Once the lock is free, the next request is still answered at once with the previous grid,
    # while one background thread computes the new one; later requests get it.
    assert precompute.scorecard_grid(store, changed)["updating"] is True
    deadline = time.monotonic() + 60
    while (fresh := precompute.scorecard_grid(store, changed)).get("updating") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not fresh.get("updating") and len(calls) == 2
    assert fresh["key"] == precompute.scorecard_key(store, changed)
