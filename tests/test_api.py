"""The machine-readable twins, in-process through Flask's test client (snapshot store)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from etl.store import RefreshRun, list_vintages, record_run, utcnow
from etl.timeline import read_timeline
from indicators.registry import INDICATORS, available_indicators


def test_indicator_index_lists_every_indicator_with_source_and_geos(client):
    body = client.get("/api/indicators").get_json()
    by_id = {item["id"]: item for item in body["indicators"]}
    assert set(by_id) == set(INDICATORS)
    fentanyl = by_id["cbp_fentanyl_seizures_swb_lbs"]
    assert fentanyl["geos"] == ["US"]
    assert fentanyl["source"]["citation"].startswith("U.S. Customs and Border Protection")
    assert fentanyl["name"]["es"].startswith("Decomisos de fentanilo")
    assert "YC" in by_id["cdc_synthetic_opioid_deaths_12m"]["geos"]
    for spec in INDICATORS.values():
        assert by_id[spec.id]["status"] == spec.status
    assert {"MX", "MX-CHH"} <= set(by_id["sesnsp_homicides_daily_avg"]["geos"])


def export_csv(client, url: str) -> tuple[dict, list[dict]]:
    """An exported CSV's table (a plain table: nothing above the header) and the metadata served
    beside it (``.metadata.json`` with the same parameters)."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert not text.startswith("#")
    path, _, query = url.partition("?")
    meta = client.get(path.rsplit(".", 1)[0] + ".metadata.json" + (f"?{query}" if query else ""))
    assert meta.status_code == 200, meta.get_data(as_text=True)[:300]
    return meta.get_json(), list(csv.DictReader(io.StringIO(text)))


