"""SESNSP's RNID register (2026 on): the real file gives SESNSP's published check sums; every crime
of the catalogue parses to states and a national total in crimes (never victims); bad files are
refused in one line; the live refresh finds the newest cut from the datos-abiertos page; the old
victims series says it closed, and is never overdue once its last month is loaded."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from etl import pipeline, sesnsp_homicides, sesnsp_rnid
from etl.common import SanityError
from etl.geography import INEGI_TO_CODE, MX_STATES
from etl.store import PublishError, failing_sources, freshness, list_vintages, overdue_sources, recent_runs

RAW_NAME = "RNID-Delitos_Estatal-2026-mar2026.csv"
# SESNSP's national check sums for the March 2026 cut (PROVENANCE.md of the raw folder).
PUBLISHED = {"homicidio_doloso": [1392, 1206, 1398], "feminicidio": [52, 43, 49]}
MONTHS = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
          "Octubre", "Noviembre", "Diciembre"]
HEADER = ["Año", "Clave_Ent", "Entidad", "Bien jurídico afectado", "Tipo de delito", "Subtipo de delito",
          "Modalidad", *MONTHS]
KINDS = [  # (bien jurídico, tipo, subtipo, modalidad), as the register writes them
    ("La vida y la Integridad corporal", "Homicidio", "Homicidio doloso", "Con arma de fuego"),
    ("La vida y la Integridad corporal", "Homicidio", "Homicidio doloso", "No especificado"),
    ("La vida y la Integridad corporal", "Homicidio", "Homicidio culposo", "En accidente de tránsito"),
    ("La vida y la Integridad corporal", "Feminicidio", "Feminicidio", "Con arma blanca"),
    ("El patrimonio", "Robo", "Robo de vehículo automotor - Motocicleta", "Con violencia"),
    ("Libertad personal", "Secuestro", "Secuestro exprés", "Secuestro exprés"),
]


def crimes(state: int, kind: int, month: int) -> int:
    return 10 + state % 5 + 3 * kind + month


def rnid_file(published_months: int = 3, cell: tuple[int, int, str] | None = None, drop_state: str | None = None,
              year: int = 2026, scale: int = 1) -> bytes:
    """An RNID crimes file in SESNSP's shape, written by hand: cp1252, one column per month;
    ``cell`` = (row, month, text) overrides one cell."""
    lines = [",".join(HEADER)]
    row = 0
    for s, (code, (cve, name)) in enumerate(sorted(MX_STATES.items(), key=lambda item: item[1][0])):
        if code == drop_state:
            continue
        for k, labels in enumerate(KINDS):
            cells = [str(scale * crimes(s, k, m)) if m < published_months else "" for m in range(12)]
            if cell and cell[0] == row:
                cells[cell[1]] = cell[2]
            lines.append(",".join([str(year), cve, f'"{name}"', *labels, *cells]))
            row += 1
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_the_register_parses_every_crime_to_states_and_a_national_total():
    tidy = sesnsp_rnid.parse(rnid_file(), "RNID-Delitos_Estatal-2026-mar2026.csv")
    assert set(tidy["geo"]) == {*MX_STATES, "MX"}
    assert set(tidy["crime"]) == {sesnsp_rnid.slug(k[2]) for k in KINDS}
    assert set(tidy["modality"]) == {sesnsp_rnid.slug(k[3]) for k in KINDS}
    national = tidy[tidy["geo"] == "MX"].groupby(["period", "crime"])["value"].sum()
    for month in range(3):
        period = dt.date(2026, month + 1, 1)
        assert national[(period, "homicidio_doloso")] == sum(crimes(s, k, month) for s in range(32) for k in (0, 1))
        assert national[(period, "feminicidio")] == sum(crimes(s, 3, month) for s in range(32))
    assert sorted(tidy["period"].unique()) == [dt.date(2026, m, 1) for m in (1, 2, 3)]  # blank months left out
    assert (tidy["indicator"] == sesnsp_rnid.INDICATOR).all() and (tidy["flags"] == "provisional").all()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (rnid_file(cell=(5, 1, "")), "blank cell(s) in published months"),
        (rnid_file(cell=(5, 4, "7")), "published months are not January to the newest one"),
        (rnid_file(cell=(5, 0, "1.5")), "whole counts have fractions"),
        (rnid_file(cell=(5, 0, "doce")), "Enero is not a number: 'doce'"),
        (rnid_file(cell=(5, 0, "-4")), "outside the plausible range"),
        (rnid_file(drop_state="MX-SIN"), "has 31 states, expected 32"),
        (rnid_file(scale=10), "national homicidio doloso crimes per month: 3 value(s) outside the plausible range"),
        (rnid_file().replace(b"Homicidio doloso", b"Homicidio Doloso X"), "no homicidio doloso rows"),
        (rnid_file().replace(b",Modalidad,", b",Modalidad,Sexo,Rango de edad,"), "a victims file"),
        (rnid_file().replace(b",Modalidad,", b",Modo,"), "missing column(s) modalidad"),
        (b"", "not a readable CSV"),
    ],
)
def test_bad_files_are_refused_with_one_line(content, message):
    with pytest.raises(SanityError, match=__import__("re").escape(message)) as caught:
        sesnsp_rnid.parse(content, "RNID-Delitos_Estatal-2026-mar2026.csv")
    assert "\n" not in str(caught.value)


def _raw_sums(path) -> dict[tuple[str, int], int]:
    """National crimes by subtipo and month, summed straight from the CSV (no pandas, no module)."""
    with open(path, encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sums: dict[tuple[str, int], int] = {}
    for row in rows:
        for number, month in enumerate(MONTHS, 1):
            if row[month].strip():
                key = (sesnsp_rnid.slug(row["Subtipo de delito"]), number)
                sums[key] = sums.get(key, 0) + int(row[month])
    return sums


@pytest.mark.raw
def test_the_real_file_gives_sesnsps_published_check_sums(raw_dir):
    path = raw_dir / "mexico" / RAW_NAME
    record = sesnsp_rnid.record_from_file(path)
    tidy = record.observations
    national = tidy[tidy["geo"] == "MX"].groupby(["crime", "period"])["value"].sum()
    for crime, values in PUBLISHED.items():
        assert [int(national[(crime, dt.date(2026, m, 1))]) for m in (1, 2, 3)] == values
    # Every crime and month of the file, summed straight from the CSV, is the loaded national total.
    raw = _raw_sums(path)
    assert {(c, p.month): int(v) for (c, p), v in national.items()} == raw
    # The 32 states add up to the national total, and every state of the file is there.
    states = tidy[tidy["geo"] != "MX"].groupby(["crime", "period"])["value"].sum()
    assert states.equals(national)
    with open(path, encoding="cp1252", newline="") as handle:
        keys = {row["Clave_Ent"] for row in csv.DictReader(handle)}
    assert set(tidy["geo"]) - {"MX"} == {INEGI_TO_CODE[k.zfill(2)] for k in keys}
    assert record.published_on == dt.date(2026, 4, 20)


# --- live --------------------------------------------------------------------------------------

def page(*names: str, host: str = "https://sesnsp.example.org/files/") -> str:
    """SESNSP's datos-abiertos page as it is built: links to the files among other links."""
    items = "".join(f'<li><a href="{host}{name}">{name}</a></li>' for name in names)
    return (f"<html><body><h1>Datos abiertos de incidencia delictiva</h1><ul>{items}"
            '<li><a href="/sesnsp/documentos/nota-metodologica">Nota metodológica</a></li></ul></body></html>')


