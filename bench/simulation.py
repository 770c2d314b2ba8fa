"""Simulation study of the verification engine: series like the real ones, with known truth.

Monthly flows: level + linear trend + 12-month seasonality + AR(1) noise (Gaussian or heavy-tailed
t(3)); optionally an outlier in the last pre-event month, a trend that bends some months before
the event, a previous event that ends the pre-period early, a level shift (a regime change) some
months before the event (dated for the engine or not), a second event three weeks later that
carries the effect, provisional last months under-reported as the publisher revises them, or the
whole series multiplicative (log-normal, ``multiplicative``). Events fall mid-month like every
real one (the event month is left out). Effects: a step or a slope starting with the first full
month after the event. Counts: Poisson months at a low rate with seasonality, the effect a
relative change of the rate. 12-month-ending series: rolling sums of Poisson monthly counts, the
effect a fall in the monthly rate, judged on the 12-month total at the last post month.

Used by the tests (small seeded sets) and by ``bench/bench_verification.py`` (results in
bench/RESULTS.md).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from indicators.verification import assess, post_start_month

EVENT = dt.date(2024, 1, 15)


@dataclass(frozen=True)
class Design:
    pre: int = 36  # months of history before the event month
    history: int = 0  # more months before the pre-period (fake event dates for the placebo-in-time checks)
    post: int = 12  # post months published
    event_day: int = 15
    level: float = 100.0
    trend: float = 0.8
    seasonal_amplitude: float = 15.0
    ar: float = 0.5
    noise_sd: float = 5.0  # innovation sd
    heavy_tails: bool = False
    effect: float = 0.0  # in units of sigma, the noise's marginal sd
    effect_kind: str = "step"  # step | slope (effect sigma per month after the event)
    outlier: float = 0.0  # sigma added to the last pre-event month
    bend_months_before: int = 0  # the trend changes this many months before the event month
    bend: float = 0.0  # change of slope, sigma per month
    previous_event_months_before: int = 0  # a previous linked event this many months earlier
    rolling_poisson: bool = False  # 12-month sums of Poisson counts (rate `level`)
    levelling: float = 0.0  # 12-month sums: the rate falls by this share from 24 months before, levelling off
    counts: bool = False  # Poisson monthly counts at rate `level` (effect: relative change of the rate)
    multiplicative: bool = False  # log-normal: exp(log level + trend + seasonality + AR noise), effect in log
    regime_months_before: int = 0  # a level shift starting this many months before the event month
    regime_shift: float = 0.0  # its size, sigma (or log points when multiplicative)
    regime_marked: bool = False  # the engine is told the shift's date (a curated regime marker)
    regime_day: int = 1  # the day of the month the shift starts (its first month is partly shifted)
    count_ar: float = 0.0  # counts: log-rate noise AR(1) coefficient (extra-Poisson, autocorrelated)
    count_noise: float = 0.0  # counts: its innovation sd (log points)
    revision_noise: float = 0.0  # relative error of the revision pattern handed to the engine
    adjacent_days: int = 0  # a second linked event this many days later carries the effect
    under_reported: tuple[float, ...] = ()  # the newest months' shortfall (newest first), e.g. (0.10, 0.07, 0.05)
    scale: str = "linear"  # the engine's scale, as the registry would declare it for such a series

    @property
    def sigma(self) -> float:
        return self.noise_sd / np.sqrt(1 - self.ar**2)

    @property
    def event_date(self) -> dt.date:
        return EVENT.replace(day=self.event_day)

    @property
    def effect_date(self) -> dt.date:
        """Where the planted effect starts: the tested event, or the second event after it."""
        return self.event_date + dt.timedelta(days=self.adjacent_days)

    @property
    def regime_date(self) -> dt.date | None:
        if not self.regime_months_before:
            return None
        month = pd.Period(self.event_date, "M") - self.regime_months_before
        return month.start_time.date().replace(day=self.regime_day)

    @property
    def previous_event(self) -> dt.date | None:
        if not self.previous_event_months_before:
            return None
        return (pd.Period(self.event_date, "M") - self.previous_event_months_before).start_time.date().replace(day=10)


def _effect_path(design: Design, offsets: np.ndarray, scale: float) -> np.ndarray:
    """The planted effect at each month, by months since the first post month (0 = that month)."""
    after = offsets >= 0
    if design.effect_kind == "slope":
        return np.where(after, design.effect * scale * (offsets + 1), 0.0)
    return np.where(after, design.effect * scale, 0.0)


def simulate(seed: int, design: Design = Design()) -> pd.Series:
    rng = np.random.default_rng(seed)
    event_month = pd.Period(design.event_date, "M")
    first_post = post_start_month(design.event_date)
    effect_post = post_start_month(design.effect_date)
    extra = 11 if design.rolling_poisson else 0  # months needed to form the first 12-month sum
    start = event_month - design.pre - design.history - extra
    end = first_post + design.post - 1
    index = pd.period_range(start, end, freq="M")
    n = len(index)
    t = np.arange(n, dtype=float)
    offsets = np.array([(p - effect_post).n for p in index])
    since_bend = np.array([(p - (event_month - design.bend_months_before)).n for p in index])
    if design.rolling_poisson:
        rate = _rolling_rate(design, index, t)
        rate = rate * (1 + _effect_path(design, offsets, 1.0))
        counts = rng.poisson(np.clip(rate, 1e-9, None)).astype(float)
        totals = pd.Series(counts, index=index).rolling(12).sum()
        return totals.dropna()
    if design.counts:
        rate = design.level * (1 + 0.003 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
        rate = rate * (1 + _effect_path(design, offsets, 1.0))
        if design.regime_months_before:
            rate = rate * np.where(index >= event_month - design.regime_months_before, 1 + design.regime_shift, 1.0)
        if design.count_noise:
            extra = np.empty(n)
            extra[0] = rng.normal(0, design.count_noise) / np.sqrt(1 - design.count_ar**2)
            for i in range(1, n):
                extra[i] = design.count_ar * extra[i - 1] + rng.normal(0, design.count_noise)
            rate = rate * np.exp(extra)
        return pd.Series(rng.poisson(np.clip(rate, 1e-9, None)).astype(float), index=index)
    shocks = (rng.standard_t(3, n) / np.sqrt(3.0) if design.heavy_tails else rng.normal(0, 1, n)) * design.noise_sd
    noise = np.empty(n)
    noise[0] = shocks[0] / np.sqrt(1 - design.ar**2)
    for i in range(1, n):
        noise[i] = design.ar * noise[i - 1] + shocks[i]
    values = (design.level + design.trend * t + design.seasonal_amplitude * np.sin(2 * np.pi * t / 12) + noise
              + _effect_path(design, offsets, design.sigma))
    if design.bend:
        values = values + design.bend * design.sigma * np.clip(since_bend, 0, None)
    if design.regime_months_before:  # (negative months: after the event)
        regime = pd.Period(design.regime_date, "M")
        share = (regime.days_in_month - design.regime_day + 1) / regime.days_in_month
        weight = np.where(index > regime, 1.0, np.where(index == regime, share, 0.0))
        values = values + weight * design.regime_shift * design.sigma
    if design.outlier:
        values[index.get_loc(event_month - 1)] += design.outlier * design.sigma
    if design.multiplicative:  # the same structure on the log scale, around log(level)
        values = np.exp(np.log(design.level) + (values - design.level) / design.level)
    series = pd.Series(values, index=index)
    for age, shortfall in enumerate(design.under_reported):
        series.iloc[-1 - age] *= 1 - shortfall
    return series


def revision_pattern(design: Design, seed: int = 0) -> dict[int, float] | None:
    """What the stored vintages would show: the newest months rise by this much later, measured
    with a relative error of ``revision_noise`` (a pattern estimated from a few releases)."""
    if not design.under_reported:
        return None
    rng = np.random.default_rng(10_000 + seed)
    return {age: (1 / (1 - shortfall) - 1) * (1 + design.revision_noise * rng.normal())
            for age, shortfall in enumerate(design.under_reported)}


def _rolling_rate(design: Design, months: pd.PeriodIndex, t: np.ndarray) -> np.ndarray:
    """The monthly rate behind 12-month sums: a steady rise, a bend, or a fall that levels off
    (the rate loses ``levelling`` of itself from 24 months before the event, at a slowing pace:
    like CDC's overdose deaths after 2023)."""
    event_month = pd.Period(design.event_date, "M")
    rate = design.level * (1 + 0.004 * t)
    if design.bend:
        since = np.array([(p - (event_month - design.bend_months_before)).n for p in months])
        rate = rate * (1 + design.bend * np.clip(since, 0, None) / 100)
    if design.levelling:
        since = np.clip(np.array([(p - (event_month - 24)).n for p in months], dtype=float), 0, None)
        rate = rate * (1 - design.levelling * (1 - np.exp(-since / 12)))
    return rate


def true_effect(design: Design, series: pd.Series) -> float:
    """What the engine estimates, computed from the planted effect alone: the average effect over
    the post window (in log points for multiplicative series and counts, the engine's scale), or
    the change of the 12-month total at the last post month."""
    first_post = post_start_month(design.event_date)
    effect_post = post_start_month(design.effect_date)
    post = pd.period_range(first_post, periods=design.post, freq="M")
    if design.rolling_poisson:
        # Expected 12-month total at the last post month, with minus without the effect.
        months = pd.period_range(post[-1] - 11, post[-1], freq="M")
        offsets = np.array([(p - effect_post).n for p in months])
        start = series.index[0] - 11
        t = np.array([(p - start).n for p in months], dtype=float)
        return float((_rolling_rate(design, months, t) * _effect_path(design, offsets, 1.0)).sum())
    offsets = np.array([(p - effect_post).n for p in post])
    if design.counts:  # the engine's effect: log of the post total over its expectation
        start = series.index[0]
        t = np.array([(p - start).n for p in post], dtype=float)
        rate = design.level * (1 + 0.003 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
        return float(np.log((rate * (1 + _effect_path(design, offsets, 1.0))).sum() / rate.sum()))
    planted = _effect_path(design, offsets, design.sigma)
    if design.multiplicative:
        return float((planted / design.level).mean())
    return float(planted.mean())


@dataclass
class StudyResult:
    replications: int
    truth: float
    mean_estimate: float
    coverage: float  # intervals containing the true effect
    rejection_rate: float  # intervals excluding zero
    directional_rate: float  # improved / worsened / changed verdicts
    inconclusive_rate: float
    mean_mde: float  # the relative MDE (rise, on the log scale), mean over runs
    verdicts: dict[str, float] = field(default_factory=dict)  # share of runs per verdict
    mean_bound: float | None = None  # no_change_beyond: mean equivalence bound
    primary_rejection_rate: float = 0.0  # the primary model's interval excludes 0, before any check
    too_noisy_when_mde_over_100: float | None = None  # share "too noisy" among runs whose MDE exceeds 100 %
    runs_mde_over_100: int = 0
    mean_calibration: float | None = None  # mean placebo-in-time widening of the interval (1: none)
    calibrated_share: float = 0.0  # runs whose interval was widened

    def share(self, *verdicts: str) -> float:
        return sum(self.verdicts.get(v, 0.0) for v in verdicts)


def run_one(seed: int, design: Design, method: str = "auto", robust: bool = True):
    series = simulate(seed, design)
    markers = ()
    if design.regime_marked and design.regime_date:
        markers = ({"date": design.regime_date, "id": "simulated-regime",
                    "label": {"en": "a simulated regime change", "es": "un cambio de régimen simulado"}},)
    nearby = ((design.effect_date, "second-event", "the second event"),) if design.adjacent_days else ()
    provisional = series.index[-len(design.under_reported):] if design.under_reported else None
    result = assess(
        series, design.event_date, method=method, pre_months=design.pre, post_months=design.post,
        better="ambiguous",
        semantics="rolling_12m" if design.rolling_poisson else "monthly",
        scale=design.scale, regime_markers=markers, nearby_events=nearby, later_events=nearby,
        provisional=provisional, revision_pattern=revision_pattern(design, seed),
        previous_event=design.previous_event, min_post_months=min(design.post, 3), robust=robust,
    )
    return result, true_effect(design, series)


def interval(result) -> tuple[float, float]:
    """The 95 % interval of the effect on the truth's scale: log points for log and count models."""
    if result.scale in ("log", "count"):
        return np.log1p(result.relative_ci_low), np.log1p(result.relative_ci_high)
    return result.ci_low, result.ci_high


def estimate(result) -> float:
    if result.scale in ("log", "count"):
        return float(np.log1p(result.relative_effect))
    return result.effect


DIRECTIONAL = ("improved", "worsened", "changed")


def study(design: Design, seeds: range, method: str = "auto", robust: bool = True) -> StudyResult:
    estimates, covered, rejected, directional, inconclusive, mdes, truth = [], 0, 0, 0, 0, [], 0.0
    verdicts: dict[str, int] = {}
    bounds = []
    primary_rejected, noisy_runs, noisy_said = 0, 0, 0
    factors = []
    for seed in seeds:
        result, truth = run_one(seed, design, method, robust)
        verdicts[result.verdict] = verdicts.get(result.verdict, 0) + 1
        if result.effect is None:
            continue
        low, high = interval(result)
        estimates.append(estimate(result))
        covered += low <= truth <= high
        rejected += not (low <= 0 <= high)
        directional += result.verdict in DIRECTIONAL
        inconclusive += result.verdict == "inconclusive"
        mdes.append(result.mde_relative if result.mde_relative is not None else np.nan)
        # The primary model's interval before any check: for "began before" the whole change.
        if result.total_change_low is not None and result.total_change_high is not None:
            primary_rejected += not (result.total_change_low <= 0 <= result.total_change_high)
        else:
            primary_rejected += not (low <= 0 <= high)
        if result.mde_relative is not None and result.mde_relative > 1.0:
            noisy_runs += 1
            noisy_said += result.verdict == "too_noisy"
        if result.equivalence_bound is not None:
            bounds.append(result.equivalence_bound)
        if result.interval_calibration is not None:
            factors.append(result.interval_calibration)
    n = len(seeds)
    return StudyResult(
        replications=n, truth=truth, mean_estimate=float(np.mean(estimates)) if estimates else math.nan,
        coverage=covered / n, rejection_rate=rejected / n, directional_rate=directional / n,
        inconclusive_rate=inconclusive / n, mean_mde=float(np.nanmean(mdes)) if mdes else math.nan,
        verdicts={k: v / n for k, v in sorted(verdicts.items())},
        mean_bound=float(np.mean(bounds)) if bounds else None,
        primary_rejection_rate=primary_rejected / n,
        too_noisy_when_mde_over_100=(noisy_said / noisy_runs) if noisy_runs else None, runs_mde_over_100=noisy_runs,
        mean_calibration=float(np.mean(factors)) if factors else None,
        calibrated_share=sum(f > 1.0 for f in factors) / n,
    )


def with_effect(design: Design, effect: float) -> Design:
    return replace(design, effect=effect)