def test_csv_has_period_geo_value_flags_and_vintage(client, snapshot_store):
    import datetime as dt

    import pandas as pd

    url = "/api/indicators/cbp_fentanyl_seizures_swb_lbs.csv?from=2025-01&to=2025-12"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    meta, rows = export_csv(client, url)
    # How to cite it is beside it: the citation, unit, vintages (full checksums) and the dated view.
    assert "U.S. Customs and Border Protection" in meta["citation"] and "lbs" in meta["unit"]
    used = {int(r["vintage_id"]) for r in rows}
    assert used and {v["sha256"] for v in meta["vintages"] if v["id"] in used} == {
        v.sha256 for v in list_vintages(snapshot_store) if v.id in used}
    assert meta["view"].endswith("indicator=cbp_fentanyl_seizures_swb_lbs&geo=US&from=2025-01&to=2025-12"
                                 f"&as_of={dt.date.today().isoformat()}")
    assert meta["view"] in meta["cite"] and all(v["sha256"] in meta["cite"] for v in meta["vintages"])
    assert 'rel="describedby"' in response.headers["Link"] and ".metadata.json?" in response.headers["Link"]
    # A plain table: pandas reads it with no options.
    assert len(pd.read_csv(io.StringIO(response.get_data(as_text=True)))) == len(rows)
    assert [r["period"] for r in rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert set(rows[0]) == {"indicator", "period", "geo", "value", "flags", "vintage_id", "vintage", "vintage_published_on"}
    assert rows[0]["value"] == "990.11"  # at the 0.01 lb declared in the origin file
    assert rows[-1]["flags"] == "provisional"
    # The rows come from the newest release (it covers all of 2025), and the header cites it.
    newest = max(list_vintages(snapshot_store, "cbp_drug_seizures"), key=lambda v: (v.published_on, v.id))
    assert {r["vintage"] for r in rows} == {newest.file_name}
    assert newest.file_name in response.headers["X-Verifica-Citation"]


def test_every_served_csv_reads_with_plain_read_csv(client):
    """Every CSV the app serves is a plain table: pandas.read_csv(url) with no options gives the
    header as columns and every row."""
    import pandas as pd

    urls = [f"/api/indicators/{spec.id}.csv" for spec in available_indicators()]
    urls += ["/api/scorecard.csv"]
    for url in urls:
        text = client.get(url).get_data(as_text=True)
        table = pd.read_csv(io.StringIO(text))
        header = next(csv.reader(io.StringIO(text)))
        assert list(table.columns) == header and len(table) == len(list(csv.DictReader(io.StringIO(text)))), url


def test_downloads_round_to_the_publishers_precision(client):
    """Each indicator's values carry at most the decimals declared for its series in the origin
    file (or its transform's), never the 6-13 of summed metric conversions; the metadata says so."""
    import pandas as pd

    from indicators.series import decimals

    places_seen = set()
    for spec in available_indicators():
        text = client.get(f"/api/indicators/{spec.id}.csv").get_data(as_text=True)
        column = pd.read_csv(io.StringIO(text), dtype={"value": str})["value"].dropna()
        places = decimals(spec)
        places_seen.add(places)
        longest = max((len(v.split(".")[1]) if "." in v else 0) for v in column)
        assert longest <= places, (spec.id, longest, places)
        assert not (places == 0 and column.str.contains(r"\.").any()), spec.id  # whole numbers as such
        notes = client.get(f"/api/indicators/{spec.id}.metadata.json").get_json()["notes"]
        assert any(f"{places} decimal" in note for note in notes), spec.id
    assert len(places_seen) > 1  # the declarations differ: the check is not one number everywhere


def test_json_twin_has_the_same_rows_and_a_citation(client):
    params = "geo=TX&from=2025-01&to=2025-06"
    body = client.get(f"/api/indicators/cdc_synthetic_opioid_deaths_12m.json?{params}").get_json()
    _meta, rows = export_csv(client, f"/api/indicators/cdc_synthetic_opioid_deaths_12m.csv?{params}")
    assert [r["period"] for r in rows] == [d["period"] for d in body["data"]]
    assert [float(r["value"]) for r in rows] == [d["value"] for d in body["data"]]
    assert body["query"] == {"geo": "TX", "from": "2025-01", "to": "2025-06", "as_of": None}
    assert body["data"][0]["value_predicted"] >= body["data"][0]["value"]
    assert "Vital Statistics Rapid Release" in body["citation"]


def test_a_bare_data_url_returns_the_whole_series(client, snapshot_store):
    """Data downloads without ``from=`` are every month the store holds, not the explorer's
    display window; the explorer's own address (with ``from``) still gives its window."""
    from indicators.series import read_series

    for spec in available_indicators():
        if spec.semantics == "annual" or spec.breakdown:
            continue
        months = read_series(snapshot_store, spec)["period"].dt.strftime("%Y-%m").tolist()
        body = client.get(f"/api/indicators/{spec.id}.json").get_json()
        assert [d["period"] for d in body["data"]] == months, spec.id
        assert body["query"]["from"] is None
        _meta, rows = export_csv(client, f"/api/indicators/{spec.id}.csv")
        assert [r["period"] for r in rows] == months, spec.id
        window = client.get(f"/api/indicators/{spec.id}.json?from=2025-01").get_json()["data"]
        assert [d["period"] for d in window] == [m for m in months if m >= "2025-01"]


def test_as_of_returns_what_was_published_by_then(client):
    latest = client.get("/api/indicators/cdc_synthetic_opioid_deaths_12m.json?geo=US&from=2025-06").get_json()
    earlier = client.get("/api/indicators/cdc_synthetic_opioid_deaths_12m.json?geo=US&from=2025-06"
                         "&as_of=2026-03-01").get_json()
    assert latest["data"][-1]["period"] == "2026-01"
    assert earlier["data"][-1]["period"] == "2025-08"
    assert {d["vintage"] for d in earlier["data"]} == {"vsrr_20260214_US_national_5indicators_subset.csv"}
    assert client.get("/api/indicators/cdc_synthetic_opioid_deaths_12m.json?as_of=2015-01-01").get_json()["data"] == []


def test_breakdown_indicator_carries_its_dimension(client):
    body = client.get("/api/indicators/cbp_drug_seizures_by_type_lbs.json?from=2025-12&to=2025-12").get_json()
    categories = {d["category"] for d in body["data"]}
    assert {"Fentanyl", "Methamphetamine", "Cocaine", "Marijuana"} <= categories
    assert len(body["data"]) == len(categories)


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/indicators/no_such.csv", 404, "unknown indicator"),
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.xml", 404, "use .csv, .json, .xlsx, .zip, .png, .svg or .pdf"),
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.json?from=2025-13", 400, "is not a month"),
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.json?as_of=yesterday", 400, "is not a date"),
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.json?region=x", 400, "unknown parameter"),
    ],
)
def test_bad_requests_get_clear_errors(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_an_indicator_without_data_is_a_clear_404(client, planned_indicator):
    response = client.get(f"/api/indicators/{planned_indicator}.json")
    assert response.status_code == 404 and "no data loaded yet" in response.get_json()["error"]


def test_events_json_in_both_languages(client):
    events = client.get("/api/events.json").get_json()["events"]
    assert len(events) == len(read_timeline()) and events[0]["date"] <= events[-1]["date"]
    spanish = client.get("/api/events.json?lang=es").get_json()["events"]
    assert spanish[0]["title"] == events[0]["title"]["es"]


def test_status_reports_a_failed_refresh(client, snapshot_store):
    record_run(snapshot_store, RefreshRun(source_id="cdc_vsrr", kind="refresh", started_at=utcnow(),
                                          outcome="failed", message="HTTP 503"))
    try:
        failing = client.get("/api/status.json").get_json()["failing"]
        assert [(f["source_id"], f["kind"]) for f in failing] == [("cdc_vsrr", "refresh")]
        assert "message" not in failing[0]  # public: no file contents, paths or SQL
        # An unchanged import does not clear a refresh failure that is still happening.
        record_run(snapshot_store, RefreshRun(source_id="cdc_vsrr", kind="import", started_at=utcnow(),
                                              outcome="unchanged", message="same file"))
        assert len(client.get("/api/status.json").get_json()["failing"]) == 1
    finally:
        record_run(snapshot_store, RefreshRun(source_id="cdc_vsrr", kind="refresh", started_at=utcnow(),
                                              outcome="ok", message="cleanup: a refresh that worked"))
    assert client.get("/api/status.json").get_json()["failing"] == []


def test_every_available_indicator_has_a_documented_source(snapshot_store):
    from etl.common import load_origin

    for spec in available_indicators():
        origin = load_origin(spec.source_id)
        for field in ("producer", "title", "citation", "attribution", "url_main", "licence"):
            assert origin.get(field), (spec.id, field)
        assert spec.name["en"] and spec.name["es"] and spec.unit["es"] and spec.caveats, spec.id


def test_estimated_release_dates_are_shown_as_estimates(client):
    body = client.get("/api/indicators/cbp_fentanyl_seizures_swb_lbs.json").get_json()
    estimated = [v for v in body["vintages"] if v["estimated"]]
    assert estimated and all(v["published_on_basis"].startswith("estimated") for v in estimated)
    assert f"(published ~{estimated[0]['published_on']} (estimated" in body["citation"]


def test_xlsx_has_the_data_and_a_metadata_sheet(client, snapshot_store):
    import pandas as pd

    url = "/api/indicators/cbp_fentanyl_seizures_swb_lbs"
    response = client.get(f"{url}.xlsx?from=2025-01&to=2025-12")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="cbp_fentanyl_seizures_swb_lbs_US.xlsx"' in response.headers["Content-Disposition"]
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None)
    _meta, rows = export_csv(client, f"{url}.csv?from=2025-01&to=2025-12")
    assert list(sheets["data"]["period"]) == [r["period"] for r in rows]
    assert list(sheets["data"]["value"]) == pytest.approx([float(r["value"]) for r in rows])
    fields = dict(zip(sheets["metadata"]["field"], sheets["metadata"]["value"], strict=True))
    assert "U.S. Customs and Border Protection" in fields["citation"]
    assert "?indicator=cbp_fentanyl_seizures_swb_lbs&geo=US&from=2025-01&to=2025-12&as_of=" in fields["view"]
    assert fields["cite"].startswith(fields["citation"].split(" Vintage(s)")[0])
    used = {int(r["vintage_id"]) for r in rows}
    for vintage in list_vintages(snapshot_store):
        if vintage.id in used:
            assert vintage.sha256 in fields[f"vintage #{vintage.id}"]


