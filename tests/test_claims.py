"""The claims checker: official figures against the independent series, on hand-written claims
(every status and reason) and on the real curated tables and the real SESNSP file."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl import claims_homicide, claims_security_results, sesnsp_homicides
from etl.common import load_origin
from etl.store import publish
from indicators import period_claims
from indicators.claims import TOLERANCE, check_claims
from indicators.series import read_series
from tests.helpers import wide_file

HEADER = "fuente_oficial,periodo,indicador,valor,unidad,tipo_dato,cita_url,fecha_publicacion,nota"
RESULTS_HEADER = ("fuente_oficial,periodo_inicio,periodo_fin,tipo_cifra,indicador,valor,unidad,confianza,cita_url,"
                  "fecha_publicacion,nota")


def _publish(store, module, content: bytes, name: str) -> None:
    publish(store, load_origin(module.SOURCE_ID), module.build_record(content, name), kind="import")


@pytest.fixture
def checked(store):
    """SESNSP Jan-Mar 2025 (hand-written), and claims about it written to hit every rule."""
    _publish(store, sesnsp_homicides, wide_file(), "IDVFC_NM_mar25.csv")
    daily = read_series(store, "sesnsp_homicides_daily_avg", "MX").set_index("period")["value"]
    jan, feb = daily[pd.Timestamp("2025-01-01")], daily[pd.Timestamp("2025-02-01")]
    q1 = read_series(store, "sesnsp_homicide_victims", "MX")["value"].sum() / (31 + 28 + 31)
    lines = [
        HEADER,
        f"Gobierno,2025-01,homicidio_doloso_promedio_diario,{jan:.1f},víctimas/día,mensual,https://x.test/1,2025-02-10,",
        f"Gobierno,2025-02,homicidio_doloso_promedio_diario,{feb * (1 - TOLERANCE / 2):.2f},víctimas/día,mensual,"
        "https://x.test/2,2025-03-10,preliminar",
        f"Gobierno,2025-02,homicidio_doloso_promedio_diario,{feb * 0.8:.1f},víctimas/día,mensual,https://x.test/3,"
        "2025-03-11,",
        f"Gobierno,2025-01/2025-03,homicidio_doloso_promedio_diario,{q1:.1f},víctimas/día,acumulado,https://x.test/4,"
        "2025-04-10,",
        "Gobierno,2025-05,homicidio_doloso_promedio_diario,50.0,víctimas/día,mensual,https://x.test/5,2025-06-10,",
        "INEGI,2024,defunciones_por_homicidio,33000,defunciones,anual preliminar,https://x.test/6,2025-05,",
    ]
    _publish(store, claims_homicide, "\n".join(lines).encode(), "homicidios.csv")
    results = [
        RESULTS_HEADER,
        'SSPC,2024-10-01,2025-02-10,acumulado,armas_de_fuego_aseguradas,5000,armas,media,https://x.test/7,2025-02-11,',
        'SSPC,2024-10-01,2025-03-10,acumulado,armas_de_fuego_aseguradas,4900,armas,media,https://x.test/8,2025-03-11,',
        'SSPC,2024-10-01,2025-04-10,acumulado,armas_de_fuego_aseguradas,7000,armas,media,https://x.test/9,2025-04-11,'
        '"más de 7 mil"',
    ]
    _publish(store, claims_security_results, "\n".join(results).encode(), "resultados.csv")
    events = [{"id": "2025-03-10-briefing", "date": "2025-03-10"}]
    items = check_claims(store, events, as_of=dt.date(2025, 6, 15))
    return {item["url"]: item for item in items}


def test_every_rule_of_the_checker(checked):
    assert checked["https://x.test/1"]["status"] == "consistent"
    revised = checked["https://x.test/2"]
    assert revised["status"] == "consistent" and revised["reason"] == "within_tolerance"
    assert revised["events"] == ["2025-03-10-briefing"]
    off = checked["https://x.test/3"]
    assert off["status"] == "inconsistent" and off["reason"] == "lower_than_independent"
    assert off["difference_pct"] == pytest.approx(-20, abs=0.2)
    assert off["independent"]["source_id"] == "sesnsp_homicides" and off["independent"]["vintages"] == ["IDVFC_NM_mar25.csv"]
    assert checked["https://x.test/4"]["status"] == "consistent"  # three months, victims over their 90 days
    later = checked["https://x.test/5"]
    assert later["status"] == "not_checkable" and later["reason"] == "not_published_yet"
    assert later["expected_by"] == "2025-06-20" and later["data_through"] == "2025-03"
    assert checked["https://x.test/6"]["reason"] == "different_basis"
    arms = checked["https://x.test/7"]
    assert arms["status"] == "not_checkable" and arms["reason"] == "no_independent_series" and arms["would_need"]


def test_cumulative_claims_are_held_to_the_governments_own_earlier_totals(checked):
    assert checked["https://x.test/8"]["own_figures"] == {"status": "decreases", "earlier_value": 5000.0,
                                                           "earlier_period_end": "2025-02-10"}
    bound = checked["https://x.test/9"]
    assert bound["bound"] == "lower" and bound["own_figures"] == {"status": "ok"}


def test_a_claim_becomes_checkable_once_the_data_is_due(store, checked):
    items = {i["url"]: i for i in check_claims(store, [], as_of=dt.date(2025, 7, 1))}
    assert items["https://x.test/5"]["reason"] == "not_loaded_yet"


@pytest.mark.raw
def test_real_claims_against_the_real_sesnsp_file(built_store, raw_dir):
    items = check_claims(built_store, [], as_of=dt.date(2026, 11, 27))
    expected_rows = sum(len(pd.read_csv(module.raw_files(raw_dir)[0]))
                        for module in (claims_homicide, claims_security_results))
    curated = [r for r in period_claims.load() if period_claims.stated_by(r["stated_on"]) <= dt.date(2026, 11, 27)]
    assert len(items) == expected_rows + len(curated)  # the tables' rows and the period's headline claims
    december = next(i for i in items if i["claim"] == "homicidio_doloso_promedio_diario"
                    and i["period_start"] == "2024-12-01" and i["period_end"] == "2024-12-31")
    # 72.8 a day stated in January 2025; SESNSP's June-2025 cut gives 73.2: a preliminary figure, revised.
    assert december["value"] == 72.8 and round(december["independent"]["value"], 1) == 73.2
    assert december["status"] == "consistent" and december["reason"] == "within_tolerance"
    baseline = next(i for i in items if i["period_start"] == "2024-09-01" and i["claim"].startswith("homicidio"))
    assert baseline["status"] == "consistent"
    last_month = read_series(built_store, "sesnsp_homicides_daily_avg")["period"].max()
    for item in items:
        if item["claim"] == "homicidio_doloso_promedio_diario" and pd.Timestamp(item["period_end"]) > last_month:
            assert item["status"] == "not_checkable" and item["expected_by"]


def test_claims_api(client):
    body = client.get("/api/claims.json").get_json()
    assert body["claims"] == len(body["items"]) == sum(body["by_status"].values())
    checked = [i for i in body["items"] if i["independent"]]
    assert checked and all(i["independent"]["vintages"] and i["independent"]["source_id"] for i in checked)
    assert client.get("/api/claims.json?foo=1").status_code == 400


def test_the_claims_selection_filters_searches_and_sorts(client):
    """The selection the page and the downloads share, checked against the whole list."""
    import io
    import unicodedata

    every = client.get("/api/claims.json").get_json()["items"]
    statuses = {i["status"] for i in every}
    for status in statuses:
        body = client.get(f"/api/claims.json?status={status}").get_json()
        assert body["claims"] == sum(i["status"] == status for i in every) == len(body["items"])
    claimant = max({i["claimant"] for i in every}, key=lambda c: sum(i["claimant"] == c for i in every))
    picked = client.get("/api/claims.json", query_string={"claimant": claimant}).get_json()["items"]
    assert len(picked) == sum(i["claimant"] == claimant for i in every) and {i["claimant"] for i in picked} == {claimant}
    # A word of a Spanish name, typed in capitals and without its accent, finds every claim named with it.
    word = max((w for i in every for w in i["label"]["es"].split() if len(w) > 5 and w.isalpha()),
               key=lambda w: sum(w in i["label"]["es"] for i in every))
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).upper()
    found = client.get(f"/api/claims.json?q={plain}").get_json()["items"]
    assert {i["id"] for i in found} >= {i["id"] for i in every if word in i["label"]["es"]} and found
    # Newest first by default, undated last; oldest first on request.
    dated = [i["stated_on"] for i in every if i["stated_on"]]
    newest = [i["stated_on"] for i in client.get("/api/claims.json").get_json()["items"] if i["stated_on"]]
    assert newest == sorted(dated, reverse=True)
    oldest = [i["stated_on"] for i in client.get("/api/claims.json?order=asc").get_json()["items"] if i["stated_on"]]
    assert oldest == sorted(dated)
    by_difference = client.get("/api/claims.json?sort=difference").get_json()["items"]
    sizes = [abs(i["difference_pct"]) for i in by_difference if i.get("difference_pct") is not None]
    assert sizes == sorted(sizes, reverse=True)
    # Each sort in the direction its label says: inconsistent first; names A to Z in the language.
    rank = {"inconsistent": 0, "consistent": 1, "not_checkable": 2}
    by_status = [rank[i["status"]] for i in client.get("/api/claims.json?sort=status").get_json()["items"]]
    assert by_status == sorted(by_status) and len(set(by_status)) > 1
    names = [i["label"]["es"] for i in client.get("/api/claims.json?sort=claim&lang=es").get_json()["items"]]
    folded = ["".join(c for c in unicodedata.normalize("NFKD", n.casefold()) if not unicodedata.combining(c))
              for n in names]
    assert folded == sorted(folded)
    reverse = [i["label"]["es"] for i in client.get("/api/claims.json?sort=claim&lang=es&order=desc").get_json()["items"]]
    assert sorted(reverse) == sorted(names)
    assert ["".join(c for c in unicodedata.normalize("NFKD", n.casefold()) if not unicodedata.combining(c))
            for n in reverse] == sorted(folded, reverse=True)
    # The download: a plain table that reads with no options, one row per claim selected.
    import pandas as pd

    for status in statuses:
        frame = pd.read_csv(io.BytesIO(client.get(f"/api/claims.csv?status={status}").data))
        assert len(frame) == sum(i["status"] == status for i in every) and set(frame["status"]) == {status}
    for bad in ("status=nope", "sort=nope", "order=up", "colour=red", "claimant=nobody", "q=" + "x" * 201):
        response = client.get(f"/api/claims.csv?{bad}")
        assert response.status_code == 400 and response.get_json()["error"]


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "1e12"])
def test_a_claim_that_is_not_a_finite_plausible_count_is_refused(value):
    from etl.common import SanityError

    content = "\n".join([HEADER, f"Gobierno,2025-01,homicidio_doloso_promedio_diario,{value},víctimas/día,mensual,"
                                 "https://x.test/1,2025-02-10,"]).encode()
    with pytest.raises(SanityError, match="not a finite count"):
        claims_homicide.build_record(content, "homicidios.csv")


def test_claims_still_answer_when_the_independent_series_is_withdrawn(checked, store):
    """Withdrawing the only SESNSP vintage leaves the claims uncheckable, not broken."""
    from etl.store import list_vintages, withdraw

    (only,) = [v for v in list_vintages(store) if v.source_id == sesnsp_homicides.SOURCE_ID]
    withdraw(store, only.id, "a test withdrawal", dt.date(2025, 6, 1))
    items = check_claims(store, [], as_of=dt.date(2025, 6, 15))
    daily = [item for item in items if item["claim"] == "homicidio_doloso_promedio_diario"]
    assert daily and all(item["status"] == "not_checkable" and item["reason"] == "no_release_in_force"
                         for item in daily)
