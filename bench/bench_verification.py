"""Benchmarks of the verification engine: the simulation study, scorecard timing, and a
cross-check against the ``causalimpact`` package on real series.

    .venv/bin/pip install -r requirements-bench.txt     # adds causalimpact (bench only)
    .venv/bin/python -m bench.bench_verification --reps 200 --write

``--write`` replaces the verification block of bench/RESULTS.md. Without causalimpact installed
the cross-check is skipped and said so. Scenarios run in parallel (``--jobs``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from bench.results import report
from bench.simulation import Design, study
from etl.pipeline import ensure_store
from etl.store import make_engine
from etl.timeline import read_timeline
from indicators import precompute
from indicators.scorecard import verify
from indicators.series import read_series
from indicators.verification import post_start_month

BEGIN, END = "<!-- verification block", "<!-- end verification block -->"
CROSS_CHECKS = [
    ("cbp_fentanyl_seizures_swb_lbs", "US", "2025-02-03-tariff-pause-national-guard"),
    ("cbp_fentanyl_seizures_swb_lbs", "US", "2025-07-31-tariff-truce-extended"),
    ("cdc_synthetic_opioid_deaths_12m", "US", "2025-02-27-security-cabinet-meets-rubio"),
    ("cdc_overdose_deaths_12m", "US", "2025-02-27-security-cabinet-meets-rubio"),
]
BASE = Design()
WHITE = replace(BASE, ar=0.0, noise_sd=BASE.sigma)
POISSON = replace(BASE, rolling_poisson=True, level=500.0)


QUIET = replace(BASE, level=1000.0, noise_sd=10.0)
NOISY = replace(BASE, noise_sd=40.0)
COUNTS = replace(BASE, counts=True, level=40.0, scale="count")
LOGFLOW = replace(BASE, multiplicative=True, scale="log")


def scenarios() -> list[tuple[str, Design]]:
    """(label, design) pairs; effects in units of the noise's marginal sd (sigma), or relative
    changes of the rate for counts."""
    rows = []
    for pre in (24, 36, 60):
        for post in (3, 6, 12):
            rows.append((f"pre {pre}, post {post}, no effect", replace(BASE, pre=pre, post=post)))
            rows.append((f"pre {pre}, post {post}, 2σ step", replace(BASE, pre=pre, post=post, effect=-2.0)))
    rows += [
        ("pre 36, post 12, 3σ step", replace(BASE, effect=-3.0)),
        ("pre 36, post 12, slope 0.3σ/month", replace(BASE, effect=-0.3, effect_kind="slope")),
        ("pre 36, post 12, event on the 1st, no effect", replace(BASE, event_day=1)),
        ("pre 48, gap: previous event 4 months before, no effect",
         replace(BASE, pre=48, previous_event_months_before=4)),
        ("pre 48, gap: previous event 4 months before, 2σ step",
         replace(BASE, pre=48, previous_event_months_before=4, effect=-2.0)),
        ("pre 36, outlier +4σ in the last pre month, no effect", replace(BASE, outlier=4.0)),
        ("pre 60, outlier +4σ in the last pre month, no effect", replace(BASE, pre=60, outlier=4.0)),
        ("pre 36, trend bent 6 months before (−0.1σ/month), no effect",
         replace(BASE, bend_months_before=6, bend=-0.1)),
        ("pre 36, trend bent 6 months before (−0.25σ/month), no effect",
         replace(BASE, bend_months_before=6, bend=-0.25)),
        ("pre 36, trend bent 6 months before (−0.3σ/month), no effect",
         replace(BASE, bend_months_before=6, bend=-0.3)),
        ("pre 36, trend bent 6 months before (−0.5σ/month), no effect",
         replace(BASE, bend_months_before=6, bend=-0.5)),
        ("pre 60, trend bent 6 months before (−0.25σ/month), no effect",
         replace(BASE, pre=60, bend_months_before=6, bend=-0.25)),
        ("pre 36, trend bent 12 months before (−0.25σ/month), no effect",
         replace(BASE, bend_months_before=12, bend=-0.25)),
        ("pre 36, heavy tails t(3), no effect", replace(BASE, heavy_tails=True)),
        ("pre 36, heavy tails t(3), 2σ step", replace(BASE, heavy_tails=True, effect=-2.0)),
        ("pre 36, white noise, no effect", WHITE),
        ("pre 36, white noise, 2σ step", replace(WHITE, effect=-2.0)),
        ("12-month sums of Poisson(500), pre 36, post 12, no effect", POISSON),
        ("12-month sums of Poisson(500), pre 36, post 12, −5 % rate", replace(POISSON, effect=-0.05)),
        ("12-month sums of Poisson(500), pre 36, post 6, no effect", replace(POISSON, post=6)),
        ("12-month sums of Poisson(500), pre 36, post 6, −5 % rate", replace(POISSON, post=6, effect=-0.05)),
        # The families of the verdicts issue: cases like the real ones.
        ("regime change −3σ the month before, not marked, no effect",
         replace(BASE, regime_months_before=1, regime_shift=-3.0)),
        ("regime change −3σ the month before, marked, no effect",
         replace(BASE, regime_months_before=1, regime_shift=-3.0, regime_marked=True)),
        ("level shift −3σ 18 months before, not marked, no effect",
         replace(BASE, regime_months_before=18, regime_shift=-3.0)),
        ("level shift −3σ 18 months before, marked, no effect",
         replace(BASE, regime_months_before=18, regime_shift=-3.0, regime_marked=True)),
        ("level shift −3σ 18 months before, marked, 2σ step",
         replace(BASE, regime_months_before=18, regime_shift=-3.0, regime_marked=True, effect=-2.0)),
        ("two events 3 weeks apart (25th, then 15th), the second with no effect either",
         replace(BASE, event_day=25, adjacent_days=21)),
        ("two events 3 weeks apart (25th, then 15th), the second with a 2σ step",
         replace(BASE, event_day=25, adjacent_days=21, effect=-2.0)),
        ("provisional: last 3 months under-reported 10/7/5 %, no effect",
         replace(BASE, under_reported=(0.10, 0.07, 0.05))),
        ("regime change −3σ from the 20th of the month before, marked, no effect",
         replace(BASE, regime_months_before=1, regime_day=20, regime_shift=-3.0, regime_marked=True)),
        ("regime change −3σ two months after the event, marked, no effect",
         replace(BASE, regime_months_before=-2, regime_shift=-3.0, regime_marked=True)),
        ("provisional: under-reported 10/7/5 %, pattern measured with 30 % error, no effect",
         replace(BASE, under_reported=(0.10, 0.07, 0.05), revision_noise=0.3)),
        ("provisional: under-reported 1.5/1 % (kept: under the 2 % limit), no effect",
         replace(BASE, under_reported=(0.015, 0.01))),
        ("provisional: last 3 months under-reported 10/7/5 %, 2σ step",
         replace(BASE, under_reported=(0.10, 0.07, 0.05), effect=-2.0)),
        ("Poisson counts, 20 a month, no effect", replace(COUNTS, level=20.0)),
        ("Poisson counts, 40 a month, no effect", COUNTS),
        ("Poisson counts, 40 a month, −37 % rate", replace(COUNTS, effect=-0.37)),
        ("Poisson counts, 60 a month, no effect", replace(COUNTS, level=60.0)),
        ("counts, 40 a month, autocorrelated extra noise (AR 0.6, sd 0.2), no effect",
         replace(COUNTS, count_ar=0.6, count_noise=0.2)),
        ("counts, 40 a month, autocorrelated extra noise (AR 0.6, sd 0.2), −37 % rate",
         replace(COUNTS, count_ar=0.6, count_noise=0.2, effect=-0.37)),
        ("12-month sums of Poisson(500), rate bent 6 months before (−1 %/month), no effect",
         replace(POISSON, bend_months_before=6, bend=-1.0)),
        ("log-normal flow (scale log), no effect", LOGFLOW),
        ("log-normal flow (scale log), 2σ step", replace(LOGFLOW, effect=-2.0)),
        ("very noisy series (σ 46 on a level of 100), no effect", NOISY),
        ("quiet series (σ 11.5 on a level of 1,000), no effect", QUIET),
    ]
    return rows


def _run(args: tuple[str, Design, int, int]) -> tuple[str, Design, object, float]:
    label, design, reps, first = args
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = study(design, range(first, first + reps))
    return label, design, result, time.perf_counter() - start


BEND_SLOPES = (-0.05, -0.1, -0.15, -0.2, -0.25, -0.3, -0.4, -0.5)


def bend_curve() -> list[tuple[str, Design]]:
    """No effect, the trend bent 6 months before the event at each slope (pre 36, post 12)."""
    return [(f"bend curve {slope}", replace(BASE, bend_months_before=6, bend=slope)) for slope in BEND_SLOPES]


def _share(r, *verdicts) -> str:
    return f"{r.share(*verdicts):.1%}"


def simulation_rows(reps: int, jobs: int, first: int = 0) -> tuple[list[str], list[str]]:
    rows, curve, noisy = [], [], []
    work = [(label, d, reps, first) for label, d in scenarios() + bend_curve()]
    with ProcessPoolExecutor(jobs) as pool:
        for label, design, r, seconds in pool.map(_run, work):
            if label.startswith("bend curve"):
                curve.append(f"| {design.bend:+.2f} | {r.directional_rate:.1%} | {_share(r, 'began_before')} | "
                             f"{r.coverage:.1%} |")
                continue
            null = design.effect == 0
            scale = "log" if design.counts or design.multiplicative else ""
            bound = f" (X̄ {r.mean_bound:.0%})" if r.mean_bound is not None else ""
            if r.too_noisy_when_mde_over_100 is not None:
                noisy.append(f"| {label} | {r.runs_mde_over_100} | {r.too_noisy_when_mde_over_100:.1%} |")
            rows.append(
                f"| {label} | {r.truth:,.3g}{' ' + scale if scale else ''} | {r.mean_estimate:,.3g} | "
                f"{r.coverage:.1%} | {r.primary_rejection_rate:.1%} | "
                f"{r.rejection_rate:.1%} | {r.directional_rate:.1%} | {_share(r, 'began_before')} | "
                f"{_share(r, 'joint')} | {_share(r, 'too_noisy')} | {_share(r, 'no_change_beyond')}{bound} | "
                f"{r.inconclusive_rate:.1%} | {r.mean_mde:.0%} | {'false alarm' if null else 'power'} | {seconds:.0f} |"
            )
    return rows, curve, noisy


def scorecard_timing() -> tuple[float, int]:
    workdir = Path(tempfile.mkdtemp(prefix="verifica-bench-"))
    engine = make_engine(f"sqlite:///{workdir / 'verifica.db'}")
    ensure_store(engine)
    start = time.perf_counter()
    grid = precompute.compute_scorecard(engine)
    seconds = time.perf_counter() - start
    return seconds, sum(len(row["cells"]) for row in grid["rows"])


def causalimpact_effect(y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, alpha: float):
    """CausalImpact (jamalsenouci, MLE, its default local-level model) on the same windows."""
    import pandas.core.dtypes.common as common
    from pandas.api import types

    # causalimpact 0.2.6 calls a helper that pandas 2 removed; restore it for this run only.
    if not hasattr(common, "is_datetime_or_timedelta_dtype"):
        common.is_datetime_or_timedelta_dtype = (
            lambda dtype: types.is_datetime64_any_dtype(dtype) or types.is_timedelta64_dtype(dtype))
    from causalimpact import CausalImpact
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    # The package forecasts from the end of the pre-period: the left-out months are handed to it
    # as missing, and only the post window is summarised.
    between = pd.period_range(pre[-1] + 1, post[-1], freq="M")
    endog = np.concatenate([y.reindex(pre).to_numpy(), np.full(len(between), np.nan)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        impact = CausalImpact(ucm_model=UnobservedComponents(endog, level="llevel"),
                              post_period_response=pd.Series(y.reindex(between).to_numpy()), alpha=alpha)
        impact.run()
    inferences = impact.inferences.iloc[len(pre):].iloc[-len(post):]
    response = pd.Series(y.reindex(post).to_numpy(), index=inferences.index)
    effect = float((response - inferences["point_pred"]).mean())
    low = float((response - inferences["point_pred_upper"]).mean())
    high = float((response - inferences["point_pred_lower"]).mean())
    return effect, low, high


def cross_check_rows(engine) -> list[str]:
    try:
        import causalimpact  # noqa: F401
    except ImportError:
        return ["| (causalimpact not installed: `pip install -r requirements-bench.txt`) | | | | |"]
    events = {e["id"]: e for e in read_timeline()}
    rows = []
    for indicator, geo, event_id in CROSS_CHECKS:
        event = events[event_id]
        ours = verify(engine, indicator, event, events=list(events.values()), geo=geo, method="structural",
                      as_of=dt.date(2026, 11, 25))
        if ours.effect is None:
            rows.append(f"| `{indicator}` {geo} | {event_id} | — | {ours.verdict} | — |")
            continue
        frame = read_series(engine, indicator, geo)
        y = frame.set_index("period")["value"]
        y.index = pd.DatetimeIndex(y.index).to_period("M")
        pre = pd.period_range(pd.Period(ours.pre_start, "M"), pd.Period(ours.pre_end, "M"), freq="M")
        post = pd.period_range(post_start_month(event["date"]), pd.Period(ours.post_end, "M"), freq="M")
        theirs = causalimpact_effect(y, pre, post, ours.alpha)
        what = "12-month total at the last post month" if ours.semantics == "rolling_12m" else "monthly average"
        rows.append(
            f"| `{indicator}` {geo} | {event_id} | {ours.pre_start:%Y-%m}..{ours.pre_end:%Y-%m} / "
            f"{ours.post_start:%Y-%m}..{ours.post_end:%Y-%m} | {ours.effect:,.0f} [{ours.ci_low:,.0f}, "
            f"{ours.ci_high:,.0f}] ({what}) | {theirs[0]:,.0f} [{theirs[1]:,.0f}, {theirs[2]:,.0f}] (monthly average) |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    # Held out: the engine's thresholds were set on seeds from 0; the table is measured on others.
    parser.add_argument("--first-seed", type=int, default=1000)
    args = parser.parse_args()

    started = time.perf_counter()
    sim, curve, noisy = simulation_rows(args.reps, args.jobs, args.first_seed)
    sim_minutes = (time.perf_counter() - started) / 60
    seconds, cells = scorecard_timing()
    workdir = Path(tempfile.mkdtemp(prefix="verifica-bench-"))
    engine = make_engine(f"sqlite:///{workdir / 'verifica.db'}")
    ensure_store(engine)
    cross = cross_check_rows(engine)

    lines = [
        f"{BEGIN}: written by bench/bench_verification.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}; "
        f"simulation {sim_minutes:.0f} min on {args.jobs} processes.",
        "",
        f"Simulation study (`bench/simulation.py`), {args.reps} seeded replications per row (seeds "
        f"{args.first_seed}–{args.first_seed + args.reps - 1}, held out from the ones the engine's thresholds were "
        "set on), `method=auto` as the "
        "scorecard runs it, robustness checks on. Monthly flows: level 100 + trend 0.8/month + seasonality "
        f"(amplitude 15) + AR(1) noise (φ 0.5, innovation sd 5: σ = marginal sd = {BASE.sigma:.2f}) unless the row "
        "says otherwise; events on the 15th (the event month is left out); effects start with the first full "
        "month after the event (after the second event in the two-event rows), negative (a fall). Truth = the "
        "planted average effect over the post window (in log points, marked log, for counts and log-normal "
        "flows, the engine's scale there), or, for 12-month sums, the planted change of the 12-month total at "
        "the last post month. Coverage = 95 % intervals containing the truth; excludes 0 = the reported interval "
        "alone; directional = improved/worsened/changed after every check (on no-effect rows: the directional "
        "false-alarm rate; otherwise power); primary interval = the model's interval before any check (for "
        "`began_before`, the whole change); reported interval = the one the answer gives; then the share of each "
        "other verdict (X̄: mean bound of "
        "`no_change_beyond`); rel. MDE = mean relative minimum detectable effect (α 0.05, power 80 %; on the log "
        "scale the rise exp(m) − 1).",
        "",
        "| scenario | truth | mean estimate | coverage | primary interval excludes 0 | reported interval excludes 0 "
        "| directional | began before | joint | too noisy | no change beyond | inconclusive | rel. MDE | "
        "directional is | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *sim,
        "",
        "False alarms by bend slope: no effect, the trend bent 6 months before the event (pre 36, post 12), "
        "the same replications. Directional = a change credited to the event; began before = the engine "
        "says the change began before it.",
        "",
        "| bend (σ/month) | directional | began before | coverage |",
        "|---|---|---|---|",
        *curve,
        "",
        "\"Too noisy to tell\" where the data cannot show less than a doubling: among the runs of each row whose "
        "relative MDE exceeds 100 %, the share worded `too_noisy`.",
        "",
        "| scenario | runs with MDE > 100 % | too noisy among them |",
        "|---|---|---|",
        *noisy,
        "",
        f"Scorecard precompute (`indicators.precompute.compute_scorecard`, real timeline, committed snapshot, "
        f"SQLite): {seconds:.1f} s for {cells} cells, once per publish; requests read the stored grid.",
        "",
        "Cross-check with the `causalimpact` package (0.2.6, MLE, its local-level model; its interval of the "
        "average effect is the average of the pointwise bounds) on the same pre-period, forecasting through "
        "the same left-out months. Ours: `method=structural` as the scorecard runs it.",
        "",
        "| series | event | pre / post | ours: effect [95 % interval] | causalimpact: effect [95 % interval] |",
        "|---|---|---|---|---|",
        *cross,
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