def test_csv_of_a_tested_event_carries_the_counterfactual_and_the_result(client):
    """The counterfactual the chart draws, in the file: expected level and interval per month,
    and the answer in words in the metadata beside it."""
    from dashboard import queries
    from indicators.registry import get_indicator
    from indicators.series import decimals

    indicator = "cbp_fentanyl_seizures_swb_lbs"
    event = next(e["id"] for e in read_timeline()
                 if any(i["indicator"] == indicator for i in e.get("indicators") or []))
    meta, rows = export_csv(client, f"/api/indicators/{indicator}.csv?from=2022-01&event={event}")
    with client.application.app_context():  # the session's app on the snapshot store
        result = queries.assessment(indicator, event)
    band = result.counterfactual.assign(period=lambda f: pd.to_datetime(f["period"]).dt.strftime("%Y-%m"))
    by_month = {r["period"]: r for r in rows}
    assert len(band) > 0
    for row in band.itertuples():
        if row.period in by_month:
            # At the series' precision, declared in its origin file.
            places = decimals(get_indicator(indicator))
            assert float(by_month[row.period]["counterfactual"]) == round(row.expected, places)
            assert float(by_month[row.period]["counterfactual_lower"]) == round(row.lower, places)
    assert meta["result"]["event"] == event and meta["result"]["headline"]
    assert any("counterfactual" in note for note in meta["notes"])


