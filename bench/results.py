"""bench/RESULTS.md: each benchmark owns one measured block, replaced in place by ``--write``."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_block(begin: str, end: str, block: str, path: Path = RESULTS) -> None:
    """Replace the block from the line starting ``begin`` to ``end`` (or append it)."""
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def report(begin: str, end: str, lines: list[str], write: bool) -> str:
    """Print the block and, with ``--write``, put it in RESULTS.md."""
    block = "\n".join(lines)
    print(block)
    if write:
        write_block(begin, end, block)
    return block


def simulation_args(description: str | None = None):
    """The simulation benchmarks' flags: --reps, --jobs (processes), --write."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    return parser.parse_args()


def measured(reps: int, minutes: float, jobs: int) -> str:
    import platform
    import time

    return (f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}; "
            f"{reps} seeded replications a row, {minutes:.0f} min on {jobs} processes.")


def table(header: list[str], rows: list[str]) -> list[str]:
    """A markdown table: the header row, its rule, then the rows as given."""
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *rows]
