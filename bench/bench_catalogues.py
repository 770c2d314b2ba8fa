"""Benchmark: what the gettext catalogues cost, read once and looked up on every string.

    .venv/bin/python -m bench.bench_catalogues [--repeat 5] [--calls 200000] [--write]

Reading: ``catalogues.reload()`` then one look-up, which parses every ``locale/*/messages.po`` with
Babel (once per process in the app). Look-up: ``t(key, lang)`` over every key in both languages,
against the same look-up in a plain ``{key: {lang: text}}`` table (how the strings were held before
the catalogues), and a formatted string (``t(key, lang, n=...)``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import timeit

from bench.results import report

BEGIN, END = "<!-- catalogues block", "<!-- end catalogues block -->"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    import catalogues
    from dashboard.i18n import STRINGS, t

    reads = []
    for _ in range(args.repeat):
        catalogues.reload()
        start = time.perf_counter()
        catalogues.gettext("app_title", "en")
        reads.append(time.perf_counter() - start)
    keys = list(STRINGS)
    table = {key: {lang: catalogues.gettext(key, lang) for lang in catalogues.languages()} for key in keys}

    def dict_t(key: str, lang: str) -> str:  # the former t(): a nested dict
        return table[key].get(lang if lang in ("en", "es") else "en", table[key]["en"])

    pairs = [(key, lang) for key in keys for lang in ("en", "es")]
    rounds = max(1, args.calls // len(pairs))

    def per_call(function) -> float:
        runs = timeit.repeat(lambda: [function(key, lang) for key, lang in pairs], number=rounds, repeat=args.repeat)
        return min(runs) / (rounds * len(pairs)) * 1e6

    catalogue_us, dict_us = per_call(t), per_call(dict_t)
    formatted_us = min(timeit.repeat(lambda: t("timeline_count", "es", n="3", total="40"), number=args.calls,
                                     repeat=args.repeat)) / args.calls * 1e6
    lines = [
        f"{BEGIN}: written by bench/bench_catalogues.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {len(keys)} keys, {len(catalogues.languages())} catalogues.",
        "",
        "| what | time |",
        "|---|---|",
        f"| read the catalogues (once per process), median of {args.repeat} | "
        f"{statistics.median(reads) * 1000:.1f} ms |",
        f"| `t(key, lang)` from the catalogues, per call | {catalogue_us:.2f} µs |",
        f"| the same from a nested dict (before the catalogues), per call | {dict_us:.2f} µs |",
        f"| `t(\"timeline_count\", \"es\", n=…, total=…)`, per call | {formatted_us:.2f} µs |",
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