def test_health_names_the_store_version_and_fails_when_the_store_cannot_be_read(client, snapshot_store, tmp_path):
    from sqlalchemy import create_engine

    from dashboard.app_factory import create_app
    from etl.store import data_version

    body = client.get("/api/health").get_json()
    assert body == {"status": "ok", "store_version": data_version(snapshot_store)}
    # A store that cannot be read (a folder that does not exist): 503, not a page of errors.
    broken = create_app(engine=create_engine(f"sqlite:///{tmp_path}/missing/x.db"), prepare_store=False)
    response = broken.server.test_client().get("/api/health")
    assert response.status_code == 503 and response.get_json() == {"error": "the store cannot be read"}


def test_health_fails_on_a_store_nobody_prepared(tmp_path):
    """A migrated but empty store (the read-only split before anything loaded it) serves an empty
    dashboard: health says so with 503, and once data and timeline are in, 200."""
    from dashboard.app_factory import create_app
    from etl import cbp_drug_seizures, timeline
    from etl.common import load_origin
    from etl.store import init_schema, make_engine, publish
    from tests.helpers import full_window

    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    init_schema(engine)
    client = create_app(engine=engine, prepare_store=False).server.test_client()
    response = client.get("/api/health")
    assert response.status_code == 503 and "holds no data" in response.get_json()["error"]
    # Data in (a small hand-written release; loading the whole snapshot took seconds), no timeline yet.
    publish(engine, load_origin(cbp_drug_seizures.SOURCE_ID),
            cbp_drug_seizures.build_record(full_window(), "nationwide-drugs-fy23-fy26-dec.csv"), kind="import")
    response = client.get("/api/health")
    assert response.status_code == 503 and "no timeline events" in response.get_json()["error"]
    timeline.load_into_store(engine)
    assert timeline.read_timeline()  # the curated timeline is not empty
    assert client.get("/api/health").status_code == 200


def test_status_and_every_view_say_when_a_source_is_overdue(client, snapshot_store, snapshot_app):
    """A live source whose next release is late: listed in status.json for operators, and said on
    every view of its indicators for readers (EN/ES); a view as known on a past date does not say it."""
    from dash import html

    from dashboard.i18n import t
    from dashboard.pages.explorer import render_state
    from dashboard.state import ExplorerState
    from etl.store import freshness, overdue_sources

    late = {source_id: item.next_due for item in freshness(snapshot_store)
            for source_id, _ in overdue_sources(snapshot_store) if item.source_id == source_id}
    body = client.get("/api/status.json").get_json()
    assert [item["source_id"] for item in body["overdue"]] == sorted(late)
    assert all(item["expected_by"] == late[item["source_id"]].isoformat() for item in body["overdue"])
    specs = [spec for spec in available_indicators() if spec.source_id in late]
    if not specs:
        pytest.skip("no live source is overdue today")  # (the committed data grow older: not for long)
    spec = specs[0]
    with snapshot_app.server.test_request_context("/"):
        for lang in ("en", "es"):
            info = render_state(ExplorerState(spec.id, lang=lang))["info"]
            notices = [p for p in info if isinstance(p, html.P) and getattr(p, "id", None) == "stale-notice"]
            assert notices and t("stale_notice", lang, month="", due="").split(":")[0] in notices[0].children
            assert late[spec.source_id].isoformat() in notices[0].children
        past = render_state(ExplorerState(spec.id, as_of=__import__("datetime").date(2025, 6, 1)))["info"]
        assert "stale-notice" not in str(past)
    # The operator's command is on the status page and in status.json, never in a reader's sentence.
    assert all(item["operator_hint"].endswith(f"etl refresh {item['source_id']}") for item in body["overdue"])
    from tests.helpers import render

    layout, _title = render(snapshot_app, "/sources", "?lang=es")
    text = __import__("json").dumps(layout, ensure_ascii=False)
    assert all(f"etl refresh {source_id}" in text for source_id in late)
    assert text.count("Una publicación más reciente está atrasada") == len(late)


