"""SESNSP homicide victims and CONAPO population: the real files reproduce the government's own
baselines; SESNSP's live shape (cp1252, Spanish headers, wide months) parses to the same tidy
series; bad files are refused with one clear line; the live fetch finds the newest cut over HTTP."""

from __future__ import annotations

import datetime as dt
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
import responses

from etl import conapo_population, pipeline, sesnsp_homicides
from etl.common import SanityError, load_origin
from etl.geography import MX_STATES
from etl.store import PublishError, failing_sources, list_vintages, publish
from indicators.registry import INDICATORS
from indicators.series import read_series
from tests.helpers import SESNSP_SEXES as SEXES
from tests.helpers import sesnsp_victims as victims
from tests.helpers import wide_file


def expected_national(crime_kinds: list[int], month: int) -> int:
    return sum(victims(s, k, x, month) for s in range(len(MX_STATES)) for k in crime_kinds for x in range(len(SEXES)))


def test_the_live_shape_parses_to_states_and_a_national_total():
    tidy = sesnsp_homicides.parse(wide_file(), "IDVFC_NM_mar25.csv")
    national = tidy[tidy["geo"] == "MX"].groupby(["period", "crime"])["value"].sum()
    for month in range(3):
        period = dt.date(2025, month + 1, 1)
        assert national[(period, "homicidio_doloso")] == expected_national([0, 1, 2, 3], month)
        assert national[(period, "feminicidio")] == expected_national([5, 6], month)
        assert national[(period, "lesiones_dolosas")] == expected_national([7], month)  # firearm only
    assert sorted(tidy["period"].unique()) == [dt.date(2025, m, 1) for m in (1, 2, 3)]  # empty months left out
    assert set(tidy["geo"]) == {*MX_STATES, "MX"}
    assert set(tidy["weapon"]) == set(sesnsp_homicides.WEAPONS.values())
    assert (tidy["flags"] == "provisional").all()  # all within the release's last 12 months


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (wide_file(drop_state="MX-SIN"), "has 31 states, expected 32"),
        (wide_file(modalidad="Con veneno"), "unknown modalidad 'Con veneno'"),
        (wide_file().replace(b",Enero,", b",Ene,"), "missing column(s) enero"),
        ("Año,Entidad\n2025,Sinaloa\n".encode("cp1252"), "missing column(s)"),
        (b"", "not a readable CSV"),
    ],
)
def test_bad_files_are_refused_with_one_line(content, message):
    with pytest.raises(SanityError) as caught:
        sesnsp_homicides.parse(content, "IDVFC_NM_mar25.csv")
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.raw
def test_real_file_reproduces_the_governments_baselines(raw_dir):
    tidy = sesnsp_homicides.record_from_file(sesnsp_homicides.raw_files(raw_dir)[0]).observations
    homicides = tidy[(tidy["geo"] == "MX") & (tidy["crime"] == "homicidio_doloso")].groupby("period")["value"].sum()
    daily = homicides / [pd.Period(p, "M").days_in_month for p in homicides.index]
    assert round(daily[dt.date(2019, 2, 1)], 1) == 100.9
    assert round(daily[dt.date(2024, 9, 1)], 1) == 86.9


@pytest.mark.raw
def test_state_sums_match_the_published_national_table(raw_dir):
    tidy = sesnsp_homicides.record_from_file(sesnsp_homicides.raw_files(raw_dir)[0]).observations
    national = pd.read_csv(next((raw_dir / "mexico").glob("sesnsp_victimas_homicidio_nacional_*.csv")))
    national["period"] = pd.to_datetime(national["fecha"]).dt.date
    ours = tidy[tidy["geo"] == "MX"]
    pivot = {
        "hd_victimas": ours[ours["crime"] == "homicidio_doloso"].groupby("period")["value"].sum(),
        "hd_victimas_arma_fuego": ours[(ours["crime"] == "homicidio_doloso") & (ours["weapon"] == "firearm")]
        .groupby("period")["value"].sum(),
        "feminicidio_victimas": ours[ours["crime"] == "feminicidio"].groupby("period")["value"].sum(),
        "lesiones_dolosas_arma_fuego_victimas": ours[ours["crime"] == "lesiones_dolosas"].groupby("period")["value"].sum(),
    }
    for column, series in pivot.items():
        assert series.reindex(national["period"]).tolist() == national[column].astype(float).tolist(), column


