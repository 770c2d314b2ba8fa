"""Schema migrations: a store made before migrations existed, holding real data, is upgraded in
place (same vintages, same observations, same series) on SQLite and, in CI, PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import MetaData, insert, select, text

from etl import cbp_drug_seizures, cdc_vsrr
from etl.common import load_origin
from etl.store import (
    BASELINE_REVISION,
    Observation,
    _alembic_config,
    head_revision,
    init_schema,
    migrate,
    publish,
    schema_revision,
)
from indicators.registry import INDICATORS
from indicators.series import read_series

OLD_DIMENSIONS = ("component", "region", "land_filter", "area", "category")


def _old_store(engine):
    """The schema as ``create_all`` left it before migrations: baseline tables, no version table."""
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "base")
        command.upgrade(_alembic_config(conn), BASELINE_REVISION)
        conn.execute(text("DROP TABLE alembic_version"))


def _insert_old(engine, source_id, record, vintage_id):
    meta = MetaData()
    meta.reflect(engine, only=["sources", "vintages", "observations"])
    origin = load_origin(source_id)
    periods = pd.to_datetime(record.observations["period"])
    rows = record.observations.reindex(
        columns=["indicator", "period", "geo", *OLD_DIMENSIONS, "value", "value_predicted", "flags"])
    rows = rows.astype(object).where(rows.notna(), None)
    with engine.begin() as conn:
        if conn.execute(select(meta.tables["sources"].c.id).where(meta.tables["sources"].c.id == source_id)).first() is None:
            conn.execute(insert(meta.tables["sources"]), [{k: origin.get(k) for k in (
                "id", "producer", "title", "citation", "attribution", "url_main", "url_download", "licence",
                "description")}])
        conn.execute(insert(meta.tables["vintages"]), [{
            "id": vintage_id, "source_id": source_id, "file_name": record.file_name, "url": None,
            "sha256": record.sha256, "published_on": record.published_on,
            "published_on_basis": record.published_on_basis, "retrieved_at": record.retrieved_at,
            "loaded_at": record.retrieved_at, "row_count": len(rows),
            "period_start": periods.min().date(), "period_end": periods.max().date()}])
        payload = rows.to_dict("records")
        for item in payload:
            item["vintage_id"] = vintage_id
            item["flags"] = item["flags"] or ""
            item["period"] = pd.Timestamp(item["period"]).date()
        conn.execute(insert(meta.tables["observations"]), payload)


@pytest.mark.raw
def test_a_store_made_before_migrations_is_upgraded_in_place_with_its_data(store_factory, raw_dir):
    records = [(cbp_drug_seizures.SOURCE_ID, cbp_drug_seizures.record_from_file(path))
               for path in cbp_drug_seizures.raw_files(raw_dir)[:2]]
    records += [(cdc_vsrr.SOURCE_ID, cdc_vsrr.record_from_file(cdc_vsrr.raw_files(raw_dir)[0]))]
    old, fresh = store_factory(), store_factory()
    _old_store(old)
    for vintage_id, (source_id, record) in enumerate(records, start=1):
        _insert_old(old, source_id, record, vintage_id)
        publish(fresh, load_origin(source_id), record, kind="build")
    assert schema_revision(old) == BASELINE_REVISION

    init_schema(old)  # what every ETL command and the app's first start do

    assert schema_revision(old) == head_revision()
    with old.connect() as conn:
        count = conn.execute(select(Observation.id)).all()
    assert len(count) == sum(len(r.observations) for _, r in records)
    indicators = [i for i in INDICATORS.values() if i.status == "available"
                  and i.source_id in {sid for sid, _ in records}]
    assert indicators
    for spec in indicators:
        pd.testing.assert_frame_equal(read_series(old, spec), read_series(fresh, spec), check_dtype=False)
    # Nothing left of the fixed columns; a second run has nothing to do.
    with old.connect() as conn:
        columns = {c for c in conn.execute(text("SELECT * FROM observations LIMIT 1")).keys()}
    assert not columns & set(OLD_DIMENSIONS) and "dims" in columns
    assert migrate(old) == (head_revision(), head_revision())


def test_an_empty_database_gets_the_newest_schema_and_migrations_go_both_ways(store_factory):
    engine = store_factory()
    assert schema_revision(engine) == head_revision()
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), BASELINE_REVISION)
    assert schema_revision(engine) == BASELINE_REVISION
    init_schema(engine)
    assert schema_revision(engine) == head_revision()


def test_the_fast_revision_reads_agree_with_alembic(store):
    """Start-up reads the head from the migration files and the store's revision with plain SQL;
    both must be what alembic itself says."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from etl.store import MIGRATIONS_DIR, _recorded_revision

    assert head_revision() == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    with store.connect() as conn:
        assert _recorded_revision(conn) == MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_withdrawals_recorded_before_restorations_existed_become_intervals(store_factory, raw_dir):
    """A store at 0004 (one withdrawal date per vintage) gets a withdrawals table holding each
    withdrawal, so views as known before and after it read as they did, and it can be restored."""
    import datetime as dt

    from etl import pipeline
    from etl.sources import get_source
    from etl.store import restore, withdrawal_history

    engine = store_factory()
    path = min(get_source("cdc_vsrr").raw_files(raw_dir), key=lambda p: p.stat().st_size)
    run = pipeline.import_file(engine, "cdc_vsrr", path)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    on = dt.date.today() - dt.timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(text("UPDATE vintages SET withdrawn_on = :on, withdrawn_reason = 'old' WHERE id = :id"),
                     {"on": on, "id": run.vintage_id})
    init_schema(engine)
    assert [(w.vintage_id, w.withdrawn_on, w.reason, w.restored_on) for w in withdrawal_history(engine)] == [
        (run.vintage_id, on, "old", None)]
    spec = next(s for s in INDICATORS.values() if s.source_id == "cdc_vsrr" and s.status == "available")
    assert read_series(engine, spec.id, as_of=on).empty
    assert not read_series(engine, spec.id, as_of=on - dt.timedelta(days=1)).empty
    restore(engine, run.vintage_id, "fine after all")
    assert not read_series(engine, spec.id).empty


def test_a_figure_over_years_counts_through_its_last_year_after_the_upgrade(store):
    """Vintages loaded before 0006 kept the first year of their newest figure as their coverage; the
    upgrade counts a window through December of its last year."""
    import datetime as dt

    from etl import atf_mexico_traces
    from etl.store import list_vintages

    table = ("period_start,period_end,metric,value,unit,scope,confidence,primary_source,primary_source_url,"
             "cited_via_url,as_of,notes\n"
             "2016,2016,us_sourced_firearms,9000,firearms,,high,ATF,https://x.test/1,,2017,\n"
             "2018,2023,us_sourced_firearms,91896,firearms,,high,ATF,https://x.test/2,,2024-10,\n")
    record = atf_mexico_traces.build_record(table.encode(), "figures.csv")
    run = publish(store, load_origin(atf_mexico_traces.SOURCE_ID), record, kind="import")
    assert list_vintages(store, atf_mexico_traces.SOURCE_ID)[0].period_end == dt.date(2023, 12, 1)
    with store.begin() as conn:
        command.downgrade(_alembic_config(conn), "0005")
        conn.execute(text("UPDATE vintages SET period_end = :old WHERE id = :id"),
                     {"old": dt.date(2018, 1, 1), "id": run.vintage_id})
    init_schema(store)
    assert list_vintages(store, atf_mexico_traces.SOURCE_ID)[0].period_end == dt.date(2023, 12, 1)
