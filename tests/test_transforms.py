"""Read-time transforms on hand-made series: year-over-year change, an index, a rate per 100,000,
and what the explorer and its downloads do with them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from indicators.transforms import index_to, per_100k, year_over_year


def monthly(values, start="2023-01-01", **columns) -> pd.DataFrame:
    periods = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame({"period": periods, "value": np.asarray(values, dtype=float), **columns})


def test_year_over_year_is_the_change_on_the_same_month_a_year_before():
    frame = monthly(list(range(1, 25)))  # Jan 2023 = 1 ... Dec 2024 = 24
    out = year_over_year(frame)
    assert out["value"].iloc[:12].isna().all()  # no year before
    for i in range(12, 24):
        assert out["value"].iloc[i] == pytest.approx((frame["value"].iloc[i] / frame["value"].iloc[i - 12] - 1) * 100)


def test_year_over_year_of_a_missing_or_zero_month_is_missing_not_infinite():
    values = [0.0] + [10.0] * 11 + [5.0] * 12
    frame = monthly(values).drop(index=[3])  # April 2023 never published
    out = year_over_year(frame).set_index("period")["value"]
    assert np.isnan(out[pd.Timestamp("2024-01-01")])  # a year before was 0
    assert np.isnan(out[pd.Timestamp("2024-04-01")])  # a year before is missing
    assert out[pd.Timestamp("2024-05-01")] == pytest.approx(-50.0)


def test_year_over_year_pairs_months_within_each_breakdown_value():
    a = monthly([10.0] * 12 + [20.0] * 12, kind="a")
    b = monthly([10.0] * 12 + [5.0] * 12, kind="b")
    out = year_over_year(pd.concat([a, b], ignore_index=True), "kind")
    last = out[out["period"] == pd.Timestamp("2024-12-01")].set_index("kind")["value"]
    assert last["a"] == pytest.approx(100.0) and last["b"] == pytest.approx(-50.0)


def test_an_index_is_100_in_its_base_month_and_scales_every_month_alike():
    frame = monthly([50.0, 80.0, 40.0, 120.0])
    out, used = index_to(frame, dt.date(2023, 2, 1))
    assert used == pd.Timestamp("2023-02-01")
    assert out["value"].tolist() == pytest.approx([62.5, 100.0, 50.0, 150.0])


def test_an_index_on_a_missing_or_zero_base_month_uses_the_last_month_before_it_with_a_value():
    frame = monthly([50.0, 0.0, 40.0, 120.0]).drop(index=[2])  # March missing, February zero
    out, used = index_to(frame, dt.date(2023, 3, 1))
    assert used == pd.Timestamp("2023-01-01")
    assert out["value"].tolist() == pytest.approx([100.0, 0.0, 240.0])


def test_an_index_with_a_breakdown_bases_each_part_on_itself():
    frame = pd.concat([monthly([10.0, 20.0], kind="a"), monthly([4.0, 2.0], kind="b")], ignore_index=True)
    out, _ = index_to(frame, dt.date(2023, 1, 1), "kind")
    assert out.set_index(["kind", "period"])["value"].tolist() == pytest.approx([100.0, 200.0, 100.0, 50.0])


def test_a_monthly_count_per_100k_is_an_annualised_rate_with_that_years_population():
    frame = monthly([31.0, 28.0, 31.0], start="2024-01-01")  # 2024 is a leap year: February has 29 days
    population = pd.DataFrame({"period": pd.to_datetime(["2023-07-01", "2024-07-01"]),
                               "value": [1_000_000.0, 2_000_000.0]})
    out = per_100k(frame, population)
    expected = [31 / 31 * 366 / 2e6 * 1e5, 28 / 29 * 366 / 2e6 * 1e5, 31 / 31 * 366 / 2e6 * 1e5]
    assert out["value"].tolist() == pytest.approx(expected)


def test_a_twelve_month_total_per_100k_is_not_annualised_again_and_a_year_without_population_has_none():
    frame = monthly([1000.0, 1200.0], start="2024-12-01")
    population = pd.DataFrame({"period": pd.to_datetime(["2024-07-01"]), "value": [500_000.0]})
    out = per_100k(frame, population, rolling_12=True)
    assert out["value"].iloc[0] == pytest.approx(200.0)
    assert np.isnan(out["value"].iloc[1])  # no 2025 population loaded


def test_the_explorer_applies_the_transform_and_downloads_carry_both_values(request):
    """On the real store: a Mexican state's homicides per 100,000 people, from the CONAPO
    population in the store; the CSV keeps the published level next to the rate."""
    from dashboard import downloads, queries, views
    from dashboard.state import ExplorerState
    from indicators.registry import INDICATORS

    app = request.getfixturevalue("snapshot_app")
    spec = INDICATORS["sesnsp_homicide_victims"]
    with app.server.test_request_context("/"):
        state = ExplorerState(spec.id, geo="MX-SIN", start=dt.date(2024, 1, 1), transform="per100k", lang="es")
        view = views.chart_view(state)
        population = queries.population("MX-SIN")
        expected = per_100k(view.frame, population)["value"]
        assert view.shown["value"].tolist() == pytest.approx(expected.tolist())
        assert "100,000 habitantes" in view.unit and view.unit in view.figure.layout.title.text.replace("\u00a0", " ")
        body, _, _ = downloads.export_view(spec.id, "csv", {k: v for k, v in state.params().items() if k != "indicator"},
                                     "http://x/")
    text = body.decode()
    table = pd.read_csv(__import__("io").StringIO(text))
    assert {"value", "value_per100k"} <= set(table.columns)
    assert table["value_per100k"].tolist() == pytest.approx(expected.round(2).tolist())  # (at 0.01)
    with app.server.test_request_context("/"):
        _view, _table, meta = downloads.data_bundle(state, "http://x")
    assert meta["notes"][0].startswith("Se muestra como:")  # the notes in the view's language
    assert "Vista de Verifica del" in meta["cite"]


def test_a_revision_overlay_draws_the_series_as_first_published_and_cites_both_releases(request):
    """The revision view: the same series as known on an earlier date, beside today's, each from
    its own vintages (both cited)."""
    from dashboard import downloads, views
    from dashboard.state import ExplorerState
    from etl.store import list_vintages

    store = request.getfixturevalue("snapshot_store")
    app = request.getfixturevalue("snapshot_app")
    vintages = sorted(list_vintages(store, "cdc_vsrr"), key=lambda v: v.published_on)
    assert len(vintages) >= 2
    day = vintages[0].published_on  # as known when only the first release was out
    with app.server.test_request_context("/"):
        state = ExplorerState("cdc_synthetic_opioid_deaths_12m", start=dt.date(2023, 1, 1), revision=day)
        view = views.chart_view(state)
        early = views.chart_view(state.with_(revision=None, as_of=day))
        [(label, rows, right)] = view.extra
        assert day.isoformat() in label and not right
        assert rows["value"].tolist() == pytest.approx(early.frame["value"].tolist())
        assert set(rows["vintage_id"]) == set(early.frame["vintage_id"])
        cited = {v["id"] for v in downloads.view_vintages(view)}
        assert set(view.frame["vintage_id"]) | set(rows["vintage_id"]) <= cited
        traces = [trace for trace in view.figure.data if trace.meta == "compare"]
        assert [trace.name for trace in traces] == [label] and traces[0].line.dash == "dash"


def test_a_second_indicator_is_drawn_on_its_own_axis(request):
    from dashboard import views
    from dashboard.state import ExplorerState

    app = request.getfixturevalue("snapshot_app")
    with app.server.test_request_context("/"):
        view = views.chart_view(ExplorerState("cbp_fentanyl_seizures_swb_lbs", vs="cdc_synthetic_opioid_deaths_12m"))
        [trace] = [trace for trace in view.figure.data if trace.meta == "compare"]
        assert trace.yaxis == "y3" and view.figure.layout.yaxis3.side == "right"
        assert "deaths" in view.figure.layout.yaxis3.title.text
        _, rows, right = view.extra[0]
        assert right and set(rows["indicator"]) == {"cdc_synthetic_opioid_deaths_12m"}


def test_an_index_bases_each_part_on_its_own_month_when_one_part_is_zero_there():
    frame = pd.concat([monthly([10.0, 0.0, 20.0], kind="a"), monthly([5.0, 4.0, 8.0], kind="b")],
                      ignore_index=True)
    out, _ = index_to(frame, dt.date(2023, 2, 1), "kind")
    by_kind = out.set_index(["kind", "period"])["value"]
    assert by_kind["a"].tolist() == pytest.approx([100.0, 0.0, 200.0])  # January, its last positive month
    assert by_kind["b"].tolist() == pytest.approx([125.0, 100.0, 200.0])


def test_a_change_on_a_year_earlier_and_an_index_reach_before_the_range(request):
    """The first year of the range has a year-earlier change (read from before the range), and an
    index on an event before the range is based on that event's month, not the range's first."""
    from dashboard import views
    from dashboard.state import ExplorerState
    from etl.timeline import read_timeline

    app = request.getfixturevalue("snapshot_app")
    indicator = "cbp_fentanyl_seizures_swb_lbs"
    start = dt.date(2025, 6, 1)
    event = min(read_timeline(), key=lambda e: e["date"])  # the timeline's first event, before the range
    assert event["date"] < start - dt.timedelta(days=31)
    with app.server.test_request_context("/"):
        yoy = views.chart_view(ExplorerState(indicator, start=start, transform="yoy"))
        whole = views.chart_view(ExplorerState(indicator, start=dt.date(2023, 1, 1), transform="yoy"))
        index = views.chart_view(ExplorerState(indicator, start=start, transform="index", base=event["id"]))
    assert yoy.shown["period"].min() == pd.Timestamp(start)
    assert yoy.shown["value"].notna().all()
    same = whole.shown.set_index("period")["value"].loc[yoy.shown["period"]]
    assert yoy.shown["value"].tolist() == pytest.approx(same.tolist())
    base = pd.Timestamp(event["date"].replace(day=1)) - pd.DateOffset(months=1)
    assert f"{base:%Y}" in index.unit and index.shown["period"].min() == pd.Timestamp(start)


def test_a_second_indicator_downloads_with_each_rows_indicator_and_both_sources_cited(request):
    from dashboard import downloads, views
    from dashboard.state import ExplorerState

    app = request.getfixturevalue("snapshot_app")
    client = app.server.test_client()
    response = client.get("/api/indicators/cbp_fentanyl_seizures_swb_lbs.csv?vs=cdc_synthetic_opioid_deaths_12m")
    assert response.status_code == 200, response.get_data(as_text=True)[:200]
    text = response.get_data(as_text=True)
    table = pd.read_csv(__import__("io").StringIO(text))
    assert set(table["indicator"]) == {"cbp_fentanyl_seizures_swb_lbs", "cdc_synthetic_opioid_deaths_12m"}
    source = client.get("/api/indicators/cbp_fentanyl_seizures_swb_lbs.metadata.json"
                        "?vs=cdc_synthetic_opioid_deaths_12m").get_json()["citation"]
    assert "Customs and Border Protection" in source and "National Center for Health Statistics" in source
    with app.server.test_request_context("/"):
        view = views.chart_view(ExplorerState("sesnsp_homicide_victims", geo="MX-SIN", transform="per100k"))
        cited = {v["file_name"] for v in downloads.view_vintages(view)}
    assert any("conapo" in name for name in cited)  # the population a rate divides by