def zipped(content: bytes, name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def test_discovery_takes_both_families_newest_cut_first():
    html = page("RNID-Delitos_Estatal-2026-feb2026.csv", "RNID-Delitos_Estatal-2026-mar2026.zip",
                "RNID-V%C3%ADctimas_Estatal-2026-mar2026.csv", "RNID-Delitos_Municipal-2026-mar2026.csv",
                "Estatal-Delitos-2015-2025_mar2026.csv")
    found = sesnsp_rnid.discover(html, sesnsp_rnid.PAGE_URL)
    assert [u.rsplit("/", 1)[-1] for u in found["delitos"]] == ["RNID-Delitos_Estatal-2026-mar2026.zip",
                                                                "RNID-Delitos_Estatal-2026-feb2026.csv"]
    assert [u.rsplit("/", 1)[-1] for u in found["victimas"]] == ["RNID-V%C3%ADctimas_Estatal-2026-mar2026.csv"]
    assert sesnsp_rnid.cut_month("RNID-Delitos_Estatal-2026-dic2026.csv") == dt.date(2026, 12, 1)


def test_live_fetch_over_a_real_http_server(tmp_path, caplog):
    """A local server with the page and the files: the newest linked cut (a ZIP holding the CSV)
    is taken, the victims file is named in the log, a page that links none fails clearly."""
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "RNID-Delitos_Estatal-2026-feb2026.csv").write_bytes(rnid_file(2))
    (tmp_path / "files" / "RNID-Delitos_Estatal-2026-mar2026.zip").write_bytes(
        zipped(rnid_file(3), "RNID-Delitos_Estatal-2026-mar2026.csv"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        (tmp_path / "datos.html").write_text(page("RNID-Delitos_Estatal-2026-feb2026.csv",
                                                  "RNID-Delitos_Estatal-2026-mar2026.zip",
                                                  "RNID-Víctimas_Estatal-2026-mar2026.csv", host=base + "files/"))
        record = sesnsp_rnid.fetch_latest(today=dt.date(2026, 4, 25), page_url=base + "datos.html", base=base)
        assert record.file_name == "RNID-Delitos_Estatal-2026-mar2026.csv"
        assert record.url == base + "files/RNID-Delitos_Estatal-2026-mar2026.zip"
        assert record.sha256 == sesnsp_rnid.build_record(rnid_file(3), "x.csv").sha256
        assert "RNID-Víctimas_Estatal-2026-mar2026.csv" in caplog.text and "not loaded" in caplog.text
        (tmp_path / "empty.html").write_text(page("Estatal-Delitos-2015-2025_mar2026.csv", host=base))
        with pytest.raises(SanityError, match=r"the newest SESNSP RNID crimes file not found .*links no "
                                              r"RNID-Delitos_Estatal file.*HTTP 404"):
            sesnsp_rnid.fetch_latest(today=dt.date(2026, 4, 25), page_url=base + "empty.html", base=base)
    finally:
        server.shutdown()
        server.server_close()


@responses.activate
def test_a_page_behind_a_challenge_falls_back_to_the_mirror_names(store):
    """The page answers 403 (the anti-bot check reported in 2026): the mirror's file names are
    tried; when none is there either, nothing is published and the failure is recorded, and the
    page's link to a host the origin file does not name is refused, not followed."""
    today = dt.date(2026, 5, 3)
    responses.get(sesnsp_rnid.PAGE_URL, status=403)
    urls = sesnsp_rnid.candidate_urls(today)
    assert urls[0].endswith("RNID-Delitos_Estatal-2026-abr2026.csv")
    responses.get(urls[0], status=404)
    responses.get(urls[1], body=rnid_file(3), headers={"Last-Modified": "Mon, 20 Apr 2026 18:00:00 GMT"})
    record = sesnsp_rnid.fetch_latest(today=today)
    assert record.file_name == "RNID-Delitos_Estatal-2026-mar2026.csv" and record.published_on == dt.date(2026, 4, 20)
    responses.reset()
    responses.get(sesnsp_rnid.PAGE_URL, body=page("RNID-Delitos_Estatal-2026-mar2026.csv"))
    for url in sesnsp_rnid.candidate_urls(dt.date.today()):  # the refresh's own today
        responses.get(url, status=404)
    with pytest.raises(PublishError, match=r"RNID crimes file not found .*not one of this source's hosts.*HTTP 404"):
        pipeline.refresh(store, sesnsp_rnid.SOURCE_ID)
    assert list_vintages(store, sesnsp_rnid.SOURCE_ID) == []
    assert [r.source_id for r in failing_sources(store)] == [sesnsp_rnid.SOURCE_ID]


# --- the closed victims series -----------------------------------------------------------------

def victims_file(year: int, months: int) -> bytes:
    """The victims series in its long shape, written by hand: steady months (no plausibility hold)."""
    lines = ["fecha,anio,mes,cve_ent,entidad,tipo_de_delito,subtipo_de_delito,modalidad,victimas"]
    for month in range(1, months + 1):
        for s, (cve, name) in enumerate(sorted(MX_STATES.values())):
            lines.append(f"{year}-{month:02d},{year},{month},{cve},{name},Homicidio,Homicidio doloso,"
                         f"Con arma de fuego,{40 + (s + month) % 3}")
    return ("\n".join(lines) + "\n").encode()


@responses.activate
def test_the_closed_victims_series_says_so_and_is_never_overdue_once_complete(store):
    """Past 2025-12 a refresh of the old victims series that finds nothing says the series closed
    and SESNSP moved to RNID (recorded: a failure while its last months are missing, the closed
    state once they are loaded); with its last month loaded it is never overdue."""
    closed = sesnsp_homicides.closed_through()
    today = dt.date(closed.year + 1, 3, 5)
    for url in sesnsp_homicides.candidate_urls(today):
        responses.get(url, status=404)
    assert any("Estatal-V" in url for url in sesnsp_homicides.candidate_urls(today))
    # Its last months are not loaded: the refresh fails, saying why in one line.
    earlier = sesnsp_homicides.build_record(victims_file(closed.year, closed.month - 3), "a.csv")
    pipeline.guarded_publish(store, earlier, kind="import")
    with pytest.raises(PublishError, match=rf"series closed at {closed:%Y-%m}: SESNSP moved to the RNID register"):
        pipeline.refresh(store, sesnsp_homicides.SOURCE_ID, session=None)
    assert [r.source_id for r in failing_sources(store)] == [sesnsp_homicides.SOURCE_ID]
    # Every month to the close loaded: nothing is due, the refresh records the closed state.
    last = sesnsp_homicides.build_record(victims_file(closed.year, closed.month), "b.csv")
    pipeline.guarded_publish(store, last, kind="import")
    item = next(f for f in freshness(store) if f.source_id == sesnsp_homicides.SOURCE_ID)
    assert item.data_through == closed and item.next_due is None
    assert sesnsp_homicides.SOURCE_ID not in dict(overdue_sources(store, today=dt.date(2030, 1, 1)))
    run = pipeline.refresh(store, sesnsp_homicides.SOURCE_ID)
    assert run.outcome == "closed" and "RNID" in run.message and "sesnsp_rnid" in run.message
    assert failing_sources(store) == []
    assert recent_runs(store, limit=1)[0].outcome == "closed"


# --- the break in the verdicts -----------------------------------------------------------------

def test_an_event_tested_across_the_break_gets_no_directional_verdict():
    """A series that falls by a third exactly when SESNSP changed register: tested for an event
    just before the break, with the timeline's measurement change, the verdict is confounded
    (without it the same numbers would read as 'improved')."""
    import numpy as np
    import pandas as pd

    from etl.timeline import read_timeline
    from indicators.scorecard import measurement_changes
    from indicators.verification import assess

    events = read_timeline()
    [change] = measurement_changes(events, "sesnsp_homicide_victims")
    months = pd.date_range(dt.date(change.year - 3, 1, 1), dt.date(change.year, 6, 1), freq="MS")
    rng = np.random.default_rng(7)
    values = [2000 * (0.66 if m.date() >= change else 1.0) * rng.normal(1, 0.02) for m in months]
    series = pd.Series(values, index=months)
    event = change - dt.timedelta(days=20)
    kwargs = {"better": "down", "scale": "log", "as_of": dt.date(change.year, 8, 1),
              "unit": {"en": "victims per month", "es": "víctimas por mes"}}
    plain = assess(series, event, **kwargs)
    assert plain.verdict in ("improved", "joint", "began_before", "inconclusive")  # it moved, read alone
    judged = assess(series, event, measurement_changes=[change], **kwargs)
    assert judged.verdict == "confounded" and "measurement_change" in judged.reasons
    assert judged.verdict not in ("improved", "worsened", "changed")


@pytest.mark.raw
def test_the_new_registers_indicators_read_the_real_file_and_say_their_history_is_short(store, raw_dir):
    """A store with the one RNID file: the registry's RNID indicators read SESNSP's check sums,
    and an event in the register's first months cannot be verified for want of history."""
    from etl.timeline import read_timeline
    from indicators.registry import INDICATORS
    from indicators.scorecard import verify
    from indicators.series import read_series

    pipeline.import_file(store, sesnsp_rnid.SOURCE_ID, raw_dir / "mexico" / RAW_NAME)
    for indicator, crime in (("sesnsp_rnid_homicide_crimes", "homicidio_doloso"),
                             ("sesnsp_rnid_feminicide_crimes", "feminicidio")):
        frame = read_series(store, indicator, "MX")
        assert [int(v) for v in frame["value"]] == PUBLISHED[crime]
        assert INDICATORS[indicator].unit["en"].startswith("crimes")
    assert len(read_series(store, "sesnsp_rnid_homicide_crimes", "MX-SIN")) == len(PUBLISHED["homicidio_doloso"])
    events = read_timeline()
    event = next(e for e in events if str(e["date"]) >= "2026-02-01")
    result = verify(store, "sesnsp_rnid_homicide_crimes", event, events=events)
    assert result.verdict in ("insufficient_history", "not_yet_verifiable", "confounded")
    assert result.verdict not in ("improved", "worsened", "changed")


# --- claims about 2026 -------------------------------------------------------------------------

def test_a_claim_about_2026_is_not_checked_against_rnid_crimes(store):
    """Victims per day claimed for a month of 2026: the victims series has closed and RNID counts
    crimes, so the claim is not checkable, saying why in both languages; a 2025 claim is still
    checked against the victims series."""
    from dashboard.i18n import t
    from etl import claims_homicide
    from etl.common import load_origin
    from etl.store import publish
    from indicators.claims import check_claims
    from indicators.series import read_series

    for module, content, name in ((sesnsp_homicides, victims_file(2025, 12), "victimas.csv"),
                                  (sesnsp_rnid, rnid_file(3), RAW_NAME)):
        publish(store, load_origin(module.SOURCE_ID), module.build_record(content, name), kind="import")
    december = read_series(store, "sesnsp_homicides_daily_avg", "MX")["value"].iloc[-1]
    lines = ["fuente_oficial,periodo,indicador,valor,unidad,tipo_dato,cita_url,fecha_publicacion,nota",
             f"Gobierno,2025-12,homicidio_doloso_promedio_diario,{december:.1f},víctimas/día,mensual,https://x.test/1,"
             "2026-01-09,",
             "Gobierno,2026-02,homicidio_doloso_promedio_diario,45.0,víctimas/día,mensual,https://x.test/2,2026-03-09,"]
    publish(store, load_origin(claims_homicide.SOURCE_ID),
            claims_homicide.build_record("\n".join(lines).encode(), "homicidios.csv"), kind="import")
    items = {i["url"]: i for i in check_claims(store, [], as_of=dt.date(2026, 6, 1))}
    assert items["https://x.test/1"]["status"] == "consistent"
    later = items["https://x.test/2"]
    assert later["status"] == "not_checkable" and later["reason"] == "rnid_crimes_not_victims"
    assert later["independent"] is None
    for lang in ("en", "es"):
        for text in (later["basis_note"][lang], t("claim_reason_rnid_crimes_not_victims", lang)):
            assert "RNID" in text and "2025" in text
        assert ("crimes" if lang == "en" else "delitos") in later["basis_note"][lang]
        assert ("victims" if lang == "en" else "víctimas") in later["basis_note"][lang]
        assert "RNID" in later["would_need"][lang]


# --- the sources page --------------------------------------------------------------------------

def test_the_sources_page_explains_the_break_in_both_languages(snapshot_app):
    """The break is explained above the cards, and the closed series' card says it closed, why and
    which source carries on, in English and in Spanish."""
    from dashboard.i18n import t
    from etl.common import load_origin
    from tests.helpers import render, texts

    closed = load_origin(sesnsp_homicides.SOURCE_ID)["closed"]
    snapshot_app.server.test_client().get("/")  # registers the pages' callbacks
    for lang, search in (("en", ""), ("es", "?lang=es")):
        layout, _title = render(snapshot_app, "/sources", search)
        text = " ".join(texts(layout))
        assert t("rnid_break_title", lang) in text and t("rnid_break_text", lang) in text
        assert t("source_closed", lang, through=closed["through"]) in text
        assert closed["why" if lang == "en" else "why_es"] in json.dumps(layout, ensure_ascii=False)
        assert t("source_closed_successor", lang) in text


# --- the displacement check and the closed series in the verdicts ------------------------------

@pytest.mark.raw
def test_a_homicide_verdict_notes_the_context_series_over_the_same_months(store, raw_dir):
    """A verdict on RNID homicides carries the displacement check: homicidio culposo and other
    crimes against life from the first to the last month it covers, the numbers as the raw file
    has them, said in English and Spanish."""
    from etl.timeline import read_timeline
    from indicators import explain
    from indicators.registry import INDICATORS
    from indicators.scorecard import verify

    path = raw_dir / "mexico" / RAW_NAME
    pipeline.import_file(store, sesnsp_rnid.SOURCE_ID, path)
    raw = _raw_sums(path)
    events = read_timeline()
    event = next(e for e in events if str(e["date"]) >= "2026-02-01")
    result = verify(store, "sesnsp_rnid_homicide_crimes", event, events=events)
    [found] = [n for n in result.note_codes if n["code"] == "displacement"]
    assert [s["id"] for s in found["series"]] == list(INDICATORS["sesnsp_rnid_homicide_crimes"].context)
    last = max(month for _crime, month in raw)
    for item in found["series"]:
        crime = INDICATORS[item["id"]].filters["crime"]
        assert (item["from"], item["to"]) == (raw[(crime, 1)], raw[(crime, last)])
        assert item["change"] == pytest.approx(raw[(crime, last)] / raw[(crime, 1)] - 1)
    assert (found["first"], found["last"]) == ("2026-01", f"2026-{last:02d}")
    at = result.note_codes.index(found)
    english, spanish = explain.notes(result, "en")[at], explain.notes(result, "es")[at]
    culposo = f"{raw[('homicidio_culposo', 1)]:,} → {raw[('homicidio_culposo', last)]:,}"
    assert "homicidio culposo" in english and culposo in english and "other crimes against life" in english
    assert "homicidio culposo" in spanish and culposo in spanish and "otros delitos contra la vida" in spanish


def test_a_test_the_closed_series_can_never_make_is_not_left_waiting(snapshot_store):
    """An event after the victims series closed, tested on it: the months it needs will never be
    published there, so the verdict is not 'not yet verifiable' (overdue forever) but confounded,
    with the series' close noted in both languages, and no direction."""
    from etl.timeline import read_timeline
    from indicators import explain
    from indicators.scorecard import verify

    closed = sesnsp_homicides.closed_through()
    event = {"id": "test-after-close", "date": f"{closed.year + 1}-02-15", "type": "commitment", "title":
             {"en": "A test event", "es": "Un evento de prueba"}, "indicators": []}
    result = verify(snapshot_store, "sesnsp_homicides_daily_avg", event, events=[*read_timeline(), event])
    assert result.verdict == "confounded" and result.reasons == ["series_closed"]
    codes = [n["code"] for n in result.note_codes]
    assert "series_closed" in codes and "lag_overdue" not in codes and "lag" not in codes
    assert result.checkable_from is None and result.change_direction is None
    assert f"{closed:%Y-%m}" in explain.notes(result, "en")[codes.index("series_closed")]
    assert "RNID" in explain.notes(result, "es")[codes.index("series_closed")]
    assert "displacement_unavailable" in codes  # its months have no RNID context: said, not silent


def test_the_explorer_shows_the_context_series_beside_the_homicide_series(snapshot_app, snapshot_store):
    """On the RNID homicide view the context series' months and change are shown (EN/ES); on the
    victims series, whose months have no RNID context, the panel says so."""
    import plotly.utils

    from dashboard.i18n import t
    from dashboard.pages.explorer import render_state
    from dashboard.state import ExplorerState
    from indicators.series import read_series
    from tests.helpers import texts

    def plain(component) -> dict:
        return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))

    culposo = read_series(snapshot_store, "sesnsp_rnid_culpable_homicide_crimes", "MX")
    with snapshot_app.server.test_request_context("/"):
        for lang in ("en", "es"):
            info = render_state(ExplorerState("sesnsp_rnid_homicide_crimes", lang=lang))["info"]
            [panel] = [item for item in info if getattr(item, "id", None) == "displacement"]
            text = " ".join(texts(plain(panel)))
            assert t("displacement_title", lang) in text and t("displacement_intro", lang) in text
            for period, value in zip(culposo["period"], culposo["value"], strict=True):
                assert f"{period:%Y-%m}: {value:,.0f}" in text
            victims = render_state(ExplorerState("sesnsp_homicide_victims", lang=lang))["info"]
            [panel] = [item for item in victims if getattr(item, "id", None) == "displacement"]
            assert t("displacement_none", lang) in " ".join(texts(plain(panel)))


