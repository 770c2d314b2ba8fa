"""The store's time model: atomic publishing, no overwrites, latest and as-of views."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.store import (
    Observation,
    PublishError,
    RefreshRun,
    Vintage,
    VintageRecord,
    failing_sources,
    publish,
    read_observations,
    record_run,
    utcnow,
)
from tests.helpers import TEST_ORIGIN as ORIGIN


def record(sha: str, published: dt.date, rows: list[tuple], file_name: str | None = None) -> VintageRecord:
    frame = pd.DataFrame(rows, columns=["period", "category", "value"])
    frame["indicator"] = "test_lbs"
    frame["geo"] = "US"
    frame["flags"] = ""
    return VintageRecord(source_id="test_source", file_name=file_name or f"release-{sha}.csv",
                         sha256=sha * 16, published_on=published, published_on_basis="test",
                         observations=frame)


JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


def count(store, model) -> int:
    with Session(store) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_revision_is_a_new_row_and_latest_takes_the_newest_release(store):
    publish(store, ORIGIN, record("a", dt.date(2025, 3, 15), [(JAN, "Fentanyl", 100.0), (FEB, "Fentanyl", 50.0)]),
            kind="test")
    publish(store, ORIGIN, record("b", dt.date(2025, 4, 15), [(FEB, "Fentanyl", 55.0), (MAR, "Fentanyl", 70.0)]),
            kind="test")
    assert count(store, Observation) == 4  # nothing overwritten
    latest = read_observations(store, "test_lbs", "US").set_index("period")
    assert latest["value"].to_dict() == {pd.Timestamp(JAN): 100.0, pd.Timestamp(FEB): 55.0, pd.Timestamp(MAR): 70.0}
    assert latest.loc[pd.Timestamp(FEB), "vintage"] == "release-b.csv"


def test_as_of_shows_what_was_published_by_that_date(store):
    publish(store, ORIGIN, record("a", dt.date(2025, 3, 15), [(JAN, "Fentanyl", 100.0), (FEB, "Fentanyl", 50.0)]),
            kind="test")
    publish(store, ORIGIN, record("b", dt.date(2025, 4, 15), [(FEB, "Fentanyl", 55.0), (MAR, "Fentanyl", 70.0)]),
            kind="test")
    before = read_observations(store, "test_lbs", "US", as_of=dt.date(2025, 4, 1))
    assert before["value"].tolist() == [100.0, 50.0]
    assert read_observations(store, "test_lbs", "US", as_of=dt.date(2025, 3, 1)).empty


def test_a_combination_dropped_by_a_newer_release_is_not_carried_over(store):
    # Aggregate tables leave out zero combinations: the newer release covering February replaces
    # all of February, including a category the older release had.
    publish(store, ORIGIN, record("a", dt.date(2025, 3, 15), [(FEB, "Fentanyl", 50.0), (FEB, "Heroin", 2.0)]),
            kind="test")
    publish(store, ORIGIN, record("b", dt.date(2025, 4, 15), [(FEB, "Fentanyl", 51.0)]), kind="test")
    latest = read_observations(store, "test_lbs", "US")
    assert latest[["category", "value"]].values.tolist() == [["Fentanyl", 51.0]]


def test_same_release_is_not_loaded_twice(store):
    first = publish(store, ORIGIN, record("a", dt.date(2025, 3, 15), [(JAN, "Fentanyl", 1.0)]), kind="test")
    second = publish(store, ORIGIN, record("a", dt.date(2025, 3, 15), [(JAN, "Fentanyl", 1.0)]), kind="test")
    assert (first.outcome, second.outcome) == ("ok", "unchanged")
    assert count(store, Vintage) == 1


def test_a_failing_publish_leaves_the_store_unchanged_and_is_recorded(store):
    publish(store, ORIGIN, record("a", dt.date(2025, 3, 15), [(JAN, "Fentanyl", 100.0)]), kind="test")
    broken = record("b", dt.date(2025, 4, 15), [(JAN, "Fentanyl", 1.0), (FEB, "Fentanyl", 2.0)])
    broken.observations.loc[1, "geo"] = None  # NOT NULL violation on the second row
    with pytest.raises(PublishError):
        publish(store, ORIGIN, broken, kind="refresh")
    assert count(store, Vintage) == 1
    assert count(store, Observation) == 1
    assert read_observations(store, "test_lbs", "US")["value"].tolist() == [100.0]
    [failure] = failing_sources(store)
    assert failure.outcome == "failed" and failure.kind == "refresh"


def test_a_later_success_clears_the_failure_banner(store):
    record_run(store, RefreshRun(source_id="test_source", kind="refresh", started_at=utcnow(),
                                 outcome="failed", message="HTTP 403"))
    assert [r.message for r in failing_sources(store)] == ["HTTP 403"]
    publish(store, ORIGIN, record("c", dt.date(2025, 5, 15), [(JAN, "Fentanyl", 1.0)]), kind="refresh")
    assert failing_sources(store) == []


def test_reads_only_the_requested_key(store):
    publish(store, ORIGIN, record("a", dt.date(2025, 3, 15), [(JAN, "Fentanyl", 100.0)]), kind="test")
    other = record("b", dt.date(2025, 3, 16), [(JAN, "Fentanyl", 7.0)])
    other.observations["indicator"] = "other_indicator"
    publish(store, ORIGIN, other, kind="test")
    assert read_observations(store, "test_lbs", "US")["value"].tolist() == [100.0]
    assert read_observations(store, "test_lbs", "MX").empty


def test_a_newer_release_that_ends_earlier_is_refused(store):
    publish(store, ORIGIN, record("a", dt.date(2025, 4, 15), [(JAN, "Fentanyl", 1.0), (MAR, "Fentanyl", 3.0)]),
            kind="test")
    with pytest.raises(PublishError, match="coverage shrank: this release ends 2025-02"):
        publish(store, ORIGIN, record("b", dt.date(2025, 5, 15), [(FEB, "Fentanyl", 2.0)]), kind="refresh")
    assert count(store, Vintage) == 1
    # Backfilling an older release (published earlier) is fine.
    publish(store, ORIGIN, record("c", dt.date(2025, 3, 15), [(JAN, "Fentanyl", 1.5), (FEB, "Fentanyl", 2.0)]),
            kind="import")
    assert count(store, Vintage) == 2
    assert read_observations(store, "test_lbs", "US")["value"].tolist() == [1.0, 2.0, 3.0]


def test_a_newly_committed_snapshot_reaches_an_existing_store(store, tmp_path):
    import json
    import shutil

    from etl import pipeline, snapshot
    from etl.store import list_vintages

    # The committed snapshot cut to the source with the fewest rows among those with two vintages or
    # more (loading the whole snapshot twice took seconds): before a pull without its newest vintage,
    # after it with it.
    committed = json.loads((snapshot.SNAPSHOT_DIR / "manifest.json").read_text())
    by_source: dict[str, list[dict]] = {}
    for vintage in committed["vintages"]:
        by_source.setdefault(vintage["source_id"], []).append(vintage)
    chosen = min((v for v in by_source.values() if len(v) >= 2), key=lambda v: sum(x["row_count"] for x in v))
    after = {**committed, "vintages": chosen}
    before = {**committed, "vintages": chosen[:-1]}
    folders = {}
    for name, manifest in (("before", before), ("after", after)):
        folders[name] = tmp_path / name
        shutil.copytree(snapshot.SNAPSHOT_DIR, folders[name], ignore=shutil.ignore_patterns("*.gz", "manifest.json"))
        for vintage in manifest["vintages"]:
            shutil.copyfile(snapshot.SNAPSHOT_DIR / vintage["file"], folders[name] / vintage["file"])
        (folders[name] / "manifest.json").write_text(json.dumps(manifest))
    pipeline.ensure_store(store, folders["before"])
    assert len(list_vintages(store)) == len(before["vintages"])
    pipeline.ensure_store(store, folders["after"])  # after a pull: the new vintage is added
    vintages = list_vintages(store)
    assert len(vintages) == len(after["vintages"])
    assert chosen[-1]["sha256"] in {v.sha256 for v in vintages}


def test_a_filter_no_row_matches_reads_zeros_for_the_covered_months(store):
    """A zero-filled series whose filter matches no row of the months read: each covered month
    is zero (a combination missing from a release's aggregate table means no seizures), and a
    by-category one has no rows, rather than an error."""
    from dataclasses import replace

    from indicators.registry import INDICATORS
    from indicators.series import read_series

    publish(store, ORIGIN, record("a", dt.date(2025, 4, 15), [(JAN, "Fentanyl", 100.0), (FEB, "Fentanyl", 50.0)]),
            kind="test")
    base = next(spec for spec in INDICATORS.values() if spec.zero_fill and spec.status == "available"
                and not spec.breakdown and spec.transform is None and spec.semantics == "monthly")
    spec = replace(base, base="test_lbs", source_id="test_source", filters={"category": "Cocaine"})
    series = read_series(store, spec, "US")
    assert series["value"].tolist() == [0.0, 0.0] and series["period"].tolist() == [pd.Timestamp(JAN), pd.Timestamp(FEB)]
    assert series["vintage"].tolist() == ["release-a.csv"] * 2
    by_type = read_series(store, replace(spec, breakdown="category"), "US")
    assert by_type.empty and "category" in by_type.columns
    found = read_series(store, replace(spec, filters={"category": "Fentanyl"}), "US")
    assert found["value"].tolist() == [100.0, 50.0]  # the same read finds the rows a filter matches
