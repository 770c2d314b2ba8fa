"""Simulation study of the verification estimators: planted effects with known size.

Series: level + linear trend + 12-month seasonality + AR(1) noise, with a step of ``effect``
from the event month on. Used by the test suite (a small seeded set) and by
``bench/bench_verification.py`` (200+ replications, results in bench/RESULTS.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.verification import assess

EVENT = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class Design:
    months_before: int = 72
    months_after: int = 12
    level: float = 100.0
    trend: float = 0.8
    seasonal_amplitude: float = 15.0
    ar: float = 0.5
    noise_sd: float = 5.0


def simulate(seed: int, effect: float, design: Design = Design()) -> pd.Series:
    rng = np.random.default_rng(seed)
    n = design.months_before + design.months_after
    t = np.arange(n)
    noise = np.empty(n)
    noise[0] = rng.normal(0, design.noise_sd / np.sqrt(1 - design.ar**2))
    for i in range(1, n):
        noise[i] = design.ar * noise[i - 1] + rng.normal(0, design.noise_sd)
    values = (design.level + design.trend * t + design.seasonal_amplitude * np.sin(2 * np.pi * t / 12)
              + noise + effect * (t >= design.months_before))
    index = pd.period_range(pd.Period(EVENT, "M") - design.months_before, periods=n, freq="M")
    return pd.Series(values, index=index)


@dataclass
class StudyResult:
    method: str
    replications: int
    planted_effect: float
    mean_estimate: float
    coverage: float
    rejection_rate: float
    placebo_rejection_rate: float | None


def study(method: str, seeds: range, effect: float, design: Design = Design(), alpha: float = 0.05,
          placebo: bool = False) -> StudyResult:
    estimates, covered, rejected, placebo_rejected, placebo_seen = [], 0, 0, 0, 0
    for seed in seeds:
        result = assess(simulate(seed, effect, design), EVENT, method=method, alpha=alpha,
                        post_months=design.months_after, placebo=placebo, better="ambiguous")
        estimates.append(result.effect)
        covered += result.ci_low <= effect <= result.ci_high
        rejected += result.ci_low > 0 or result.ci_high < 0
        if result.placebo_p_value is not None:
            placebo_seen += 1
            placebo_rejected += result.placebo_p_value <= alpha
    n = len(seeds)
    return StudyResult(
        method=method, replications=n, planted_effect=effect, mean_estimate=float(np.mean(estimates)),
        coverage=covered / n, rejection_rate=rejected / n,
        placebo_rejection_rate=(placebo_rejected / placebo_seen) if placebo_seen else None,
    )
