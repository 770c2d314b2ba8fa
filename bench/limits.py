"""What any test could achieve on the simulation study's series: the information limits.

Two of issue 6's targets (power >= 60 % for a 2-sigma step with 36 pre and 12 post months;
<= 10 % directional false alarms when the trend bent 6 months before the event) are checked here
against an *oracle*: a test that knows the noise (AR(1), phi, innovation sd) and the model form
(level + linear trend + 12-month seasonality) and only has to estimate the level, trend and
seasonal terms, as every real test must. Nothing real can do better than the oracle.

* ``oracle_effect``: the best linear unbiased estimate of the average post-window effect (GLS
  fit of the pre-period, forecast through the left-out event month, conditional on the last pre
  months) and its exact standard error. Its power is the ceiling for an interval on the average
  post effect that allows any effect path and any 12-month seasonal pattern (what the engine
  reports). A test that assumes the effect is a step, or knows its sign, can do better.
* ``discrimination``: how far apart (Mahalanobis distance after projecting out the level, trend
  and seasonal terms) the mean path of a 2-sigma step at the event is from the closest path of a
  trend that bent k months before it (at the least favourable slope). By the Neyman-Pearson
  lemma no rule whose error rates do not depend on level, trend and seasonality can keep
  directional verdicts at <= 10 % on bends of every slope while giving one on the step more often
  than Phi(distance - z_0.90). Against one known slope the ceiling is higher (last column).

    .venv/bin/python -m bench.limits --reps 2000 --write
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from bench.results import report
from bench.simulation import Design, simulate, study
from indicators.verification import post_start_month

BEGIN, END = "<!-- limits block", "<!-- end limits block -->"


@dataclass(frozen=True)
class Layout:
    """Where each month of a simulated series sits relative to the event."""

    t: np.ndarray  # months since the series start
    pre: np.ndarray  # positions of the pre-period months
    post: np.ndarray  # positions of the post-window months (the event month is in neither)
    event: int  # position of the event month
    first_post: int  # position of the first post month


def layout(design: Design) -> Layout:
    event_month = pd.Period(design.event_date, "M")
    start = event_month - design.pre
    first = post_start_month(design.event_date)
    n = (first - start).n + design.post
    t = np.arange(n, dtype=float)
    event, first_post = (event_month - start).n, (first - start).n
    return Layout(t, np.arange(event), np.arange(first_post, n), event, first_post)


def _regressors(t: np.ndarray) -> np.ndarray:
    columns = [np.ones_like(t), t]
    for k in range(1, 7):
        columns.append(np.cos(2 * np.pi * k * t / 12))
        if k < 6:  # sin(pi t) is zero at every month: the 6th harmonic is a cosine alone
            columns.append(np.sin(2 * np.pi * k * t / 12))
    return np.column_stack(columns)


def _ar1_covariance(n: int, design: Design) -> np.ndarray:
    lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    return design.ar ** lags / (1 - design.ar**2) * design.noise_sd**2


def oracle_effect(y: np.ndarray, design: Design) -> tuple[float, float]:
    """(effect, standard error): BLUP of the post-window mean with the noise known."""
    lay = layout(design)
    X, S = _regressors(lay.t), _ar1_covariance(len(lay.t), design)
    P, F = lay.pre, lay.post
    S_pp_inv = np.linalg.inv(S[np.ix_(P, P)])
    V = np.linalg.inv(X[P].T @ S_pp_inv @ X[P])
    beta = V @ X[P].T @ S_pp_inv @ y[P]
    weights = np.full(len(F), 1 / len(F))
    S_fp = S[np.ix_(F, P)]
    forecast = weights @ (X[F] @ beta + S_fp @ S_pp_inv @ (y[P] - X[P] @ beta))
    coefficient_part = weights @ X[F] - weights @ S_fp @ S_pp_inv @ X[P]
    variance = (weights @ (S[np.ix_(F, F)] - S_fp @ S_pp_inv @ S_fp.T) @ weights
                + coefficient_part @ V @ coefficient_part)
    return float(weights @ y[F] - forecast), float(np.sqrt(variance))


def oracle_power(design: Design, reps: int, alpha: float = 0.05) -> tuple[float, float, float]:
    """(share of intervals excluding 0, share covering the truth, analytic power) over seeded series."""
    z = stats.norm.ppf(1 - alpha / 2)
    truth = design.effect * design.sigma  # a step: the same at every post month
    rejected = covered = 0
    se = 0.0
    for seed in range(reps):
        effect, se = oracle_effect(simulate(seed, design).to_numpy(), design)
        rejected += abs(effect) > z * se
        covered += abs(effect - truth) <= z * se
    shift = truth / se
    analytic = stats.norm.cdf(-z - shift) + stats.norm.sf(z - shift)
    return rejected / reps, covered / reps, float(analytic)


def discrimination(design: Design, months_before: int, slope: float | None = None) -> tuple[float, float]:
    """(distance, bend slope in sigma/month) between the design's step at the event and a trend
    bend starting ``months_before`` the event month, nuisance projected out; without ``slope``,
    the least favourable slope (the bend closest to the step)."""
    lay = layout(design)
    keep = np.concatenate([lay.pre, lay.post])
    X = _regressors(lay.t)[keep]
    S_inv = np.linalg.inv(_ar1_covariance(len(lay.t), design)[np.ix_(keep, keep)])
    M = S_inv - S_inv @ X @ np.linalg.inv(X.T @ S_inv @ X) @ X.T @ S_inv
    step = np.where(lay.t >= lay.first_post, design.effect * design.sigma, 0.0)[keep]
    bend = (design.sigma * np.clip(lay.t - (lay.event - months_before), 0, None))[keep]
    if slope is None:
        slope = float(bend @ M @ step / (bend @ M @ bend))
    gap = step - slope * bend
    return float(np.sqrt(gap @ M @ gap)), slope


def rows(reps: int) -> list[str]:
    base = Design(effect=-2.0)
    lines = [
        "| design | oracle: interval excludes 0 (measured) | oracle coverage | analytic power |",
        "|---|---|---|---|",
    ]
    for pre in (36, 60):
        for effect in (0.0, -2.0):
            design = replace(base, pre=pre, effect=effect)
            measured, covered, analytic = oracle_power(design, reps)
            what = "no effect" if effect == 0 else "2σ step"
            lines.append(f"| pre {pre}, post 12, {what} | {measured:.1%} | {covered:.1%} | {analytic:.1%} |")
    lines += [
        "",
        f"Our estimators on the same series without the robustness checks ({max(reps // 10, 20)} series per row):",
        "",
        "| method | design | interval excludes 0 | coverage |",
        "|---|---|---|---|",
    ]
    for method in ("structural", "its"):
        for effect in (0.0, -2.0):
            design = replace(base, effect=effect)
            r = study(design, range(max(reps // 10, 20)), method=method, robust=False)
            what = "no effect" if effect == 0 else "2σ step"
            lines.append(f"| {method} | pre 36, post 12, {what} | {r.rejection_rate:.1%} | {r.coverage:.1%} |")
    lines += [
        "",
        "| 2σ step at the event against a trend bent k months before | distance | least favourable slope "
        "(σ/month) | best possible power with ≤ 10 % false alarms on that bend | the same against a bend "
        "of −0.25σ/month |",
        "|---|---|---|---|---|",
    ]
    z90 = stats.norm.ppf(0.90)
    for pre in (36, 60):
        for k in (3, 6, 12):
            distance, slope = discrimination(replace(base, pre=pre), k)
            fixed, _ = discrimination(replace(base, pre=pre), k, slope=-0.25)
            lines.append(f"| pre {pre}, post 12, k = {k} | {distance:.2f} | {slope:+.2f} | "
                         f"{stats.norm.cdf(distance - z90):.1%} | {stats.norm.cdf(fixed - z90):.1%} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    body = rows(args.reps)
    lines = [
        f"{BEGIN}: written by bench/limits.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}, "
        f"{args.reps} seeded series per row, {time.perf_counter() - started:.0f} s.",
        "",
        *body,
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