def test_an_indicator_whose_definition_reads_another_source_cites_it_in_every_export(client, snapshot_store):
    """A rate per 100,000 people divides by CONAPO's population whether the registry defines it
    (``sesnsp_homicide_rate_100k``) or the view asks for it (``transform=per100k``): every export
    cites the population's source and the vintage read, as for any other input."""
    from indicators.series import sources_read
    from indicators.service import source_card

    read_more = [spec for spec in available_indicators() if len(sources_read(spec)) > 1]
    assert read_more
    for spec in read_more:
        others = [s for s in sources_read(spec) if s != spec.source_id]
        url = f"/api/indicators/{spec.id}"
        meta = client.get(f"{url}.metadata.json").get_json()
        twin = client.get(f"{url}.json").get_json()
        for source_id in others:
            cited = [v for v in list_vintages(snapshot_store, source_id) if v.withdrawn_on is None]
            citation = source_card(snapshot_store, source_id)["citation"]
            for body in (meta, twin):
                assert any(v["id"] == cited[-1].id and v["sha256"] == cited[-1].sha256 for v in body["vintages"]), \
                    (spec.id, source_id)
                assert citation in body["citation"] and citation in body["cite"]
                assert cited[-1].file_name in body["citation"] and cited[-1].file_name in body["cite"]
        header = client.get(f"{url}.csv").headers["X-Verifica-Citation"]
        sheets = pd.read_excel(io.BytesIO(client.get(f"{url}.xlsx").data), sheet_name=None)
        fields = dict(zip(sheets["metadata"]["field"], sheets["metadata"]["value"], strict=True))
        for source_id in others:
            newest = [v for v in list_vintages(snapshot_store, source_id) if v.withdrawn_on is None][-1]
            assert newest.file_name in header and newest.sha256 in fields[f"vintage #{newest.id}"]
    # The same numbers reached through the explorer's transform cite the same population release.
    rate = client.get("/api/indicators/sesnsp_homicide_rate_100k.metadata.json?geo=MX-SIN").get_json()
    transformed = client.get("/api/indicators/sesnsp_homicide_victims.metadata.json?geo=MX-SIN&transform=per100k"
                             ).get_json()
    population = {v["id"] for v in transformed["vintages"]} - {v["id"] for v in client.get(
        "/api/indicators/sesnsp_homicide_victims.metadata.json?geo=MX-SIN").get_json()["vintages"]}
    assert population and population <= {v["id"] for v in rate["vintages"]}


def test_an_image_cites_every_source_its_indicator_reads(client, snapshot_app, monkeypatch):
    """The printed citation of a rate per 100,000 names CONAPO beside SESNSP (its definition reads
    the population), as its data downloads do: checked on the figure handed to the renderer."""
    from dashboard import exports, queries
    from etl.conapo_population import SOURCE_ID as POPULATION_SOURCE

    drawn = []
    monkeypatch.setattr(exports, "render", lambda figure, fmt, size: drawn.append(figure) or b"image")
    spec = "sesnsp_homicide_rate_100k"
    response = client.get(f"/api/indicators/{spec}.png?geo=MX-SIN&from=2024-06")
    assert response.status_code == 200 and drawn
    footer = next(a.text for a in drawn[0].layout.annotations if a.name == "report-citation").replace("<br>", " ")
    for source_id in (INDICATORS[spec].source_id, POPULATION_SOURCE):
        with snapshot_app.server.app_context():
            citation = queries.source_card(source_id)["citation"]
        assert " ".join(citation.split()[:6]) in " ".join(footer.split()), source_id
