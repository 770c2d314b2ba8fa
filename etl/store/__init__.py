"""The Verifica store: SQLAlchemy schema, atomic publishing of vintages, and as-of reads.

Time model: a source publishes releases; each release we load is a *vintage*. Observations are
never updated or deleted; a revised value is a new row in a newer vintage. The "latest" view takes,
for each (indicator, geo, month), every row of the newest vintage that covers that key; the
``as_of`` view does the same over vintages published on or before a date.

One module per job; every name callers use is here, so ``from etl.store import ...`` is the way in:

* ``schema``: the tables, the observation columns, the store's error and clock;
* ``engine``: the store's URL, the engine, the SQLite file, the after-publish hooks;
* ``migrations``: schema revisions and upgrades in place (Alembic);
* ``publishing``: vintage records, content digests, the atomic publish, run records;
* ``events``: the curated timeline in the store;
* ``reads``: as-of reads of the series, and the vintages' rows;
* ``coverage``: which vintage serves each month on which days (kept with every change, read by
  the as-of reads);
* ``withdrawals``: withdrawing and restoring vintages;
* ``operations``: sources, runs, failing sources, freshness, overdue releases;
* ``versions``: data versions and the derived-results cache.
"""

from etl.store.engine import (
    PROJECT_ROOT,
    after_publish_hooks,
    database_url,
    make_engine,
    normalise_url,
    sqlite_path,
)
from etl.store.events import (
    TIMELINE_MARK,
    read_events,
    replace_events,
    timeline_digest,
    timeline_event_count,
)
from etl.store.migrations import (
    BASELINE_REVISION,
    MIGRATIONS_DIR,
    _alembic_config,
    _recorded_revision,
    head_revision,
    init_schema,
    migrate,
    schema_revision,
)
from etl.store.operations import (
    Freshness,
    failing_sources,
    freshness,
    list_sources,
    overdue_sources,
    recent_runs,
)
from etl.store.publishing import (
    CHUNK_ROWS,
    END_YEAR,
    GIVEN_DATE,
    CoverageShrank,
    VintageRecord,
    _stored_digest,
    content_digest,
    covered_through,
    dimension_columns,
    dimension_texts,
    find_vintage,
    known_vintage,
    make_record,
    previous_vintage,
    publish,
    record_digest,
    record_run,
    upsert_source,
)
from etl.store.reads import (
    Slice,
    available_geos,
    is_empty,
    list_vintages,
    months_with_values,
    read_observations,
    read_slice,
    vintage_observations,
)
from etl.store.schema import (
    DIMENSION_NAME,
    DIMS_TYPE,
    OBSERVATION_COLUMNS,
    Base,
    ChangeDelivery,
    ChangeEntry,
    Coverage,
    DerivedResult,
    Event,
    Observation,
    PublishError,
    RefreshRun,
    Source,
    Vintage,
    Withdrawal,
    utcnow,
)
from etl.store.versions import (
    LOCK_FILES,
    DataVersions,
    data_version,
    data_versions,
    derived_lock,
    prune_derived,
    read_derived,
    read_derived_named,
    read_latest_derived,
    vintage_set_key,
    write_derived,
)
from etl.store.withdrawals import (
    in_force,
    restore,
    withdraw,
    withdrawal_history,
)

__all__ = [
    "BASELINE_REVISION",
    "CHUNK_ROWS",
    "DIMENSION_NAME",
    "DIMS_TYPE",
    "END_YEAR",
    "GIVEN_DATE",
    "LOCK_FILES",
    "MIGRATIONS_DIR",
    "OBSERVATION_COLUMNS",
    "PROJECT_ROOT",
    "TIMELINE_MARK",
    "Base",
    "ChangeDelivery",
    "ChangeEntry",
    "Coverage",
    "CoverageShrank",
    "DataVersions",
    "DerivedResult",
    "Event",
    "Freshness",
    "Observation",
    "PublishError",
    "RefreshRun",
    "Slice",
    "Source",
    "Vintage",
    "VintageRecord",
    "Withdrawal",
    "_alembic_config",
    "_recorded_revision",
    "_stored_digest",
    "after_publish_hooks",
    "available_geos",
    "content_digest",
    "covered_through",
    "data_version",
    "data_versions",
    "database_url",
    "derived_lock",
    "dimension_columns",
    "dimension_texts",
    "failing_sources",
    "find_vintage",
    "freshness",
    "head_revision",
    "in_force",
    "init_schema",
    "is_empty",
    "known_vintage",
    "list_sources",
    "list_vintages",
    "make_engine",
    "make_record",
    "migrate",
    "months_with_values",
    "normalise_url",
    "overdue_sources",
    "previous_vintage",
    "prune_derived",
    "publish",
    "read_derived",
    "read_derived_named",
    "read_events",
    "read_latest_derived",
    "read_observations",
    "read_slice",
    "recent_runs",
    "record_digest",
    "record_run",
    "replace_events",
    "restore",
    "schema_revision",
    "sqlite_path",
    "timeline_digest",
    "timeline_event_count",
    "upsert_source",
    "utcnow",
    "vintage_observations",
    "vintage_set_key",
    "withdraw",
    "withdrawal_history",
    "write_derived",
]
