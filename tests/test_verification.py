"""The verification statistics: known answers on constructed series, and a seeded simulation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bench.simulation import EVENT, Design, simulate, study
from indicators.verification import assess, fit_structural, joint_forecast


def test_joint_forecast_matches_statsmodels_and_carries_cross_horizon_correlation():
    values = simulate(3, 0.0).to_numpy()[:48]
    standardised = (values - values.mean()) / values.std()
    result = fit_structural(standardised, 12)
    means, joint = joint_forecast(result, 8)
    forecast = result.get_forecast(8)
    np.testing.assert_allclose(means, forecast.predicted_mean, rtol=1e-8)
    np.testing.assert_allclose(np.diag(joint), forecast.var_pred_mean, rtol=1e-8)
    weights = np.full(8, 1 / 8)
    # Forecast errors of a level model are positively correlated: the average's variance is far
    # above the per-month variance divided by n, which would give intervals much too narrow.
    assert weights @ joint @ weights > 1.5 * np.diag(joint).mean() / 8


@pytest.mark.parametrize("method", ["structural", "its", "yoy"])
def test_a_large_planted_drop_is_found_and_judged_by_direction(method):
    design = Design(trend=0.0) if method == "yoy" else Design()
    series = simulate(11, -40.0, design)
    down = assess(series, EVENT, method=method, better="down", post_months=12)
    assert down.method == method
    assert down.effect == pytest.approx(-40, abs=12)
    assert down.ci_high < 0 and down.verdict == "improved"
    assert assess(series, EVENT, method=method, better="up", post_months=12, placebo=False).verdict == "worsened"
    assert assess(series, EVENT, method=method, better="ambiguous", post_months=12, placebo=False).verdict == "changed"
    assert down.cumulative_effect == pytest.approx(down.effect * down.n_post)
    assert down.counterfactual is not None and len(down.counterfactual) == 12
    assert down.explanation.startswith("Improved") and down.explanation_es.startswith("Mejoró")


def test_placebo_rank_is_reported_beside_the_model_p_value():
    result = assess(simulate(5, -40.0), EVENT, method="structural", post_months=12)
    assert result.placebo_n >= 5
    assert result.placebo_p_value == pytest.approx(1 / (1 + result.placebo_n))
    null = assess(simulate(6, 0.0), EVENT, method="structural", post_months=12)
    assert null.placebo_p_value > 0.05


def test_simulation_coverage_and_false_alarms_on_a_seeded_set():
    # A small seeded set; bench/bench_verification.py runs 200+ replications per method.
    planted = study("structural", range(60), 15.0)
    assert 0.85 <= planted.coverage <= 1.0
    assert planted.mean_estimate == pytest.approx(15.0, abs=2.0)
    null = study("structural", range(500, 560), 0.0)
    assert null.rejection_rate <= 0.12


def test_period_and_datetime_indexes_give_the_same_answer():
    series = simulate(2, -30.0)
    as_dates = series.copy()
    as_dates.index = series.index.to_timestamp()
    a = assess(series, EVENT, method="its", placebo=False)
    b = assess(as_dates, EVENT, method="its", placebo=False)
    assert (a.effect, a.ci_low, a.n_pre, a.n_post) == (b.effect, b.ci_low, b.n_pre, b.n_post)


def test_event_month_is_left_out_and_post_starts_the_next_full_month():
    series = simulate(1, 0.0)
    mid_month = assess(series, dt.date(2023, 6, 20), method="its", placebo=False)
    assert mid_month.pre_end == dt.date(2023, 5, 1)
    assert mid_month.post_start == dt.date(2023, 7, 1)
    first_day = assess(series, dt.date(2023, 6, 1), method="its", placebo=False)
    assert first_day.post_start == dt.date(2023, 6, 1)


def test_not_yet_verifiable_says_when_it_becomes_checkable():
    series = simulate(1, 0.0)  # data through 2024-12
    result = assess(series, dt.date(2024, 11, 10), as_of=dt.date(2025, 1, 10))
    assert result.verdict == "not_yet_verifiable"
    assert result.data_through == dt.date(2024, 12, 1)
    assert result.checkable_from == dt.date(2025, 2, 1)  # Dec, Jan, Feb: three post months
    assert "2025-02" in result.explanation and "2025-02" in result.explanation_es
    assert "expected to be published around 2025-03" in result.notes[0]
    overdue = assess(series, dt.date(2024, 11, 10), as_of=dt.date(2025, 9, 1))
    assert "refresh the source" in overdue.notes[0]


def test_as_of_drops_later_months():
    series = simulate(4, -40.0)
    full = assess(series, EVENT, method="its", placebo=False)
    early = assess(series, EVENT, method="its", placebo=False, as_of=dt.date(2024, 4, 20))
    assert full.n_post == 12 and early.n_post == 4
    assert early.data_through == dt.date(2024, 4, 1)


def test_measurement_change_inside_the_window_confounds():
    series = simulate(7, -40.0)
    result = assess(series, EVENT, method="its", placebo=False, measurement_changes=[dt.date(2024, 3, 5)])
    assert result.verdict == "confounded" and result.effect < 0
    outside = assess(series, EVENT, method="its", placebo=False, measurement_changes=[dt.date(2015, 3, 5)])
    assert outside.verdict == "improved"


def test_short_history_is_insufficient():
    series = simulate(8, 0.0).loc["2023-08":]
    result = assess(series, EVENT, method="structural", placebo=False)
    assert result.verdict == "insufficient_history"
    assert "5 pre-event months" in result.explanation


def test_rolling_series_widens_the_window_and_drops_seasonality():
    monthly = simulate(9, -30.0, Design(seasonal_amplitude=0.0))
    rolling = monthly.rolling(12).sum().dropna()
    result = assess(rolling, EVENT, semantics="rolling_12m", post_months=None, placebo=False)
    assert any("12 months ending" in note for note in result.notes)
    assert result.n_post == 12
    assert "12-month total" in result.explanation
    early = assess(rolling, EVENT, semantics="rolling_12m", as_of=dt.date(2024, 4, 1))
    assert early.verdict == "not_yet_verifiable"  # needs six post months


def test_annual_figures_are_descriptive_only():
    annual = pd.Series([100.0, 120.0, 90.0], index=pd.PeriodIndex(["2022-12", "2023-12", "2024-12"], freq="M"))
    result = assess(annual, dt.date(2024, 2, 1), semantics="annual")
    assert result.verdict == "descriptive_only" and result.p_value is None
    assert "descriptive" in result.explanation.lower() or "described" in result.explanation


def test_previous_event_ends_the_pre_period():
    series = simulate(10, 0.0)
    result = assess(series, EVENT, method="its", placebo=False, previous_event=dt.date(2023, 9, 15))
    assert result.pre_end == dt.date(2023, 8, 1)
    assert "previous event (2023-09-15)" in result.notes[0]
    assert "4 month(s) between" in result.notes[0]
    assert result.pre_ends_at_event == dt.date(2023, 9, 15)
    assert "pre-period ends at the previous event, 2023-09-15" in result.explanation
    assert "termina en el evento anterior, 2023-09-15" in result.explanation_es
    too_early = assess(series.loc["2021-01":], EVENT, method="its", placebo=False,
                       previous_event=dt.date(2021, 6, 1))
    assert too_early.pre_end == dt.date(2023, 12, 1) and too_early.pre_ends_at_event is None
    assert "may absorb part of its effect" in too_early.notes[0]


def test_provisional_post_months_are_counted_and_said():
    series = simulate(12, 0.0)
    provisional = pd.period_range("2024-10", "2024-12", freq="M")
    result = assess(series, EVENT, method="its", placebo=False, provisional=provisional)
    assert result.provisional_post_months == 3
    assert any("3 post-event month(s) are provisional" in note for note in result.notes)


def test_to_json_is_plain_json():
    import json

    result = assess(simulate(13, -40.0), EVENT, method="structural")
    body = json.loads(json.dumps(result.to_json()))
    assert body["verdict"] in ("improved", "worsened", "changed")
    assert body["counterfactual"][0]["period"] == "2024-01"
    assert set(body["counterfactual"][0]) == {"period", "actual", "expected", "lower", "upper"}


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        assess(simulate(1, 0.0), EVENT, method="magic")
