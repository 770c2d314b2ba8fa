"""The control-series check, simulated: a monthly flow that follows a control series (0.9 × the
control + its own AR(1) noise), the step planted in the series alone, in the control alone, or
in both through the control (a shock the event did not cause that moves every drug).

    .venv/bin/python -m bench.bench_donors --reps 200 --write

``--write`` replaces the control-series block of bench/RESULTS.md.
"""

from __future__ import annotations

import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from bench.results import measured, report, simulation_args, table
from bench.simulation import DIRECTIONAL, Design, simulate
from indicators.verification import DONOR_READINGS, assess, post_start_month

BEGIN, END = "<!-- control-series block", "<!-- end control-series block -->"
BASE = Design()


@dataclass(frozen=True)
class Case:
    own: float = 0.0  # step of the series alone, sigma
    control: float = 0.0  # step of the control (the series follows it at 0.9), sigma
    drift: float = 0.0  # a trend of the series' own (sigma per month): the relation drifts


def pair(seed: int, case: Case) -> tuple[pd.Series, pd.Series, float]:
    """The series, its control, and the truth the check estimates (the series' own step)."""
    control = simulate(seed, replace(BASE, effect=case.control))
    rng = np.random.default_rng(10_000 + seed)
    noise = np.zeros(len(control))
    for i in range(len(control)):  # the series' own AR(1) noise, as large as the control's
        noise[i] = (BASE.ar * noise[i - 1] if i else 0.0) + rng.normal(0, BASE.noise_sd)
    after = np.array([p >= post_start_month(BASE.event_date) for p in control.index])
    drift = case.drift * BASE.sigma * np.arange(len(control))
    series = 0.9 * control + 30 + noise + drift + case.own * BASE.sigma * after
    return series, control, case.own * BASE.sigma


def _run(args: tuple[str, Case, int]):
    label, case, reps = args
    start = time.perf_counter()
    counts = {"directional": 0, "covered": 0, "control_excludes": 0, **{r: 0 for r in DONOR_READINGS}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(reps):
            series, control, truth = pair(seed, case)
            result = assess(series, BASE.event_date, pre_months=BASE.pre, post_months=BASE.post,
                            better="ambiguous", donors={"control": control})
            check = next((c for c in result.checks if c["check"] == "donors"), None)
            counts["directional"] += result.verdict in DIRECTIONAL
            counts[check["reading"]] += 1
            if check["reading"] == "not_possible":
                continue
            counts["covered"] += check["ci_low"] <= truth <= check["ci_high"]
            counts["control_excludes"] += not (check["ci_low"] <= 0 <= check["ci_high"])
    return label, case, {k: v / reps for k, v in counts.items()}, time.perf_counter() - start


def scenarios() -> list[tuple[str, Case]]:
    return [
        ("no change anywhere", Case()),
        ("the series' own 2σ step, controls unmoved", Case(own=-2.0)),
        ("a 2σ step of the controls, which the series follows", Case(control=-2.0 / 0.9)),
        ("the series' own 2σ step and the controls' 2σ step", Case(own=-2.0, control=-2.0 / 0.9)),
        ("no change; the series drifts from its controls (0.05σ/month)", Case(drift=0.05)),
    ]


def main() -> None:
    args = simulation_args(__doc__)
    started = time.perf_counter()
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for label, case, share, seconds in pool.map(_run, [(label, case, args.reps) for label, case in scenarios()]):
            readings = " | ".join(f"{share[r]:.1%}" for r in DONOR_READINGS)
            rows.append(f"| {label} | {case.own * BASE.sigma:+.1f} | {share['directional']:.1%} | "
                        f"{share['control_excludes']:.1%} | {share['covered']:.1%} | {readings} | {seconds:.0f} |")
    minutes = (time.perf_counter() - started) / 60
    lines = [
        f"{BEGIN}: written by bench/bench_donors.py --write -->",
        measured(args.reps, minutes, args.jobs),
        "",
        "A control series like the verification block's monthly flows (pre 36, post 12, events on the 15th); "
        "the series = 0.9 × control + 30 + its own AR(1) noise (φ 0.5, innovation sd 5). Truth = the series' "
        "own step (what the control-series check estimates). Directional = the engine's verdict (which the "
        "check never changes); control check excludes 0 = the check's interval; then the share of each of the "
        "check's readings (same change: both find a change the same way; no change: neither does and the "
        "controls' interval is within ±25 %; cannot tell: too wide; other answer: the two disagree).",
        "",
        *table(["case", "own step (truth)", "directional", "control check excludes 0", "control check coverage",
                *(r.replace("_", " ") for r in DONOR_READINGS), "seconds"], rows),
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
