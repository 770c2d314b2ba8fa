"""The trade-off the "began before" checks make: how power for a 2σ step and the false alarms beside a
change that began before the event move together as the checks are made more or less sensitive.

    .venv/bin/python -m bench.bench_frontier --reps 200 --write

The three thresholds that decide "began before" (``BEND_T``, ``JUMP_Z``, ``JUMP_LAST_Z``) are scaled
together by one factor k: k < 1 fires more often (fewer false alarms beside a bend, less power),
k > 1 less often. Seeds are the held-out ones of the verification block. ``--write`` replaces the
frontier block of bench/RESULTS.md.
"""

from __future__ import annotations

import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from bench.bench_verification import BASE
from bench.results import measured, report, simulation_args, table
from bench.simulation import Design, study

BEGIN, END = "<!-- frontier block", "<!-- end frontier block -->"
FACTORS = (0.8, 1.0, 1.25, 1.6)
ROWS = [
    ("pre 36 power", replace(BASE, effect=-2.0), 0.38),
    ("pre 60 power", replace(BASE, pre=60, effect=-2.0), 0.60),
    ("bend −0.3σ", replace(BASE, bend_months_before=6, bend=-0.3), 0.10),
    ("bend −0.5σ", replace(BASE, bend_months_before=6, bend=-0.5), 0.10),
    ("unmarked regime", replace(BASE, regime_months_before=1, regime_shift=-3.0), 0.10),
]
FIRST_SEED = 1000


def _run(args: tuple[float, str, Design, int]) -> tuple[float, str, float]:
    factor, label, design, reps = args
    from indicators import verification as v

    v.BEND_T, v.JUMP_Z, v.JUMP_LAST_Z = 1.8 * factor, 2.5 * factor, 1.9 * factor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = study(design, range(FIRST_SEED, FIRST_SEED + reps))
    return factor, label, result.directional_rate


def main() -> None:
    args = simulation_args(__doc__)
    started = time.perf_counter()
    work = [(k, label, design, args.reps) for k in FACTORS for label, design, _ in ROWS]
    with ProcessPoolExecutor(args.jobs) as pool:
        got = {(k, label): rate for k, label, rate in pool.map(_run, work)}
    minutes = (time.perf_counter() - started) / 60
    targets = {label: target for label, _, target in ROWS}

    def cell(k, label):
        rate, target = got[(k, label)], targets[label]
        met = rate >= target if label.endswith("power") else rate <= target
        return f"{rate:.1%}{'' if met else ' ✗'}"

    rows = [f"| {k:g} (BEND_T {1.8 * k:.2f}, JUMP_Z {2.5 * k:.2f}, JUMP_LAST_Z {1.9 * k:.2f}) | "
            + " | ".join(cell(k, label) for label, _, _ in ROWS) + " |" for k in FACTORS]
    header = ["factor k"] + [f"{label} ({'≥' if label.endswith('power') else '≤'} {targets[label]:.0%})"
                             for label, _, _ in ROWS]
    lines = [
        f"{BEGIN}: written by bench/bench_frontier.py --write -->",
        measured(args.reps, minutes, args.jobs),
        "",
        f"Directional verdicts (improved/worsened/changed after every check), seeds {FIRST_SEED}–"
        f"{FIRST_SEED + args.reps - 1}: power in the first two columns, false alarms in the others "
        "(✗ = target missed). k = 1 is the engine as shipped.",
        "",
        *table(header, rows),
        "<!-- end frontier block -->",
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
