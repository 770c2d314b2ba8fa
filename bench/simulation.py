"""Simulation study of the verification engine: series like the real ones, with known truth.

Monthly flows: level + linear trend + 12-month seasonality + AR(1) noise (Gaussian or heavy-tailed
t(3)); optionally an outlier in the last pre-event month, a trend that bends some months before
the event, a previous event that ends the pre-period early. Events fall mid-month like every real
one (the event month is left out). Effects: a step or a slope starting with the first full month
after the event. 12-month-ending series: rolling sums of Poisson monthly counts, the effect a
fall in the monthly rate, judged on the 12-month total at the last post month.

Used by the tests (small seeded sets) and by ``bench/bench_verification.py`` (results in
bench/RESULTS.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from indicators.verification import assess, post_start_month

EVENT = dt.date(2024, 1, 15)


@dataclass(frozen=True)
class Design:
    pre: int = 36  # months of history before the event month
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

    @property
    def sigma(self) -> float:
        return self.noise_sd / np.sqrt(1 - self.ar**2)

    @property
    def event_date(self) -> dt.date:
        return EVENT.replace(day=self.event_day)

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
    extra = 11 if design.rolling_poisson else 0  # months needed to form the first 12-month sum
    start = event_month - design.pre - extra
    end = first_post + design.post - 1
    index = pd.period_range(start, end, freq="M")
    n = len(index)
    t = np.arange(n, dtype=float)
    offsets = np.array([(p - first_post).n for p in index])
    since_bend = np.array([(p - (event_month - design.bend_months_before)).n for p in index])
    if design.rolling_poisson:
        rate = design.level * (1 + 0.004 * t)
        if design.bend:
            rate = rate * (1 + design.bend * np.clip(since_bend, 0, None) / 100)
        rate = rate * (1 + _effect_path(design, offsets, 1.0))
        counts = rng.poisson(np.clip(rate, 1e-9, None)).astype(float)
        totals = pd.Series(counts, index=index).rolling(12).sum()
        return totals.dropna()
    shocks = (rng.standard_t(3, n) / np.sqrt(3.0) if design.heavy_tails else rng.normal(0, 1, n)) * design.noise_sd
    noise = np.empty(n)
    noise[0] = shocks[0] / np.sqrt(1 - design.ar**2)
    for i in range(1, n):
        noise[i] = design.ar * noise[i - 1] + shocks[i]
    values = (design.level + design.trend * t + design.seasonal_amplitude * np.sin(2 * np.pi * t / 12) + noise
              + _effect_path(design, offsets, design.sigma))
    if design.bend:
        values = values + design.bend * design.sigma * np.clip(since_bend, 0, None)
    if design.outlier:
        values[index.get_loc(event_month - 1)] += design.outlier * design.sigma
    return pd.Series(values, index=index)


def true_effect(design: Design, series: pd.Series) -> float:
    """What the engine estimates, computed from the planted effect alone."""
    first_post = post_start_month(design.event_date)
    post = pd.period_range(first_post, periods=design.post, freq="M")
    if design.rolling_poisson:
        # Expected 12-month total at the last post month, with minus without the effect.
        months = pd.period_range(post[-1] - 11, post[-1], freq="M")
        offsets = np.array([(p - first_post).n for p in months])
        start = series.index[0] - 11
        t = np.array([(p - start).n for p in months], dtype=float)
        rate = design.level * (1 + 0.004 * t)
        if design.bend:
            since = np.array([(p - (pd.Period(design.event_date, "M") - design.bend_months_before)).n for p in months])
            rate = rate * (1 + design.bend * np.clip(since, 0, None) / 100)
        return float((rate * _effect_path(design, offsets, 1.0)).sum())
    offsets = np.array([(p - first_post).n for p in post])
    return float(_effect_path(design, offsets, design.sigma).mean())


@dataclass
class StudyResult:
    replications: int
    truth: float
    mean_estimate: float
    coverage: float  # intervals containing the true effect
    rejection_rate: float  # intervals excluding zero
    directional_rate: float  # improved / worsened / changed verdicts
    inconclusive_rate: float
    mean_mde: float


def run_one(seed: int, design: Design, method: str = "auto", robust: bool = True):
    series = simulate(seed, design)
    result = assess(
        series, design.event_date, method=method, pre_months=design.pre, post_months=design.post,
        better="ambiguous",
        semantics="rolling_12m" if design.rolling_poisson else "monthly",
        previous_event=design.previous_event, min_post_months=min(design.post, 3), robust=robust,
    )
    return result, true_effect(design, series)


def study(design: Design, seeds: range, method: str = "auto", robust: bool = True) -> StudyResult:
    estimates, covered, rejected, directional, inconclusive, mdes, truth = [], 0, 0, 0, 0, [], 0.0
    for seed in seeds:
        result, truth = run_one(seed, design, method, robust)
        estimates.append(result.effect)
        covered += result.ci_low <= truth <= result.ci_high
        rejected += not (result.ci_low <= 0 <= result.ci_high)
        directional += result.verdict in ("improved", "worsened", "changed")
        inconclusive += result.verdict == "inconclusive"
        mdes.append(result.mde)
    n = len(seeds)
    return StudyResult(
        replications=n, truth=truth, mean_estimate=float(np.mean(estimates)), coverage=covered / n,
        rejection_rate=rejected / n, directional_rate=directional / n, inconclusive_rate=inconclusive / n,
        mean_mde=float(np.mean(mdes)),
    )


def with_effect(design: Design, effect: float) -> Design:
    return replace(design, effect=effect)
