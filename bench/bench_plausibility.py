"""How the plausibility check of new and provisional months (etl/plausibility.py) sits on the real
releases: what it would hold among genuine months, and what it catches of planted faults.

    .venv/bin/python -m bench.bench_plausibility --raw-dir ../shared/data/raw --write

Genuine months: each of the newest real release's last months judged as the new month of a release
cut just after it. Planted: that month of each checked series (geography totals and declared
breakdowns, at or above ``min_level``) doubled, halved or ×10.
The thresholds declared in each origin file (``plausibility``) are set between the two.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from bench.results import report, table
from etl import plausibility as P
from etl.common import load_origin
from etl.sources import SOURCES, get_source

BEGIN, END = "<!-- plausibility block", "<!-- end plausibility block -->"
PLANTS = (2.0, 0.5, 10.0)


MONTHS = 48  # the last this many months of the newest release, each judged as if it were new
LIMITS = (4.0, 5.0, 6.0)


def measure(source_id: str, raw_dir: Path) -> dict | None:
    """Each of the newest release's last MONTHS months judged as the new month of a release cut
    just after it: genuine holds at each limit, and planted faults caught."""
    module = get_source(source_id)
    origin = load_origin(source_id)
    conf = P.settings_of(origin)
    whole = {o["series"] for o in origin.get("outputs", []) if o.get("whole")}
    records = sorted((module.record_from_file(p) for p in module.raw_files(raw_dir)),
                     key=lambda r: (r.published_on, r.file_name))
    if not records:
        return None
    every = P.series(records[-1].observations, origin)
    months = sorted(set().union(*(set(s.index) for s in every.values())))[-MONTHS:]
    genuine = {limit: 0 for limit in LIMITS}
    held_months = {limit: set() for limit in LIMITS}
    caught = {(limit, plant): 0 for limit in LIMITS for plant in PLANTS}
    judged = 0
    worst = None
    for month in months:
        old = {k: s[s.index < month] for k, s in every.items()}
        for plant in (1.0, *PLANTS):
            new = {}
            for key, s in every.items():
                if month in s.index:
                    bent = s[s.index <= month].astype(float)
                    bent[month] = bent[month] * plant
                    new[key] = bent
            for kind, *item in P.scores(old, new, {month}, conf, whole):
                if kind != "jump":
                    continue
                key, _, _, _, factor, z, record = item
                big = max(factor, 1 / factor) >= conf["factor"]
                if plant == 1.0:
                    judged += 1
                    if big and (worst is None or abs(z) > abs(worst[2])):
                        worst = (key, month, z, factor)
                for limit in LIMITS:
                    held = P.implausible(z, factor, record, {**conf, "mad": limit})
                    if plant == 1.0:
                        genuine[limit] += held
                        if held:
                            held_months[limit].add(month)
                    else:
                        caught[(limit, plant)] += held
    return {"conf": conf, "months": len(months), "judged": judged, "genuine": genuine, "caught": caught,
            "held_months": {limit: len(m) for limit, m in held_months.items()},
            "worst": worst}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source_id in SOURCES:
            got = measure(source_id, args.raw_dir)
            if got is None or not got["judged"]:
                continue
            conf, worst = got["conf"], got["worst"]
            where = f"{worst[0]} {worst[1]}: {worst[2]:+.1f} (×{worst[3]:.2f})" if worst else "–"
            for limit in LIMITS:
                n = got["judged"]
                mark = " **(declared)**" if limit == conf["mad"] else ""
                planted = " · ".join(f"×{p:g} {got['caught'][(limit, p)] / n:.0%}" for p in PLANTS)
                rows.append(f"| `{source_id}` | {limit:g}{mark} | {got['months']} | {n:,} | "
                            f"{got['genuine'][limit]} in {got['held_months'][limit]} of {got['months']} releases | "
                            f"{planted} | {where} |")
    minutes = (time.perf_counter() - started) / 60
    lines = [
        f"{BEGIN}: written by bench/bench_plausibility.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on the real releases in the raw-data folder ({minutes:.1f} min).",
        "",
        f"Each of the last {MONTHS} months of a source's newest real release judged as the new month of a "
        "release cut just after it. Judged = series-months tested (geography totals and declared breakdowns at "
        "or above the source's `min_level`); held = genuine series-months refused at that limit (with a change "
        "of at least the declared factor), and how many that is per monthly release; planted = the same month "
        "of every judged series multiplied, share refused; largest = the largest genuine robust z among changes "
        "of at least the declared factor.",
        "",
        *table(["source", "limit (robust s.d.)", "months", "judged", "genuine held", "planted refused",
                "largest genuine jump"], rows),
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