def test_status_json_names_the_closed_series(client):
    from etl.common import load_origin

    closed = load_origin(sesnsp_homicides.SOURCE_ID)["closed"]
    body = client.get("/api/status.json").get_json()
    assert {"source_id": sesnsp_homicides.SOURCE_ID, "through": closed["through"],
            "successor": closed["successor"]} in body["closed"]


def test_a_series_that_begins_with_the_change_is_not_confounded_by_it():
    """The RNID series start at the break: once they have the history, a test on them is not held
    confounded by a change at their own first month; a series running across it still is."""
    import numpy as np
    import pandas as pd

    from etl.timeline import read_timeline
    from indicators.scorecard import changes_inside, measurement_changes
    from indicators.verification import MIN_PRE, assess

    [change] = measurement_changes(read_timeline(), "sesnsp_rnid_homicide_crimes")
    rng = np.random.default_rng(3)
    months = pd.date_range(change, periods=MIN_PRE + 18, freq="MS")
    new = pd.Series([1300 * rng.normal(1, 0.03) for _ in months], index=months)
    across = pd.concat([pd.Series(2000.0, index=pd.date_range(dt.date(change.year - 3, 1, 1), periods=36,
                                                              freq="MS")), new])
    assert changes_inside([change], new) == [] and changes_inside([change], across) == [change]
    event = (months[MIN_PRE + 6] + pd.Timedelta(days=10)).date()
    result = assess(new, event, better="down", scale="log", measurement_changes=changes_inside([change], new),
                    as_of=months[-1].date() + dt.timedelta(days=40))
    assert result.verdict not in ("confounded", "insufficient_history", "not_yet_verifiable"), result.verdict
