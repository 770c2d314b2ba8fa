"""The placebo calendar on the real series: fake events on the 15th of every second month before
2025, each verified as the scorecard verifies a commitment (the indicator's scale, its regime
markers, the revision pattern of its source, the robustness checks, the real timeline for
measurement changes). No commitment happened on those dates, so every directional verdict
(improved, worsened, changed) is a false alarm of the engine on series like the ones it judges.

    .venv/bin/python -m bench.bench_placebo_calendar --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd

from bench.results import report
from etl.pipeline import ensure_store
from etl.store import make_engine
from etl.timeline import read_timeline
from indicators.registry import get_indicator
from indicators.scorecard import verify
from indicators.series import read_series
from indicators.verification import DIRECTIONAL, MIN_PRE

BEGIN, END = "<!-- placebo calendar block", "<!-- end placebo calendar block -->"
INDICATORS = ["cbp_fentanyl_seizures_swb_lbs", "cdc_synthetic_opioid_deaths_12m", "cdc_overdose_deaths_12m",
              "sesnsp_homicides_daily_avg", "cbp_swb_encounters"]
LAST = dt.date(2024, 12, 31)  # fake events before the first real one of the timeline (2025)


def fake_dates(first: pd.Period) -> list[dt.date]:
    """The 15th of every second month from MIN_PRE + 12 months after the series starts."""
    month = first + MIN_PRE + 12
    dates = []
    while month.start_time.date() <= LAST:
        dates.append(month.start_time.date().replace(day=15))
        month += 2
    return dates


def run(engine, indicator: str, events: list[dict]) -> tuple[Counter, int]:
    spec = get_indicator(indicator)
    frame = read_series(engine, spec)
    first = pd.Period(frame["period"].min(), "M")
    verdicts: Counter = Counter()
    for day in fake_dates(first):
        event = {"id": f"{day}-placebo", "date": day, "type": "commitment", "title": {"en": "placebo", "es": "placebo"},
                 "indicators": [{"indicator": indicator, "expected_direction": spec.better}]}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = verify(engine, spec, event, events=events)
        verdicts[result.verdict] += 1
    return verdicts, sum(verdicts.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="verifica-bench-"))
    engine = make_engine(f"sqlite:///{workdir / 'verifica.db'}")
    ensure_store(engine)
    events = read_timeline()
    rows = []
    for indicator in INDICATORS:
        verdicts, n = run(engine, indicator, events)
        directional = sum(verdicts[v] for v in DIRECTIONAL)
        tested = n - verdicts["not_yet_verifiable"] - verdicts["insufficient_history"]
        spread = ", ".join(f"{v} {c}" for v, c in verdicts.most_common())
        rows.append(f"| `{indicator}` | {n} | {tested} | {directional} | {directional / max(tested, 1):.1%} | "
                    f"{'met' if directional <= 0.10 * max(tested, 1) else '**missed**'} | {spread} |")
    minutes = (time.perf_counter() - started) / 60
    lines = [
        f"{BEGIN}: written by bench/bench_placebo_calendar.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}, "
        f"{minutes:.1f} min; committed snapshot, latest data.",
        "",
        "Fake events on the 15th of every second month before 2025 (from three years after the series "
        "starts), each verified as the scorecard verifies a commitment. Target: directional verdicts "
        "(improved / worsened / changed) in at most 10 % of the tested dates of each indicator.",
        "",
        "| indicator | fake dates | tested | directional | directional share | target | all verdicts |",
        "|---|---|---|---|---|---|---|",
        *rows,
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
