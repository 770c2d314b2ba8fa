"""The committed snapshot: every published vintage as a compact monthly table, with provenance.

A fresh clone fills its store from here with no network. Each vintage is one gzip CSV of the
store's tidy observations (calendar months; one column per dimension the vintage has, format 2);
``manifest.json`` carries the origin block of each source and each vintage's file name, sha256,
release date and row count.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import logging
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from etl.common import SanityError, load_origin
from etl.store import (
    OBSERVATION_COLUMNS,
    PROJECT_ROOT,
    Vintage,
    VintageRecord,
    list_vintages,
    publish,
    restore,
    vintage_observations,
    withdraw,
    withdrawal_history,
)

log = logging.getLogger(__name__)
SNAPSHOT_DIR = PROJECT_ROOT / "data" / "snapshot"
MANIFEST = "manifest.json"


def write(engine: Engine, out_dir: Path = SNAPSHOT_DIR) -> dict:
    out_dir = Path(out_dir)
    vintages = list_vintages(engine)
    if not vintages:
        raise SanityError("the store has no vintages to snapshot; run 'python -m etl build' first")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*/*.csv.gz"):
        stale.unlink()
    observations = vintage_observations(engine, [v.id for v in vintages])
    history = withdrawal_history(engine)
    manifest: dict = {"format": 2, "sources": {}, "vintages": []}
    for vintage in vintages:
        manifest["sources"].setdefault(vintage.source_id, load_origin(vintage.source_id))
        rows = observations[observations["vintage_id"] == vintage.id].drop(columns="vintage_id")
        rows = rows.dropna(axis="columns", how="all").reindex(
            columns=[*OBSERVATION_COLUMNS, *sorted(c for c in rows.columns if c not in OBSERVATION_COLUMNS
                                                   and rows[c].notna().any())])
        relative = f"{vintage.source_id}/{vintage.published_on.isoformat()}_{vintage.sha256[:12]}.csv.gz"
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        csv_bytes = rows.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode()
        # mtime=0 keeps the bytes identical when nothing changed, so git sees no diff.
        with open(target, "wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) as gz:
            gz.write(csv_bytes)
        manifest["vintages"].append(
            {
                "source_id": vintage.source_id,
                "file_name": vintage.file_name,
                "url": vintage.url,
                "sha256": vintage.sha256,
                "published_on": vintage.published_on.isoformat(),
                "published_on_basis": vintage.published_on_basis,
                "retrieved_at": vintage.retrieved_at.date().isoformat(),
                "row_count": vintage.row_count,
                "period_start": vintage.period_start.isoformat(),
                "period_end": vintage.period_end.isoformat(),
                "file": relative,
            }
        )
        if vintage.withdrawn_on:  # kept, with when and why, so every clone honours the withdrawal
            manifest["vintages"][-1].update(withdrawn_on=vintage.withdrawn_on.isoformat(),
                                            withdrawn_reason=vintage.withdrawn_reason)
        intervals = [w for w in history if w.vintage_id == vintage.id]
        if any(w.restored_on for w in intervals):  # withdrawals undone: every clone redraws the past alike
            manifest["vintages"][-1]["withdrawals"] = [
                {"withdrawn_on": w.withdrawn_on.isoformat(), "reason": w.reason,
                 "restored_on": w.restored_on and w.restored_on.isoformat(), "restore_reason": w.restore_reason}
                for w in intervals]
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def read_manifest(snapshot_dir: Path = SNAPSHOT_DIR) -> dict:
    path = Path(snapshot_dir) / MANIFEST
    if not path.is_file():
        raise SanityError(f"no snapshot manifest at {path}")
    return json.loads(path.read_text())


def load(engine: Engine, snapshot_dir: Path = SNAPSHOT_DIR) -> int:
    """Publish every snapshot vintage the store does not have yet (each atomically), so a newly
    committed snapshot reaches an existing store on the next start; returns how many were new."""
    manifest = read_manifest(snapshot_dir)
    have = {(v.source_id, v.sha256): v for v in list_vintages(engine)}
    loaded = 0
    for item in manifest["vintages"]:
        if (item["source_id"], item["sha256"]) in have:
            _withdraw_as_committed(engine, have[item["source_id"], item["sha256"]], item)
            continue
        with gzip.open(Path(snapshot_dir) / item["file"], "rb") as handle:
            frame = pd.read_csv(io.BytesIO(handle.read()), dtype=str, keep_default_na=False)
        if len(frame) != item["row_count"]:
            raise SanityError(f"snapshot {item['file']}: {len(frame)} rows, manifest says {item['row_count']}")
        for column in ("value", "value_predicted"):
            frame[column] = pd.to_numeric(frame[column].mask(frame[column] == ""))
        for column in frame.columns.difference(OBSERVATION_COLUMNS):  # dimensions (format 1: five fixed)
            frame[column] = frame[column].mask(frame[column] == "")
        frame["period"] = pd.to_datetime(frame["period"]).dt.date
        record = VintageRecord(
            source_id=item["source_id"],
            file_name=item["file_name"],
            sha256=item["sha256"],
            published_on=dt.date.fromisoformat(item["published_on"]),
            published_on_basis=item["published_on_basis"],
            observations=frame,
            url=item.get("url"),
            retrieved_at=dt.datetime.fromisoformat(item["retrieved_at"]),
        )
        run = publish(engine, manifest["sources"][item["source_id"]], record, kind="snapshot")
        loaded += run.outcome == "ok"
        if run.outcome == "ok":
            [vintage] = [v for v in list_vintages(engine, item["source_id"]) if v.id == run.vintage_id]
            _withdraw_as_committed(engine, vintage, item)
    return loaded


def _withdraw_as_committed(engine: Engine, vintage: Vintage, item: dict) -> None:
    """Withdrawals (and restorations) committed with the snapshot reach a store that has the
    vintage: those the store has not recorded yet are replayed in order."""
    intervals = item.get("withdrawals") or (
        [{"withdrawn_on": item["withdrawn_on"], "reason": item["withdrawn_reason"], "restored_on": None}]
        if item.get("withdrawn_on") else [])
    recorded = {w.withdrawn_on: w for w in withdrawal_history(engine, vintage.id)}
    for interval in intervals:
        day = dt.date.fromisoformat(interval["withdrawn_on"])
        if day not in recorded:
            if any(w.restored_on is None for w in recorded.values()):  # withdrawn here already, on another day
                log.warning("snapshot: vintage #%s is withdrawn in this store already; the committed withdrawal "
                            "of %s is not replayed", vintage.id, day)
                return
            withdraw(engine, vintage.id, interval["reason"], day)
        if interval.get("restored_on") and (day not in recorded or recorded[day].restored_on is None):
            restore(engine, vintage.id, interval.get("restore_reason") or "",
                    dt.date.fromisoformat(interval["restored_on"]))
