"""The verification engine: known answers on constructed series, the properties the verdicts rely
on (each also measured at scale in bench/RESULTS.md), and a small seeded simulation."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bench.simulation import Design, run_one, simulate, study
from indicators import explain
from indicators.assessment import Assessment
from indicators.verification import (
    MIN_PRE,
    PRE_LENGTHS,
    VERDICTS,
    Estimate,
    Settings,
    _structural_model,
    assess,
    estimate_structural,
    fit_structural,
    joint_forecast,
    placebo_calibration,
    post_start_month,
)

EVENT = Design().event_date  # mid-month, like every real event
DIRECTIONAL = ("improved", "worsened", "changed")


def smooth_series(months_before: int = 48, months_after: int = 12, sd: float = 0.01, seed: int = 0) -> pd.Series:
    """Trend + seasonality with almost no noise: any 'effect' is an error of the method."""
    rng = np.random.default_rng(seed)
    index = pd.period_range(pd.Period(EVENT, "M") - months_before, periods=months_before + months_after + 1, freq="M")
    t = np.arange(len(index))
    return pd.Series(100 + 2.0 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, sd, len(t)), index=index)


def test_joint_forecast_matches_statsmodels_and_carries_cross_horizon_correlation():
    values = simulate(3).to_numpy()[:48]
    standardised = (values - values.mean()) / values.std()
    result, _ = fit_structural(standardised, 12)
    means, joint = joint_forecast(result, 8)
    forecast = result.get_forecast(8)
    np.testing.assert_allclose(means, forecast.predicted_mean, rtol=1e-8)
    np.testing.assert_allclose(np.diag(joint), forecast.var_pred_mean, rtol=1e-8)
    weights = np.full(8, 1 / 8)
    assert weights @ joint @ weights > 1.5 * np.diag(joint).mean() / 8


@pytest.mark.parametrize("method", ["structural", "its"])
@pytest.mark.parametrize("previous_months_before", [0, 5])
def test_the_counterfactual_is_forecast_for_the_post_window_months(method, previous_months_before):
    # Defect 1: the forecast started right after the pre-period, so with a mid-month event (or a
    # previous event ending the pre-period early) month t was compared with a forecast for t-1...
    series = smooth_series()
    previous = None
    if previous_months_before:
        previous = (pd.Period(EVENT, "M") - previous_months_before).start_time.date().replace(day=20)
    result = assess(series, EVENT, method=method, previous_event=previous, better="ambiguous")
    assert result.n_left_out == (post_start_month(EVENT) - pd.Period(result.pre_end, "M")).n - 1
    frame = result.counterfactual
    assert frame["period"].iloc[0].date() == result.post_start
    np.testing.assert_allclose(frame["expected"], frame["actual"], atol=0.5)
    assert abs(result.effect) < 0.5 and abs(result.relative_effect) < 0.005


@pytest.mark.parametrize(("sd", "seed"), [(0.005, 0), (0.005, 1), (0.009, 1), (0.009, 2), (0.011, 4), (0.02, 4)])
def test_a_trending_series_keeps_its_drift_whatever_the_optimiser_reports(sd, seed):
    # The model-fit test failed on other CPUs with an effect of 25.4 (= 2 a month for a year): on a
    # near noise-free series L-BFGS stops abnormally at a zero variance; whether it calls that
    # converged depends on the CPU, and the engine then fell back to a model without drift.
    # These seeds and noise levels reproduced the failure here before the Nelder-Mead polish.
    series = smooth_series(sd=sd, seed=seed)
    previous = (pd.Period(EVENT, "M") - 5).start_time.date().replace(day=20)
    result = assess(series, EVENT, method="structural", previous_event=previous, better="ambiguous")
    assert abs(result.effect) < 0.5
    assert result.method == "structural" and not any(n["code"] == "fallback_its" for n in result.note_codes)


@pytest.mark.parametrize("method", ["structural", "its"])
def test_one_definition_of_the_effect_actual_minus_counterfactual_path(method):
    # Defect 3: ITS reported a coefficient while its chart showed the fitted path.
    result = assess(simulate(21, replace(Design(), effect=-2.0)), EVENT, method=method, robust=False)
    frame = result.counterfactual
    assert result.effect == pytest.approx((frame["actual"] - frame["expected"]).mean())
    assert result.cumulative_effect == pytest.approx(result.effect * result.n_post)
    assert result.ci_low < result.effect < result.ci_high


def test_rolling_totals_compare_the_12_month_total_at_the_last_post_month():
    # Defect 2: averaging overlapping 12-month totals reported a fraction of the first-year
    # effect, and summing them counted each death up to 12 times.
    design = replace(Design(), rolling_poisson=True, level=500.0, effect=-0.2)
    result, truth = run_one(4, design)
    frame = result.counterfactual
    last = frame.iloc[-1]
    assert result.effect == pytest.approx(last["actual"] - last["expected"])
    assert result.ci_low <= truth <= result.ci_high
    assert result.cumulative_effect is None and result.cumulative_ci_low is None
    assert result.total_post_months == min(12, result.n_post)
    assert result.total_start == (pd.Period(result.post_end, "M") - 11).start_time.date()
    covered = f"{result.total_start:%Y-%m} to {result.post_end:%Y-%m}"
    text, text_es = explain.sentence(result, "en"), explain.sentence(result, "es")
    assert covered in text and f"{result.total_post_months} of its 12 months" in text
    assert f"{result.total_start:%Y-%m} a {result.post_end:%Y-%m}" in text_es


def test_auto_never_uses_a_model_below_its_calibrated_history():
    # Defect 3: with 12-23 pre months auto fell back to ITS, which raised 14-51 % false alarms.
    series = simulate(8).loc[pd.Period(EVENT, "M") - (MIN_PRE - 1):]
    result = assess(series, EVENT)
    assert result.n_pre == MIN_PRE - 1
    assert result.verdict == "insufficient_history" and result.effect is None
    assert f"{MIN_PRE}" in explain.notes(result, "en")[-1]


def test_an_outlier_just_before_the_event_is_not_credited_to_it():
    # Defect 4: one outlying month just before the event shifted the counterfactual.
    design = replace(Design(), outlier=8.0)
    outlier_month = f"{pd.Period(EVENT, 'M') - 1}"
    for seed in range(6):
        result, truth = run_one(seed, design)
        assert result.verdict not in DIRECTIONAL
        assert result.ci_low <= truth <= result.ci_high  # the month is left out of the fit, not the band
        assert any(item["code"] == "outlier_excluded" and outlier_month in item["months"]
                   for item in result.note_codes)


def test_a_change_under_way_before_the_event_is_not_credited_to_it():
    # Defect 4: a trend that bent six months before the event read as the event's effect. Now it is
    # said plainly: the change began before the event, and the event's own effect is shown apart.
    series = smooth_series(sd=0.5)
    bend_start = pd.Period(EVENT, "M") - 6
    after = np.array([max((p - bend_start).n, 0) for p in series.index])
    result = assess(series - 3.0 * after, EVENT, better="down")
    assert result.total_change < 0 and result.total_change_high < 0  # the model alone would call it a fall...
    assert result.verdict == "began_before"  # ...the engine does not credit the event
    assert result.began_by in ("bend", "recent_break", "regime_month", "last_month")
    assert pd.Period(result.began_at, "M") < pd.Period(EVENT, "M")
    assert "not attributable to this event" in explain.sentence(result, "en")
    assert "no es atribuible a este evento" in explain.sentence(result, "es")


def test_a_level_drop_the_month_before_is_a_new_regime_not_an_outlier():
    # The first month of a new level was dropped as an "outlier", so the counterfactual went back
    # to the old level and the event got the credit (31 % false "improved").
    design = replace(Design(), regime_months_before=1, regime_shift=-4.0)
    for seed in range(6):
        result, truth = run_one(seed, design)
        assert result.verdict not in DIRECTIONAL, (seed, result.verdict)
        if result.effect is not None and result.verdict == "began_before":
            assert result.ci_low <= truth <= result.ci_high, seed  # the event's own effect: none


def test_a_last_pre_month_already_out_the_effects_way_means_it_began_before(monkeypatch):
    # An unmarked −3σ shift from the month before: where noise hid part of it, the 2.5 s.e. jump
    # test missed it and the event got the credit (21 % false directional); the last month alone
    # JUMP_LAST_Z s.e. out the effect's way now says the change began before.
    design = replace(Design(), regime_months_before=1, regime_shift=-3.0)
    result, truth = run_one(1, design)
    assert result.verdict == "began_before" and result.began_by == "last_month"
    assert pd.Period(result.began_at, "M") == pd.Period(result.pre_end, "M")
    assert "was already unusually far from the earlier path" in explain.sentence(result, "en")
    assert "ya estaba inusualmente lejos de la trayectoria anterior" in explain.sentence(result, "es")
    assert result.ci_low <= truth <= result.ci_high  # the event's own effect: none
    monkeypatch.setattr("indicators.verification.JUMP_LAST_Z", 99.0)
    assert run_one(1, design)[0].verdict in DIRECTIONAL


def test_a_dated_regime_change_enters_the_fit_as_a_step():
    # A level shift 18 months before the event disabled the model (MDE 5x the level, bias on nulls):
    # dated, it is a step term and the counterfactual carries the new level on.
    design = replace(Design(), regime_months_before=18, regime_shift=-3.0, regime_marked=True)
    unmarked = replace(design, regime_marked=False)
    marked_mde, unmarked_mde = [], []
    for seed in range(4):
        marked, truth = run_one(seed, design)
        plain, _ = run_one(seed, unmarked)
        assert marked.regime_steps == [{"date": design.regime_date.isoformat(), "id": "simulated-regime"}]
        assert marked.ci_low <= truth <= marked.ci_high and marked.verdict not in DIRECTIONAL
        marked_mde.append(marked.mde)
        unmarked_mde.append(plain.mde)
    assert np.mean(marked_mde) < np.mean(unmarked_mde)


def test_a_marker_just_before_the_event_is_not_the_events_doing():
    # Encounters fell from 20 January 2025, two weeks before the 3 February event.
    design = replace(Design(), regime_months_before=1, regime_shift=-6.0, regime_marked=True)
    verdicts = [run_one(seed, design)[0].verdict for seed in range(4)]
    assert set(verdicts) <= {"began_before", "confounded"}  # never the event's change
    result, _ = run_one(verdicts.index("began_before"), design)
    assert result.began_by == "marker"
    assert result.began_at == design.regime_date and result.total_change < 0
    assert "a simulated regime change" in explain.sentence(result, "en")
    assert "un cambio de régimen simulado" in explain.sentence(result, "es")
    quiet = replace(design, regime_shift=0.0)
    assert run_one(1, quiet)[0].verdict == "confounded"  # nothing detected, but the two cannot be told apart


def test_two_events_three_weeks_apart_are_judged_together():
    # 15 and 23 January 2026: the event with no effect of its own was "improved" in 29-33 % of runs.
    design = replace(Design(), event_day=25, adjacent_days=21, effect=-6.0)
    result, truth = run_one(2, design)
    assert result.verdict == "joint" and result.change_direction == "down"
    assert result.joint_events == [{"date": design.effect_date.isoformat(), "id": "second-event",
                                    "title": "the second event"}]
    text = explain.sentence(result, "en")
    assert "the second event" in text and "too close in time" in text
    assert result.ci_low <= truth <= result.ci_high


def test_provisional_months_expected_to_move_are_left_out():
    # Last months under-reported by 5-10 % gave 10.5 % false "improved".
    design = replace(Design(), under_reported=(0.10, 0.07, 0.05))
    result, _ = run_one(0, design)
    series = simulate(0, design)
    assert result.provisional_left_out == [f"{p}" for p in series.index[-3:]]
    assert result.n_post == design.post - 3
    assert any("3 provisional month(s)" in note and "11.1%" in note for note in explain.notes(result, "en"))
    assert any("3 mes(es) provisional(es)" in note for note in explain.notes(result, "es"))
    small = assess(series, EVENT, provisional=series.index[-3:], revision_pattern={0: 0.01, 1: 0.005},
                   robust=False, min_post_months=3)
    assert small.provisional_left_out == []  # revisions under 2 % keep the months


def test_counts_below_100_a_month_use_the_count_model():
    design = replace(Design(), counts=True, level=40.0, scale="count", effect=-0.37)
    result, truth = run_one(1, design)
    assert result.method == "count" and result.scale == "count"
    low, high = np.log1p(result.relative_ci_low), np.log1p(result.relative_ci_high)
    assert low <= truth <= high and result.relative_ci_high < 0
    assert result.relative_effect == pytest.approx(np.expm1(np.log1p(result.relative_effect)))
    # The level numbers are the same statement: observed over counterfactual.
    assert result.observed / result.counterfactual_value - 1 == pytest.approx(result.relative_effect)
    fractional = assess(simulate(1, design) + 0.5, EVENT, scale="count", robust=False, min_post_months=3)
    assert fractional.scale == "linear" and any(n["code"] == "count_impossible" for n in fractional.note_codes)


def test_positive_flows_on_the_log_scale_give_exact_relative_intervals():
    design = replace(Design(), multiplicative=True, scale="log", effect=-2.0)
    result, _ = run_one(5, design)
    assert result.scale == "log"
    assert result.relative_ci_low < result.relative_effect < result.relative_ci_high  # always bounded
    assert result.mde_relative == pytest.approx(np.expm1(np.log1p(result.mde_relative)))
    assert result.mde_relative_fall == pytest.approx(1 - 1 / (1 + result.mde_relative))
    assert result.effect == pytest.approx(result.observed - result.counterfactual_value)
    with_zero = simulate(5, design)
    with_zero.iloc[3] = 0.0
    assert assess(with_zero, EVENT, scale="log", robust=False).scale == "linear"


def test_a_clear_step_passes_every_check_and_is_judged_by_direction():
    series = simulate(11, replace(Design(), pre=60, effect=-6.0))
    down = assess(series, EVENT, better="down", pre_months=36)
    assert down.verdict == "improved", down.checks
    assert {c["check"] for c in down.checks} >= {"placebo", "recent_break", "outlier", "pre_length", "other_method"}
    assert len([c for c in down.checks if c["check"] == "pre_length"]) == len(PRE_LENGTHS) - 1
    assert all(c["passed"] is not False for c in down.checks)
    assert down.placebo_n >= 5 and down.placebo_p_value <= 0.10
    up = assess(series, EVENT, better="up", pre_months=36)
    assert up.verdict == "worsened"
    assert explain.sentence(down, "en").startswith("Improved") and explain.sentence(down, "es").startswith("Mejoró")


def test_too_noisy_to_tell_says_how_small_a_change_could_be_told():
    # "No detectable change" beside an MDE of 84-833 % read as "no change": now it says the truth.
    unit = {"en": "lbs per month", "es": "libras por mes"}
    result = assess(simulate(5, replace(Design(), noise_sd=40.0)), EVENT, unit=unit)
    assert result.verdict == "too_noisy" and result.mde_relative > 0.5
    assert result.mde > abs(result.ci_high - result.effect)  # MDE = (t_crit + t_power) * se
    assert result.mde_relative == pytest.approx(result.mde / result.counterfactual_value)
    assert result.relative_ci_low < result.relative_effect < result.relative_ci_high
    text, text_es = explain.sentence(result, "en"), explain.sentence(result, "es")
    assert f"cannot tell a change smaller than {explain.number(result.mde)} lbs per month" in text
    assert "no pueden distinguir" in text_es and "libras por mes" in text_es
    assert text.startswith("Too noisy to tell")


def test_a_quiet_series_says_no_change_larger_than_its_bound():
    quiet = replace(Design(), level=1000.0, noise_sd=10.0)
    result = assess(simulate(4, quiet), EVENT)
    assert result.verdict == "no_change_beyond"
    assert result.equivalence_bound <= 0.15
    assert max(abs(result.relative_ci_low), abs(result.relative_ci_high)) <= result.equivalence_bound
    text = explain.percent(result.equivalence_bound, "en", signed=False)
    assert f"no change larger than {text}" in explain.sentence(result, "en")
    assert f"ningún cambio mayor que {explain.percent(result.equivalence_bound, 'es', signed=False)}" in \
        explain.sentence(result, "es")


def test_every_tested_cell_gets_its_break_checks():
    # Robustness checks ran only when the interval excluded zero, so a "no change" never revealed a break.
    result = assess(simulate(4, replace(Design(), level=1000.0, noise_sd=10.0)), EVENT)
    assert {c["check"] for c in result.checks} >= {"recent_break", "outlier"}


def test_relative_interval_is_unbounded_when_the_counterfactual_may_be_zero():
    rng = np.random.default_rng(2)
    index = pd.period_range(pd.Period(EVENT, "M") - 36, periods=49, freq="M")
    series = pd.Series(np.abs(rng.normal(3, 6, len(index))), index=index)  # near zero, noisy, non-negative
    result = assess(series, EVENT, seasonal=None)
    assert result.relative_ci_high is None or result.relative_ci_high > result.relative_effect
    assert (result.counterfactual["lower"] >= 0).all()  # seizures cannot go below zero


def test_year_over_year_is_descriptive_only():
    result = assess(simulate(3, replace(Design(), effect=-4.0)), EVENT, method="yoy")
    assert result.verdict == "descriptive_only" and result.ci_low is None and result.p_value is None
    assert result.effect < 0 and "not attributed to the event" in explain.sentence(result, "en")


def test_a_constant_pre_period_gives_no_p_value():
    index = pd.period_range(pd.Period(EVENT, "M") - 36, periods=49, freq="M")
    series = pd.Series(np.r_[np.full(37, 5.0), np.full(12, 7.0)], index=index)
    result = assess(series, EVENT)
    assert result.verdict == "insufficient_history" and result.p_value is None
    assert "constant" in explain.notes(result, "en")[-1] and "constant" in explain.sentence(result, "en")


def test_placebo_refits_keep_the_real_pre_periods_scale():
    # Re-filtering the real pre-period with its own fitted parameters must reproduce the estimate:
    # a placebo window standardised on its own spread would change what the variances mean.
    series = simulate(9, replace(Design(), trend=3.0))
    pre = pd.period_range(pd.Period(EVENT, "M") - 36, pd.Period(EVENT, "M") - 1, freq="M")
    post = pd.period_range(post_start_month(EVENT), periods=12, freq="M")
    settings = Settings(seasonal=12, rolling=False, alpha=0.05)
    real = estimate_structural(series, pre, post, settings)
    again = estimate_structural(series, pre, post, settings, real.fit)
    assert real.fit.scale == pytest.approx(series.reindex(pre).std(ddof=0))
    assert again.effect == pytest.approx(real.effect) and again.se == pytest.approx(real.se, rel=1e-6)
    shifted = pre - 12  # an earlier window: same parameters, same scale
    earlier = estimate_structural(series, shifted, post - 12, settings, real.fit)
    assert earlier.fit.scale == real.fit.scale


def test_its_forecasts_from_the_last_observed_pre_month():
    series = smooth_series(sd=0.3)
    gap = series.copy()
    gap.loc[pd.Period(EVENT, "M") - 1] = np.nan  # the last pre month is missing
    full = assess(series, EVENT, method="its", robust=False)
    missing = assess(gap, EVENT, method="its", robust=False)
    assert missing.n_pre == full.n_pre - 1
    assert abs(missing.effect) < 0.5 and missing.verdict not in DIRECTIONAL


def test_left_out_months_are_counted_and_named():
    series = smooth_series(sd=1.0)
    previous = (pd.Period(EVENT, "M") - 4).start_time.date().replace(day=9)
    result = assess(series, EVENT, previous_event=previous, robust=False)
    months = pd.period_range(pd.Period(previous, "M"), pd.Period(EVENT, "M"), freq="M")
    assert result.n_left_out == len(months)  # the previous event's month through this event's month
    assert f"{len(months)} month(s) between the pre-period and the post window ({months[0]} to {months[-1]})" in \
        explain.notes(result, "en")[0]
    assert result.pre_ends_at_event == previous
    assert any("includes any lasting effect of that earlier event" in note and previous.isoformat() in note
               for note in explain.notes(result, "en"))


def test_later_events_inside_the_post_window_are_named():
    later = [(dt.date(2024, 5, 3), "later-meeting"), (dt.date(2027, 1, 1), "far-away")]
    result = assess(simulate(2), EVENT, later_events=later, robust=False)
    assert any("later-meeting (2024-05-03)" in note for note in explain.notes(result, "en"))
    assert not any("far-away" in note for note in explain.notes(result, "en"))


def test_degrees_of_freedom_deduct_the_diffuse_initialisation():
    series = simulate(6)
    pre = pd.period_range(pd.Period(EVENT, "M") - 36, pd.Period(EVENT, "M") - 1, freq="M")
    post = pd.period_range(post_start_month(EVENT), periods=12, freq="M")
    settings = Settings(seasonal=12, rolling=False, alpha=0.05)
    estimate = estimate_structural(series, pre, post, settings)
    values = series.reindex(pre).to_numpy()
    result, fit = fit_structural((values - values.mean()) / values.std(), 12)
    assert estimate.df == len(pre) - result.loglikelihood_burn - len(fit.params)
    assert result.loglikelihood_burn > 1  # level, drift and seasonal states are diffuse


def test_simulation_with_mid_month_events_on_a_seeded_set():
    # bench/bench_verification.py runs 200 replications of every scenario; this is a small seeded set.
    planted = study(replace(Design(), effect=-2.0), range(30))
    assert planted.coverage >= 0.85
    assert planted.mean_estimate == pytest.approx(planted.truth, abs=2.5)
    null = study(Design(), range(500, 540))
    assert null.directional_rate <= 0.10


def test_period_and_datetime_indexes_give_the_same_answer():
    series = simulate(2, replace(Design(), effect=-2.0))
    as_dates = series.copy()
    as_dates.index = series.index.to_timestamp()
    a, b = assess(series, EVENT, robust=False), assess(as_dates, EVENT, robust=False)
    assert (a.effect, a.ci_low, a.n_pre, a.n_post) == (b.effect, b.ci_low, b.n_pre, b.n_post)


def test_event_month_is_left_out_and_post_starts_the_next_full_month():
    series = simulate(1)
    mid_month = assess(series, dt.date(2023, 6, 20), robust=False)
    assert mid_month.pre_end == dt.date(2023, 5, 1) and mid_month.post_start == dt.date(2023, 7, 1)
    assert mid_month.n_left_out == 1
    first_day = assess(series, dt.date(2023, 6, 1), robust=False)
    assert first_day.post_start == dt.date(2023, 6, 1) and first_day.n_left_out == 0


def test_not_yet_verifiable_says_when_it_becomes_checkable():
    series = simulate(1)  # data through 2025-01
    last = series.index[-1]
    event = (last - 1).start_time.date().replace(day=10)
    result = assess(series, event, as_of=last.end_time.date())
    needed = post_start_month(event) + 2  # three post months
    assert result.verdict == "not_yet_verifiable"
    assert result.checkable_from == needed.start_time.date()
    month = needed.start_time.date()
    assert f"once data for {explain.month_name(month, 'en')} are published" in explain.sentence(result, "en")
    assert f"cuando se publiquen los datos de {explain.month_name(month, 'es')}" in explain.sentence(result, "es")
    assert explain.month_name(month, "es").startswith(("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                                                       "agosto", "septiembre", "octubre", "noviembre", "diciembre"))
    assert f"expected to be published around {needed + 1}" in explain.notes(result, "en")[-1]
    overdue = assess(series, event, as_of=(needed + 6).end_time.date())
    # For readers: what is late, not what an operator should run (that is on the status page).
    last_note = explain.notes(overdue, "en")[-1]
    assert "has not reached Verifica yet" in last_note and "refresh" not in last_note


def test_as_of_drops_later_months():
    series = simulate(4, replace(Design(), effect=-2.0))
    full = assess(series, EVENT, robust=False)
    early = assess(series, EVENT, robust=False, as_of=(post_start_month(EVENT) + 3).start_time.date())
    assert full.n_post == 12 and early.n_post == 4
    assert early.data_through == (post_start_month(EVENT) + 3).start_time.date()


def test_measurement_change_inside_the_window_confounds():
    series = simulate(7, replace(Design(), effect=-6.0))
    inside = (post_start_month(EVENT) + 1).start_time.date()
    result = assess(series, EVENT, measurement_changes=[inside])
    assert result.verdict == "confounded" and result.effect < 0
    outside = assess(series, EVENT, measurement_changes=[dt.date(2015, 3, 5)])
    assert outside.verdict == "improved"


def test_annual_figures_are_descriptive_only():
    annual = pd.Series([100.0, 120.0, 90.0], index=pd.PeriodIndex(["2022-12", "2023-12", "2024-12"], freq="M"))
    result = assess(annual, dt.date(2024, 2, 1), semantics="annual")
    assert result.verdict == "descriptive_only" and result.p_value is None


def test_provisional_post_months_are_counted_and_said():
    series = simulate(12)
    provisional = series.index[-3:]
    result = assess(series, EVENT, provisional=provisional, robust=False)
    assert result.provisional_post_months == len(provisional)
    assert any(f"{len(provisional)} post-event month(s) are provisional" in note for note in explain.notes(result, "en"))


def test_every_verdict_and_reason_has_both_languages():
    assert set(VERDICTS) <= set(explain.VERDICT_LABELS)
    for table in (explain.VERDICT_LABELS, explain.NOTES, explain.REASONS, explain.METHOD_LABELS, explain.PHRASES,
                  explain.SENTENCES):
        assert all(set(text) == {"en", "es"} and all(text.values()) for text in table.values())


def test_to_json_is_plain_json_of_codes_and_numbers_that_reads_back():
    result = assess(simulate(13, replace(Design(), effect=-6.0)), EVENT)
    body = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert body["verdict"] in VERDICTS and body["mde"] > 0 and "no_detectable_change" not in VERDICTS
    assert body["counterfactual"][0]["period"] == f"{post_start_month(EVENT)}"
    assert set(body["counterfactual"][0]) == {"period", "actual", "expected", "lower", "upper"}
    assert all(set(check) >= {"check", "passed"} for check in body["checks"])
    # No words: they are made where the result is shown, and a stored result reads back to the same words.
    assert not set(body) & {"explanation", "explanation_es", "notes", "notes_es"} and body["note_codes"]
    back = Assessment.from_json(body)
    assert back.to_json() == body
    for lang in ("en", "es"):
        assert explain.sentence(back, lang) == explain.sentence(result, lang)
        assert explain.notes(back, lang) == explain.notes(result, lang)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        assess(simulate(1), EVENT, method="magic")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_headlines_say_each_new_verdict_in_words_a_newsroom_can_print(lang):
    cases = {
        "too_noisy": assess(simulate(5, replace(Design(), noise_sd=40.0)), EVENT),
        "no_change_beyond": assess(simulate(4, replace(Design(), level=1000.0, noise_sd=10.0)), EVENT),
        "joint": run_one(2, replace(Design(), event_day=25, adjacent_days=21, effect=-6.0))[0],
    }
    words = {
        "too_noisy": {"en": "could not show a change smaller than", "es": "no podrían mostrar un cambio menor que"},
        "no_change_beyond": {"en": "no change larger than", "es": "ningún cambio mayor que"},
        "joint": {"en": "too close to tell apart", "es": "demasiado cerca para separarlos"},
    }
    for verdict, result in cases.items():
        assert result.verdict == verdict
        text = explain.headline(result, "The meeting", "2024-01-15", lang)
        assert explain.VERDICT_LABELS[verdict][lang] in text and words[verdict][lang] in text
        assert "the-meeting" not in text and "second-event" not in text  # titles, never ids
    unbounded = replace(cases["too_noisy"], relative_ci_high=None)
    assert explain.relative_interval(unbounded, lang) and "unbounded" not in explain.relative_interval(unbounded, lang)
    assert ("no upper limit" if lang == "en" else "sin límite superior") in explain.relative_interval(unbounded, lang)


def levelling_off_totals(seed: int = 0) -> pd.Series:
    """12-month totals of monthly counts whose fall slows down month by month, like CDC's deaths
    after 2024: no event effect anywhere."""
    rng = np.random.default_rng(seed)
    months = pd.period_range(pd.Period(EVENT, "M") - 60, pd.Period(EVENT, "M") + 12, freq="M")
    t = np.arange(len(months) + 11, dtype=float)
    rate = 4000 + 4000 * np.exp(-np.clip(t - 30, 0, None) / 14)  # flat, then a fall that levels off
    monthly_counts = rng.poisson(rate)
    return pd.Series(np.convolve(monthly_counts, np.ones(12), "valid"), index=months, dtype=float)


def test_the_damped_trend_is_measured_but_off(monkeypatch):
    # bench/bench_damped.py: on 12-month sums with a steady trend it lowers coverage and power, so
    # the engine keeps the local linear trend; switched on, the answer says it is damped and how much.
    series = levelling_off_totals()
    default = assess(series, EVENT, semantics="rolling_12m", better="down")
    assert not any(note["code"] == "damped" for note in default.note_codes)
    monkeypatch.setattr("indicators.verification.DAMP_AFTER", 6)
    damped = assess(series, EVENT, semantics="rolling_12m", better="down")
    phi = next(note["phi"] for note in damped.note_codes if note["code"] == "damped")
    assert 0 < phi < 1 and damped.effect != default.effect
    assert any(f"{phi:.0%}" in note for note in explain.notes(damped, "en"))
    assert any(f"{phi:.0%}" in note for note in explain.notes(damped, "es"))


@pytest.mark.filterwarnings("ignore::UserWarning")  # statsmodels' start-value and convergence chatter
@pytest.mark.parametrize("trend", ["n", "c"])
def test_the_joint_forecast_reads_an_arima_fit_with_or_without_a_drift(monkeypatch, trend):
    values = levelling_off_totals().to_numpy()[24:60]  # the 36 months before the event
    standardised = (values - values.mean()) / values.std()
    model = _structural_model(standardised, {"model": "arima", "order": (1, 1, 1), "trend": trend}, None)
    result = model.fit(disp=False)
    means, joint = joint_forecast(result, 12)
    forecast = result.get_forecast(12)
    np.testing.assert_allclose(means, forecast.predicted_mean, rtol=1e-8)  # the drift is in the state intercept
    np.testing.assert_allclose(np.diag(joint), forecast.var_pred_mean, rtol=1e-8)
    monkeypatch.setattr("indicators.verification.DAMP_AFTER", 6)
    _, long = fit_structural(standardised, None, smooth=True, horizon=12)
    _, short = fit_structural(standardised, None, smooth=True, horizon=6)
    assert long.spec["model"] == "arima" and short.spec == {"level": "lltrend"}


def test_placebo_calibration_takes_the_conformal_quantile_and_never_narrows():
    estimate = Estimate(effect=0.0, se=1.0, df=30, observed=0.0, counterfactual=0.0, expected=np.zeros(1),
                        band_sd=np.zeros(1), n_post=1, pre_z=np.zeros(1))
    crit = float(stats.t.ppf(0.975, 30))
    wide = [float(v) for v in np.linspace(0.1, 3.0 * crit, 19)]  # the 19th of 19 is the 95 % quantile
    assert placebo_calibration(wide, estimate, 0.05) == pytest.approx(wide[-1] / crit)
    assert placebo_calibration(wide[:-1], estimate, 0.05) == 1.0  # 18 dates: the quantile does not exist
    assert placebo_calibration([0.5] * 24, estimate, 0.05) == 1.0  # never narrower than the model


def test_intervals_widen_to_what_fake_event_dates_show(monkeypatch):
    # Heavy-tailed noise with five years of history before the pre-period: at 24 fake dates the
    # same estimate strays further than the model says; the interval (and the p-value with it)
    # follows the fake dates.
    design = replace(Design(), history=60, heavy_tails=True)
    calibrated, _ = run_one(5, design)
    monkeypatch.setattr("indicators.verification.CALIBRATE", False)
    plain, _ = run_one(5, design)
    factor = calibrated.interval_calibration
    assert calibrated.placebo_n >= 19 and factor > 1.0 and plain.interval_calibration == 1.0
    assert calibrated.effect == pytest.approx(plain.effect)
    assert calibrated.ci_high - calibrated.ci_low == pytest.approx(factor * (plain.ci_high - plain.ci_low), rel=1e-6)
    assert calibrated.mde > plain.mde and calibrated.p_value > plain.p_value
    note = next(n for n in calibrated.note_codes if n["code"] == "calibrated")
    assert note["n"] == calibrated.placebo_n
    assert any(f"{factor:.2f}" in text for text in explain.notes(calibrated, "en"))
    assert any(f"{factor:.2f}" in text for text in explain.notes(calibrated, "es"))


def _with_donor(effect_on_series: float, effect_on_donor: float, seed: int = 2):
    """A series driven by a control series (0.9 × donor + its own noise), and either may take a
    step from the first post month."""
    rng = np.random.default_rng(seed)
    index = pd.period_range(pd.Period(EVENT, "M") - 36, pd.Period(EVENT, "M") + 12, freq="M")
    t = np.arange(len(index))
    after = np.array([p >= post_start_month(EVENT) for p in index])
    donor = 200 + 1.5 * t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 4, len(t)) + effect_on_donor * after
    series = 0.9 * donor + 30 + rng.normal(0, 4, len(t)) + effect_on_series * after
    return pd.Series(series, index=index), {"other": pd.Series(donor, index=index)}


def test_the_control_series_check_tells_a_shared_shock_from_the_series_own_change():
    labels = {"other": {"en": "the other drug", "es": "la otra droga"}}
    own, donors = _with_donor(effect_on_series=-40.0, effect_on_donor=0.0)
    result = assess(own, EVENT, better="down", donors=donors, donor_labels=labels)
    check = next(c for c in result.checks if c["check"] == "donors")
    assert result.ci_high < 0 and check["reading"] == "same_change" and check["ci_high"] < 0
    assert check["passed"] is None  # shown, never deciding
    assert any("the other drug" in n and "the same way" in n for n in explain.notes(result, "en"))
    assert any("la otra droga" in n and "mismo sentido" in n for n in explain.notes(result, "es"))
    shared, donors = _with_donor(effect_on_series=0.0, effect_on_donor=-40.0)  # it fell with its controls
    result = assess(shared, EVENT, better="down", donors=donors, donor_labels=labels)
    check = next(c for c in result.checks if c["check"] == "donors")
    assert result.ci_high < 0 and check["reading"] == "other_answer" and check["ci_low"] <= 0 <= check["ci_high"]
    assert any("a different answer" in n for n in explain.notes(result, "en"))
    assert any("respuesta distinta" in n for n in explain.notes(result, "es"))
    assert result.verdict == "improved"  # the verdict is the main estimate's
    quiet, donors = _with_donor(effect_on_series=0.0, effect_on_donor=0.0)
    result = assess(quiet, EVENT, better="down", donors=donors, donor_labels=labels)
    check = next(c for c in result.checks if c["check"] == "donors")
    assert result.ci_low <= 0 <= result.ci_high
    assert check["reading"] == "no_change" and max(abs(check["rel_low"]), abs(check["rel_high"])) <= 0.25


def test_controls_that_end_before_the_post_window_cannot_check_and_are_not_named():
    series, donors = _with_donor(effect_on_series=-40.0, effect_on_donor=0.0)
    donors = {"short": donors["other"].iloc[:-3], "full": donors["other"] * 1.1 + 5}
    labels = {"short": {"en": "short control", "es": "control corto"}, "full": {"en": "full control", "es": "x"}}
    result = assess(series, EVENT, better="down", donors=donors, donor_labels=labels)
    check = next(c for c in result.checks if c["check"] == "donors")
    assert check["donors"] == ["full"] and check["offered"] == ["short", "full"] and check["names"] == "full control"
    result = assess(series, EVENT, better="down", donors={"short": donors["short"]})
    check = next(c for c in result.checks if c["check"] == "donors")
    assert check["reading"] == "not_possible" and not any(n["code"].startswith("donors_") for n in result.note_codes)