@pytest.mark.raw
def test_rates_use_conapo_mid_year_population(built_store, raw_dir):
    population = conapo_population.record_from_file(conapo_population.raw_files(raw_dir)[0]).observations
    pop = population.set_index(["geo", "period"])["value"]
    rate = read_series(built_store, "sesnsp_homicide_rate_100k", "MX-CHH").set_index("period")["value"]
    count = read_series(built_store, "sesnsp_homicide_victims", "MX-CHH").set_index("period")["value"]
    for period in (pd.Timestamp("2019-02-01"), pd.Timestamp("2024-12-01")):
        days_in_year = 366 if period.is_leap_year else 365
        expected = count[period] / period.days_in_month * days_in_year / pop[("MX-CHH", dt.date(period.year, 1, 1))] * 1e5
        assert rate[period] == pytest.approx(expected)
    share = read_series(built_store, "sesnsp_homicide_firearm_share").set_index("period")["value"]
    by_weapon = read_series(built_store, "sesnsp_homicide_victims_by_weapon").pivot(
        index="period", columns="weapon", values="value")
    assert share.to_numpy() == pytest.approx((by_weapon["firearm"] / by_weapon.sum(axis=1) * 100).to_numpy())


def test_every_sesnsp_indicator_reads_from_the_store(store):
    record = sesnsp_homicides.build_record(wide_file(), "IDVFC_NM_mar25.csv")
    publish(store, load_origin(sesnsp_homicides.SOURCE_ID), record, kind="import")
    for spec in INDICATORS.values():
        if spec.source_id == sesnsp_homicides.SOURCE_ID and spec.transform != "per_100k":
            frame = read_series(store, spec, "MX")
            assert len(frame) == 3 * (len(frame[spec.breakdown].unique()) if spec.breakdown else 1), spec.id
            assert frame["value"].notna().all(), spec.id


@responses.activate
def test_live_fetch_takes_the_newest_cut_that_exists(store):
    today = dt.date(2025, 5, 10)
    urls = sesnsp_homicides.candidate_urls(today)
    assert urls[0].endswith("IDVFC_NM_abr25.csv") and urls[1].endswith("IDVFC_NM_mar25.csv")
    responses.get(urls[0], status=404)
    responses.get(urls[1], body=wide_file(), headers={"Last-Modified": "Thu, 17 Apr 2025 18:00:00 GMT"})
    record = sesnsp_homicides.fetch_latest(today=today)
    assert record.file_name == "IDVFC_NM_mar25.csv" and record.url == urls[1]
    assert record.published_on == dt.date(2025, 4, 17)


@responses.activate
def test_live_fetch_with_nothing_published_fails_clearly_and_publishes_nothing(store):
    for url in sesnsp_homicides.candidate_urls(dt.date.today()):
        responses.get(url, status=404)
    with pytest.raises(PublishError, match=r"the newest SESNSP victims file not found \(\d+ addresses, .*\): HTTP 404$"):
        pipeline.refresh(store, sesnsp_homicides.SOURCE_ID)
    assert list_vintages(store, sesnsp_homicides.SOURCE_ID) == []
    assert failing_sources(store)[0].source_id == sesnsp_homicides.SOURCE_ID


def test_live_fetch_over_a_real_http_server(tmp_path):
    """A local HTTP server with the files as a mirror would serve them: a missing newest month,
    then last month's cut (real sockets, real status codes, real bytes)."""
    (tmp_path / "IDVFC_NM_mar25.csv").write_bytes(wide_file())
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        record = sesnsp_homicides.fetch_latest(today=dt.date(2025, 5, 10), base=base)
        assert record.url == base + "IDVFC_NM_mar25.csv"
        assert record.sha256 == sesnsp_homicides.build_record(wide_file(), "x.csv").sha256
        with pytest.raises(SanityError, match="HTTP 404"):
            sesnsp_homicides.fetch_latest(today=dt.date(2024, 5, 10), base=base)
    finally:
        server.shutdown()
