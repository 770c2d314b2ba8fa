"""Benchmarks of the verification engine: simulation study, scorecard timing, and a cross-check
against the ``causalimpact`` package on real series.

    .venv/bin/pip install -r requirements-bench.txt     # adds causalimpact (bench only)
    .venv/bin/python -m bench.bench_verification --reps 200 --write

``--write`` replaces the verification block of bench/RESULTS.md. Without causalimpact installed
the cross-check is skipped and said so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from bench.simulation import Design, study
from dashboard import queries
from dashboard.app_factory import create_app
from etl.store import make_engine
from etl.timeline import read_timeline
from indicators.scorecard import verify
from indicators.series import read_series
from indicators.verification import post_start_month

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- verification block", "<!-- end verification block -->"
CROSS_CHECKS = [
    ("cbp_fentanyl_seizures_swb_lbs", "US", "2025-02-03-tariff-pause-national-guard"),
    ("cbp_fentanyl_seizures_swb_lbs", "US", "2025-07-31-tariff-truce-extended"),
    ("cdc_synthetic_opioid_deaths_12m", "US", "2025-02-27-security-cabinet-meets-rubio"),
    ("cdc_overdose_deaths_12m", "US", "2025-02-27-security-cabinet-meets-rubio"),
]


def simulation_rows(reps: int) -> list[str]:
    rows = []
    for method, design, label in (
        ("structural", Design(), "trend + seasonality + AR(1)"),
        ("its", Design(), "trend + seasonality + AR(1)"),
        ("yoy", Design(trend=0.0), "seasonality + AR(1), no trend"),
    ):
        start = time.perf_counter()
        planted = study(method, range(reps), 15.0, design)
        null = study(method, range(10_000, 10_000 + reps), 0.0, design, placebo=True)
        seconds = time.perf_counter() - start
        rows.append(
            f"| {method} | {label} | {reps} | {planted.mean_estimate:.2f} | {planted.coverage:.1%} | "
            f"{planted.rejection_rate:.1%} | {null.coverage:.1%} | {null.rejection_rate:.1%} | "
            f"{'—' if null.placebo_rejection_rate is None else f'{null.placebo_rejection_rate:.1%}'} | {seconds:.0f} |"
        )
    return rows


def scorecard_timing(calls: int) -> tuple[list[float], list[float]]:
    workdir = Path(tempfile.mkdtemp(prefix="verifica-bench-"))
    app = create_app(f"sqlite:///{workdir / 'verifica.db'}")
    cold, warm = [], []
    with app.server.test_request_context():
        for _ in range(3):
            queries.cache.clear()
            start = time.perf_counter()
            queries.scorecard_grid(dt.date(2026, 11, 25))
            cold.append(time.perf_counter() - start)
        for _ in range(calls):
            start = time.perf_counter()
            queries.scorecard_grid(dt.date(2026, 11, 25))
            warm.append(time.perf_counter() - start)
    return cold, warm


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

    pre_values = y.reindex(pre).to_numpy()
    post_values = y.reindex(post).to_numpy()
    endog = np.concatenate([pre_values, np.full(len(post), np.nan)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        impact = CausalImpact(ucm_model=UnobservedComponents(endog, level="llevel"),
                              post_period_response=pd.Series(post_values), alpha=alpha)
        impact.run()
    inferences = impact.inferences.iloc[len(pre):]
    response = pd.Series(post_values, index=inferences.index)
    # The package's own summary: average of pointwise effects and of pointwise bounds.
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
        y = read_series(engine, indicator, geo).set_index("period")["value"]
        y.index = pd.DatetimeIndex(y.index).to_period("M")
        pre = pd.period_range(pd.Period(ours.pre_start, "M"), pd.Period(ours.pre_end, "M"), freq="M")
        post = pd.period_range(post_start_month(event["date"]), pd.Period(ours.post_end, "M"), freq="M")
        theirs = causalimpact_effect(y, pre, post, ours.alpha)
        rows.append(
            f"| `{indicator}` {geo} | {event_id} | {ours.pre_start:%Y-%m}..{ours.pre_end:%Y-%m} / "
            f"{ours.post_start:%Y-%m}..{ours.post_end:%Y-%m} | {ours.effect:,.0f} [{ours.ci_low:,.0f}, "
            f"{ours.ci_high:,.0f}] | {theirs[0]:,.0f} [{theirs[1]:,.0f}, {theirs[2]:,.0f}] |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    sim = simulation_rows(args.reps)
    cold, warm = scorecard_timing(args.calls)
    workdir = Path(tempfile.mkdtemp(prefix="verifica-bench-"))
    engine = make_engine(f"sqlite:///{workdir / 'verifica.db'}")
    from etl.pipeline import ensure_store

    ensure_store(engine)
    cross = cross_check_rows(engine)

    lines = [
        f"{BEGIN}: written by bench/bench_verification.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}.",
        "",
        f"Simulation study (`bench/simulation.py`): 84-month series, event at month 72, 12 post months, "
        f"planted step of +15 (noise innovation sd 5, AR 0.5); {args.reps} seeded replications each with the "
        "effect and without it. Coverage = share of 95 % intervals containing the true effect; "
        "rejections = share of intervals excluding zero; placebo = share of no-effect series whose "
        "placebo-in-time rank p ≤ 0.05.",
        "",
        "| method | series | reps | mean estimate (true 15) | coverage, effect | power | coverage, no effect "
        "| false alarms, model | false alarms, placebo rank | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *sim,
        "",
        f"Scorecard (`/api/scorecard.json`, real timeline, committed snapshot, SQLite): cold "
        f"{statistics.median(cold):.2f} s (median of {len(cold)}, cache cleared), cached "
        f"{statistics.median(warm) * 1000:.1f} ms (median of {len(warm)}).",
        "",
        "Cross-check with the `causalimpact` package (0.2.6, MLE, its local-level model; its interval of the "
        "average effect is the average of the pointwise bounds) on the same pre/post windows. Ours: "
        "`method=structural` as the scorecard runs it.",
        "",
        "| series | event | pre / post | ours: effect [95 % interval] | causalimpact: effect [95 % interval] |",
        "|---|---|---|---|---|",
        *cross,
        END,
    ]
    block = "\n".join(lines)
    print(block)
    if args.write:
        text = RESULTS.read_text()
        if BEGIN in text:
            head, rest = text.split(BEGIN, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
