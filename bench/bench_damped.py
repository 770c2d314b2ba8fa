"""A damped trend for 12-month totals forecast more than six months ahead: measured against the
local linear trend the engine uses, on simulated 12-month sums (a steady rise, and a fall that
levels off like CDC's deaths after 2023) and on the real CDC cells of the scorecard.

    .venv/bin/python -m bench.bench_damped --reps 200 --write

``--write`` replaces the damped-trend block of bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from bench.results import measured, report, simulation_args, table
from bench.simulation import Design, study
from etl.pipeline import ensure_store
from etl.store import make_engine
from etl.timeline import read_timeline
from indicators import verification
from indicators.scorecard import links, verify

BEGIN, END = "<!-- damped-trend block", "<!-- end damped-trend block -->"
POISSON = replace(Design(), rolling_poisson=True, level=500.0)
LEVELLING = replace(POISSON, levelling=0.4)
VARIANTS = (("local linear trend (engine)", None), ("damped after 6 months", 6))
AS_OF = dt.date(2026, 11, 25)


def scenarios() -> list[tuple[str, Design]]:
    return [
        ("steady rise, post 12, no effect", POISSON),
        ("steady rise, post 12, −5 % rate", replace(POISSON, effect=-0.05)),
        ("steady rise, post 6, no effect", replace(POISSON, post=6)),
        ("steady rise, post 6, −5 % rate", replace(POISSON, post=6, effect=-0.05)),
        ("fall of 40 % levelling off, post 12, no effect", LEVELLING),
        ("fall of 40 % levelling off, post 12, −5 % rate", replace(LEVELLING, effect=-0.05)),
    ]


def _run(args: tuple[str, Design, int, int | None]):
    label, design, reps, damp_after = args
    verification.DAMP_AFTER = damp_after  # this worker process only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = study(design, range(reps))
    return label, damp_after, result


def real_cells(damp_after: int | None) -> list[tuple[str, str, object]]:
    verification.DAMP_AFTER = damp_after
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp(prefix='verifica-bench-')) / 'verifica.db'}")
    ensure_store(engine)
    events = read_timeline()
    cells = []
    for event in events:
        for indicator in links(event):
            if indicator.startswith("cdc_") and indicator.endswith("_12m"):
                result = verify(engine, indicator, event, events=events, as_of=AS_OF)
                if result.effect is not None:
                    cells.append((indicator, event["id"], result))
    return cells


def _pct(value) -> str:
    return "–" if value is None else f"{value:+.1%}"


def main() -> None:
    args = simulation_args(__doc__)
    started = time.perf_counter()
    work = [(label, design, args.reps, damp) for label, design in scenarios() for _, damp in VARIANTS]
    names = dict((damp, name) for name, damp in VARIANTS)
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for label, damp, r in pool.map(_run, work):
            rows.append(f"| {label} | {names[damp]} | {r.coverage:.1%} | {r.primary_rejection_rate:.1%} | "
                        f"{r.directional_rate:.1%} | {r.share('no_change_beyond'):.1%} | {r.mean_mde:.1%} |")
    minutes = (time.perf_counter() - started) / 60
    real = []
    for name, damp in VARIANTS:
        for indicator, event_id, result in real_cells(damp):
            phi = next((n["phi"] for n in result.note_codes if n["code"] == "damped"), None)
            real.append(f"| {indicator} | {event_id} | {name} | {_pct(result.relative_effect)} "
                        f"[{_pct(result.relative_ci_low)}, {_pct(result.relative_ci_high)}] | "
                        f"{'–' if phi is None else f'{phi:.3f}'} | {result.verdict} |")
    lines = [
        f"{BEGIN}: written by bench/bench_damped.py --write -->",
        measured(args.reps, minutes, args.jobs),
        "",
        "12-month sums of Poisson(500) counts (pre 36), judged as the scorecard judges 12-month totals. "
        "The damped trend is ARIMA(1,1,1) without a constant, its damping estimated, used whenever the "
        "forecast runs more than 6 months ahead (a fit with a damping of 1 or more falls back to the local "
        "linear trend). Coverage = 95 % intervals containing the planted change of the last post month's "
        "total; excludes 0 = the model's interval; directional = after every check.",
        "",
        *table(["series", "trend", "coverage", "excludes 0", "directional", "no change beyond", "rel. MDE"], rows),
        "",
        f"The real CDC cells (committed snapshot, as of {AS_OF}):",
        "",
        *table(["indicator", "event", "trend", "relative effect [95 % interval]", "damping", "verdict"], real),
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
