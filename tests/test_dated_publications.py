"""Tables of dated publications (the official claims, ATF's figures): each row is a publication of
its own, so a table is loaded as one release per publication date and ``as_of`` reads return what
had been published by that date."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pandas as pd
import pytest

from etl import atf_mexico_traces, claims_homicide, claims_security_results, pipeline
from etl.source import csv_records, dated_cuts, publication_date
from etl.store import list_vintages
from indicators.claims import check_claims, read_claims
from indicators.registry import INDICATORS
from indicators.series import read_series

HEADER = "fuente_oficial,periodo,indicador,valor,unidad,tipo_dato,cita_url,fecha_publicacion,nota\n"
ROWS = [
    "Gobierno,2024-09,homicidio_doloso_promedio_diario,86.9,víctimas/día,mensual,https://x.test/1,2024-10-10,\n",
    'INEGI,2023,defunciones_por_homicidio,31062,defunciones,anual (base INEGI),https://x.test/2,2024-08,"dos\nlíneas"\n',
    "Gobierno,2024-12,homicidio_doloso_promedio_diario,72.8,víctimas/día,mensual,https://x.test/3,2025-01-09,\n",
    "Gobierno,2025-01,homicidio_doloso_promedio_diario,70.1,víctimas/día,mensual,https://x.test/4,2025-02-11,\n",
    "Gobierno,2025-01,homicidio_doloso_promedio_diario,70.2,víctimas/día,mensual,https://x.test/5,,sin fecha\n",
]


def table(rows: list[str]) -> bytes:
    return (HEADER + "".join(rows)).encode()


def test_publication_dates_to_the_day_month_or_year():
    assert publication_date("2025-01-09") == dt.date(2025, 1, 9)
    # Dated to the month or the year: surely out by its end, never before.
    assert publication_date("2025-01") == dt.date(2025, 1, 31)
    assert publication_date("2024-02") == dt.date(2024, 2, 29)
    assert publication_date("2012") == dt.date(2012, 12, 31)
    assert publication_date("") is None and publication_date("n/d") is None


def test_a_table_is_cut_at_each_publication_date_byte_for_byte():
    content = table(ROWS)
    header, records = csv_records(content)
    assert header == HEADER.encode() and records == [row.encode() for row in ROWS]  # a quoted line break stays
    cuts = dated_cuts(content, "homicidios.csv", "fecha_publicacion")
    assert [day for day, _ in cuts] == [dt.date(2024, 8, 31), dt.date(2024, 10, 10), dt.date(2025, 1, 9),
                                        dt.date(2025, 2, 11)]
    assert cuts[0][1] == table([ROWS[1]])
    assert cuts[1][1] == table(ROWS[:2])  # file order kept
    assert cuts[-1][1] == content  # the newest is the file itself, its undated row included

    records_ = claims_homicide.build_records(content, "homicidios.csv")
    assert [r.published_on for r in records_] == [day for day, _ in cuts]
    assert [r.sha256 for r in records_] == [hashlib.sha256(part).hexdigest() for _, part in cuts]
    assert [len(r.observations) for r in records_] == [1, 2, 3, 5]
    assert records_[-1].sha256 == claims_homicide.build_record(content, "homicidios.csv").sha256


def test_claims_as_known_on_a_date_are_those_stated_by_then(store, tmp_path):
    path = tmp_path / "homicidios.csv"
    path.write_bytes(table(ROWS[:4]))
    run = pipeline.import_file(store, claims_homicide.SOURCE_ID, path)
    assert run.outcome == "ok" and len(list_vintages(store, claims_homicide.SOURCE_ID)) == 4
    for day in (dt.date(2024, 7, 31), dt.date(2024, 10, 9), dt.date(2024, 10, 10), dt.date(2025, 6, 1)):
        expected = {f"https://x.test/{i + 1}" for i, row in enumerate(ROWS[:4])
                    if publication_date(row.split(",")[7]) <= day}
        assert set(read_claims(store, day).get("url", pd.Series(dtype=str))) == expected, day
        # (the curated headline claims are data of the repository, not of this table)
        assert {item["url"] for item in check_claims(store, [], day) if not item.get("curated")} == expected, day
    # The same table again changes nothing; a new statement is one more release, the rest unchanged.
    assert pipeline.import_file(store, claims_homicide.SOURCE_ID, path).outcome == "unchanged"
    path.write_bytes(table(ROWS))
    assert pipeline.import_file(store, claims_homicide.SOURCE_ID, path).outcome == "ok"
    assert len(list_vintages(store, claims_homicide.SOURCE_ID)) == 5
    assert len(read_claims(store)) == len(ROWS)


def test_the_claims_api_as_of_a_date_lists_the_statements_made_by_then(client):
    day = dt.date(2025, 12, 31)
    everything = client.get("/api/claims.json").get_json()["items"]
    stated = {item["id"] for item in everything
              if publication_date(item["stated_on"]) and publication_date(item["stated_on"]) <= day}
    assert 0 < len(stated) < len(everything)
    body = client.get(f"/api/claims.json?as_of={day}").get_json()
    assert body["claims"] == len(stated)
    assert {item["id"] for item in body["items"]} == stated


def test_every_claim_source_is_a_release_per_statement_date(snapshot_store):
    for module in (claims_homicide, claims_security_results):
        claims = read_claims(snapshot_store)
        dates = {publication_date(s) for s in claims.loc[claims["source_id"] == module.SOURCE_ID, "stated_on"]}
        released = [v.published_on for v in list_vintages(snapshot_store, module.SOURCE_ID)]
        assert released == sorted(dates - {None})


@pytest.mark.raw
def test_atf_figures_as_known_on_a_date_are_those_published_by_then(built_store, raw_dir):
    raw = pd.read_csv(atf_mexico_traces.raw_files(raw_dir)[0], dtype=str, keep_default_na=False)
    raw["published"] = raw["as_of"].map(publication_date)
    dates = sorted(set(raw["published"]))
    specs = [spec for spec in INDICATORS.values() if spec.source_id == atf_mexico_traces.SOURCE_ID]
    for spec in specs:  # nothing was published before the first figure
        assert read_series(built_store, spec, as_of=dates[0] - dt.timedelta(days=1)).empty
    for earlier, later in itertools.pairwise(dates):
        day = earlier + (later - earlier) / 2  # between two publication dates
        known = raw[raw["published"] <= day]
        for spec in specs:
            frame = read_series(built_store, spec, as_of=day)
            stated = known[known["metric"] == spec.filters["metric"]]
            got = frame[~frame["flags"].str.contains("derived")]
            assert sorted(zip(got["window"], got["value"], strict=True)) == sorted(
                (atf_mexico_traces.window_label(int(s), int(e)), float(v.replace(",", "")))
                for s, e, v in zip(stated["period_start"], stated["period_end"], stated["value"], strict=True)), \
                (spec.id, day)
            assert (frame["vintage_published_on"] <= day).all()


def test_a_figure_found_later_for_an_earlier_date_joins_the_releases_of_that_date(store, tmp_path):
    """A curated table grows by hand: a figure published years ago and typed in now is part of the
    table as known from its own date on (the releases from that date are loaded again with it);
    it is not an older file presented as new."""
    header = ("period_start,period_end,metric,value,unit,scope,confidence,primary_source,primary_source_url,"
              "cited_via_url,as_of,notes\n")
    rows = ["2018,2023,us_sourced_firearms,91896,firearms,,high,ATF,https://x.test/1,,2024-10,\n",
            "2009,2014,us_sourced_firearms,73684,firearms,,high,GAO,https://x.test/2,,2016-01,\n",
            "2010,2010,us_sourced_firearms,6404,firearms,,medium,ATF,https://x.test/3,,2012,\n"]
    path = tmp_path / "figures.csv"
    path.write_text(header + rows[0] + rows[1])
    assert pipeline.import_file(store, atf_mexico_traces.SOURCE_ID, path).outcome == "ok"
    path.write_text(header + "".join(rows))
    assert pipeline.import_file(store, atf_mexico_traces.SOURCE_ID, path).outcome == "ok"
    spec = INDICATORS["atf_mexico_us_sourced_traces"]
    assert list(read_series(store, spec, as_of=dt.date(2013, 1, 1))["window"]) == ["2010"]
    assert sorted(read_series(store, spec, as_of=dt.date(2016, 6, 1))["window"]) == ["2009–2014", "2010"]
    assert len(read_series(store, spec)) == len(rows)


def test_a_table_is_never_released_before_its_newest_statement(store, tmp_path):
    """A release date given for a table of dated publications cannot come before its rows: the
    newest statements would be served as known before they were made."""
    from etl.store import PublishError

    path = tmp_path / "claims.csv"
    path.write_bytes(table(ROWS[:4]))
    newest = max(d for d in (publication_date(r.split(",")[7]) for r in ROWS[:4]) if d)
    with pytest.raises(PublishError, match=f"dated up to {newest}"):
        pipeline.import_file(store, claims_homicide.SOURCE_ID, path, published_on=newest - dt.timedelta(days=1))
    assert list_vintages(store, claims_homicide.SOURCE_ID) == []
    assert pipeline.import_file(store, claims_homicide.SOURCE_ID, path, published_on=newest).outcome == "ok"


def test_a_table_refused_as_a_whole_publishes_none_of_its_dated_releases(store, tmp_path):
    """Nothing half-published: a new statement dated earlier than the others, in a file that also
    revises a published figure beyond tolerance, is refused with the file; the earlier dates'
    releases are not published either."""
    from etl.store import PublishError

    path = tmp_path / "claims.csv"
    path.write_bytes(table(ROWS[:4]))
    pipeline.import_file(store, claims_homicide.SOURCE_ID, path)
    before = [(v.id, v.published_on) for v in list_vintages(store, claims_homicide.SOURCE_ID)]
    added = "Gobierno,2024-08,homicidio_doloso_promedio_diario,80.1,víctimas/día,mensual,https://x.test/9,2024-09-01,\n"
    revised = ROWS[2].replace("72.8", "50.0")
    path.write_bytes(table([ROWS[0], added, ROWS[1], revised, ROWS[3]]))
    with pytest.raises(PublishError, match="refused"):
        pipeline.import_file(store, claims_homicide.SOURCE_ID, path)
    assert [(v.id, v.published_on) for v in list_vintages(store, claims_homicide.SOURCE_ID)] == before
