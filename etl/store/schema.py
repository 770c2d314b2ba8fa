"""The store's tables (SQLAlchemy models), the columns every observation has, and the two things
every part of the store shares: its error and its clock."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DIMENSION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
DIMS_TYPE = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    producer: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    attribution: Mapped[str] = mapped_column(Text)
    url_main: Mapped[str] = mapped_column(Text)
    url_download: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)


class Vintage(Base):
    __tablename__ = "vintages"
    __table_args__ = (UniqueConstraint("source_id", "sha256", name="uq_vintage_source_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_on: Mapped[dt.date] = mapped_column(Date, index=True)
    published_on_basis: Mapped[str] = mapped_column(Text)
    retrieved_at: Mapped[dt.datetime] = mapped_column(DateTime)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    row_count: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    # A digest of the observations (not the bytes): the same release re-encoded is the same release.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # Withdrawn vintages stay in the store (and in as_of views before this date), never deleted.
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class Withdrawal(Base):
    """One withdrawal of a vintage, and its restoration if it was undone: the vintage is out of
    views as known from ``withdrawn_on`` until the day before ``restored_on``. The vintage's own
    ``withdrawn_on`` is the open withdrawal (the current state)."""

    __tablename__ = "withdrawals"
    __table_args__ = (Index("ix_withdrawals_vintage", "vintage_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vintage_id: Mapped[int] = mapped_column(ForeignKey("vintages.id"))
    withdrawn_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    restored_on: Mapped[dt.date | None] = mapped_column(Date)
    restore_reason: Mapped[str | None] = mapped_column(Text)


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_obs_key", "indicator", "geo", "period", "vintage_id"),
        Index("ix_obs_vintage", "vintage_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vintage_id: Mapped[int] = mapped_column(ForeignKey("vintages.id"))
    indicator: Mapped[str] = mapped_column(String(96))
    period: Mapped[dt.date] = mapped_column(Date)
    geo: Mapped[str] = mapped_column(String(16))
    # The observation's dimensions, e.g. {"region": "Southwest Border", "category": "Fentanyl"}:
    # whatever the source has (direction, mode, state, weapon, ...). Null ones are left out.
    dims: Mapped[dict] = mapped_column(DIMS_TYPE, default=dict)
    value: Mapped[float | None] = mapped_column(Float)
    value_predicted: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[str] = mapped_column(String(128), default="")


class Coverage(Base):
    """Which vintage serves each month, kept so an as-of read seeks it instead of ranking every
    vintage's rows: one row for each (indicator, geo, month) a vintage has rows for and each span
    of days it is served (from its release, or a restoration, until a withdrawal; an open span has
    no ``withdrawn_on``). Written in the transaction that publishes, withdraws, restores or
    corrects the release date of the vintage (``etl.store.coverage``). The month's vintage as
    known on a date is the first row of ``ix_coverage_seek``, newest release first, whose span
    holds the date."""

    __tablename__ = "coverage"
    __table_args__ = (
        Index("ix_coverage_seek", "indicator", "geo", "period", "published_on", "vintage_id", "served_from",
              "withdrawn_on"),
    )

    vintage_id: Mapped[int] = mapped_column(ForeignKey("vintages.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(96), primary_key=True)
    geo: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    served_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    published_on: Mapped[dt.date] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)


class RefreshRun(Base):
    __tablename__ = "refresh_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    vintage_id: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    diff: Mapped[str | None] = mapped_column(Text)  # the release diff (JSON) the run was judged by


class DerivedResult(Base):
    """A result computed from the store (the scorecard's assessments), kept with the vintage set
    and inputs it came from (``key``) so requests read it instead of recomputing it."""

    __tablename__ = "derived_results"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    payload: Mapped[str] = mapped_column(Text)


class ChangeEntry(Base):
    """One dated entry of the change log (``etl.changelog_store``): what a publish changed in codes
    and numbers (``payload``, JSON), why (``causes``, comma-separated codes), and the statuses and
    newest months it was compared with (``state``, JSON), which the next entry compares against."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    basis: Mapped[str] = mapped_column(String(64))  # digest of the vintages, timeline, engine and code
    causes: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)


class ChangeDelivery(Base):
    """One attempt to deliver a change-log entry to the operator's webhook."""

    __tablename__ = "change_deliveries"
    __table_args__ = (Index("ix_change_deliveries_entry", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("change_log.id"))
    url: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime)


# The columns every observation has; any other column of a tidy frame is a dimension.
OBSERVATION_COLUMNS: tuple[str, ...] = ("indicator", "period", "geo", "value", "value_predicted", "flags")


def _parse_dims(value) -> dict:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return {}
    return value if isinstance(value, dict) else json.loads(value)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class PublishError(Exception):
    """A vintage could not be published; the store is unchanged."""
