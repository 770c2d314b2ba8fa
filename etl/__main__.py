"""Command line for the ETL: build, snapshot, import, refresh, status.

    python -m etl build --raw-dir DIR      all sources from raw files
    python -m etl snapshot                 write data/snapshot/ from the store
    python -m etl import SOURCE FILE       one downloaded file as a new vintage
    python -m etl refresh [SOURCE ...]     fetch the newest release from the publisher
    python -m etl prepare                  schema, snapshot, timeline and derived results (ready to serve)
    python -m etl status                   sources, vintages, coverage, last runs
    python -m etl migrate                  run pending schema migrations in place
    python -m etl withdraw VINTAGE --reason TEXT
                                           withdraw a published vintage (kept, never deleted)
    python -m etl restore VINTAGE --reason TEXT
                                           serve a withdrawn vintage again (recorded like a withdrawal)

``--database-url URL`` may come before or after the command.

Every command first runs pending schema migrations (an existing store is upgraded, never rebuilt).

Bad input prints one line ``error: ...`` and exits with status 2; the store is unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import logging
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

import catalogues
import settings
from etl import pipeline, snapshot
from etl.common import SanityError, load_origin
from etl.sources import SOURCES, live_sources
from etl.store import (
    PublishError,
    database_url,
    failing_sources,
    head_revision,
    init_schema,
    list_sources,
    list_vintages,
    make_engine,
    migrate,
    overdue_sources,
    recent_runs,
    restore,
    timeline_event_count,
    withdraw,
    withdrawal_history,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.split("\n")[0])
    url_help = "SQLAlchemy URL (default: DATABASE_URL or data/verifica.db)"
    parser.add_argument("--database-url", help=url_help)
    # Accepted after the command too; there it overrides one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=argparse.SUPPRESS, help=url_help)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    build = command("build", help="load every raw file of every source")
    build.add_argument("--raw-dir", type=Path, required=True)
    build.add_argument("--source", action="append", choices=sorted(SOURCES),
                       help="only this source (repeatable)")

    snap = command("snapshot", help="write the committed snapshot from the store")
    snap.add_argument("--out", type=Path, default=snapshot.SNAPSHOT_DIR)

    imp = command("import", help="load one downloaded file as a new vintage")
    imp.add_argument("source", choices=sorted(SOURCES))
    imp.add_argument("file", type=Path)
    imp.add_argument("--published-on", type=dt.date.fromisoformat,
                     help="the publisher's release date (YYYY-MM-DD), if known")
    imp.add_argument("--accept-revisions", action="store_true",
                     help="publish revised or missing cells of completed months after reviewing them")
    imp.add_argument("--accept-anomalies", action="store_true",
                     help="publish new or provisional months out of line with their history after reviewing them")

    ref = command("refresh", help="fetch and publish the newest release of live sources")
    ref.add_argument("sources", nargs="*",
                     metavar="SOURCE", help=f"default: all of {', '.join(live_sources())}")
    ref.add_argument("--accept-revisions", action="store_true",
                     help="publish revised or missing cells of completed months after reviewing them")
    ref.add_argument("--accept-anomalies", action="store_true",
                     help="publish new or provisional months out of line with their history after reviewing them")

    command("prepare", help="make a store ready to serve: schema, the committed snapshot, the timeline and "
                            "the derived results (what the app's own first start does)")
    command("status", help="sources, vintages, coverage and recent runs")
    brief = command("brief", help="the briefing pack for a meeting: one PDF as known on a date")
    brief.add_argument("--as-of", type=dt.date.fromisoformat, required=True, help="YYYY-MM-DD")
    brief.add_argument("--lang", choices=catalogues.languages(), default=catalogues.DEFAULT)
    brief.add_argument("--paper", choices=("a4", "letter"), default="a4")
    brief.add_argument("--out", type=Path, required=True, help="the PDF to write")
    brief.add_argument("--charts", type=int, default=6, help="how many key charts (default 6, newest tested first)")
    command("migrate", help="run pending schema migrations (in place)")

    wd = command("withdraw", help="withdraw a published vintage (kept; as_of views before today still use it)")
    wd.add_argument("vintage", type=int, metavar="VINTAGE", help="the vintage id (python -m etl status lists them)")
    wd.add_argument("--reason", required=True, help="why, as it will be shown to users")
    wd.add_argument("--on", type=dt.date.fromisoformat, help="withdrawal date (YYYY-MM-DD; default today)")

    rs = command("restore", help="serve a withdrawn vintage again (views as known while it was withdrawn "
                                 "still leave it out)")
    rs.add_argument("vintage", type=int, metavar="VINTAGE", help="the vintage id (python -m etl status lists them)")
    rs.add_argument("--reason", required=True, help="why, as it will be shown to users")
    rs.add_argument("--on", type=dt.date.fromisoformat, help="restoration date (YYYY-MM-DD; default today)")
    return parser


def _one_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _status(engine) -> int:
    """Print the store's state; 1 when a source's last run failed or a live source is overdue
    (a health check can run it), else 0."""
    init_schema(engine)
    print(f"store: {engine.url.render_as_string(hide_password=True)} (schema {head_revision()})")
    sources = {s.id: s for s in list_sources(engine)}
    history = withdrawal_history(engine)
    for source_id in sorted(SOURCES):
        title = sources[source_id].title if source_id in sources else "(not loaded)"
        print(f"\n{source_id}: {title}")
        closed = load_origin(source_id).get("closed")
        if closed:  # a series the publisher closed: said, so its silence is never read as a late release
            why = " ".join(closed["why"].split())
            print(f"  CLOSED at {closed['through']} (carried on by {closed['successor']}): {why}")
        vintages = list_vintages(engine, source_id)
        if not vintages:
            print("  no vintages")
        for v in vintages:
            print(f"  #{v.id:<3} {v.file_name}  published {v.published_on} ({v.published_on_basis})"
                  f"\n       covers {v.period_start:%Y-%m}..{v.period_end:%Y-%m}, {v.row_count} rows,"
                  f" sha256 {v.sha256[:16]}")
            for w in (w for w in history if w.vintage_id == v.id and w.restored_on):
                print(f"       withdrawn on {w.withdrawn_on} ({w.reason}), restored on {w.restored_on}: "
                      f"{w.restore_reason}")
            if v.withdrawn_on:
                print(f"       WITHDRAWN on {v.withdrawn_on}: {v.withdrawn_reason}")
    print("\nrecent runs:")
    for run in recent_runs(engine, limit=10):
        print(f"  {run.started_at:%Y-%m-%d %H:%M} {run.kind:<8} {run.source_id or '-':<18} "
              f"{run.outcome:<9} {run.message}")
    failing = failing_sources(engine)
    for run in failing:
        print(f"\nWARNING: last {run.kind} of {run.source_id} failed at {run.started_at:%Y-%m-%d %H:%M}: "
              f"{run.message} (the previous data is still served)")
    overdue = overdue_sources(engine)
    for source_id, expected in overdue:
        print(f"\nWARNING: {source_id} is overdue: a release with newer data was due by {expected}")
    empty = not list_vintages(engine)
    if empty:
        print("\nWARNING: the store holds no data: prepare it (python -m etl build, or start the app once)")
    events = timeline_event_count(engine)
    if not events:
        print("\nWARNING: the store holds no timeline events: prepare it (python -m etl build, or start the app once)")
    return 1 if failing or overdue or empty or not events else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings.configure_logging()
        engine = make_engine(args.database_url or database_url(), create=args.command != "status")
    except (settings.SettingsError, SQLAlchemyError, PublishError) as exc:  # a bad setting or URL
        print(f"error: {_one_line(str(exc))}", file=sys.stderr)
        return 1 if args.command == "status" else 2
    try:
        if args.command == "build":
            runs = pipeline.build(engine, args.raw_dir, sources=args.source,
                                  progress=sys.stderr.isatty())
            new = sum(r.outcome == "ok" for r in runs)
            print(f"built: {new} new vintage(s), {len(runs) - new} unchanged")
            pipeline.after_publish(engine)
        elif args.command == "snapshot":
            manifest = snapshot.write(engine, args.out)
            print(f"snapshot: {len(manifest['vintages'])} vintage(s) written to {args.out}")
        elif args.command == "import":
            run = pipeline.import_file(engine, args.source, args.file, args.published_on,
                                       accept_revisions=args.accept_revisions,
                                       accept_anomalies=args.accept_anomalies)
            print(f"{run.outcome}: {run.message}", flush=True)
            # Also when unchanged: the steps are idempotent, and a run killed after its publish
            # left them undone.
            pipeline.after_publish(engine)
        elif args.command == "refresh":
            failed = published = 0
            init_schema(engine)  # once for every source
            for source_id in args.sources or live_sources():
                try:
                    run = pipeline.refresh(engine, source_id, accept_revisions=args.accept_revisions,
                                           accept_anomalies=args.accept_anomalies, schema_ready=True)
                    published += run.outcome == "ok"
                    print(f"{source_id}: {run.outcome}: {run.message}")
                except PublishError as exc:
                    failed += 1
                    print(f"error: {source_id}: {_one_line(str(exc))}", file=sys.stderr)
                except Exception as exc:  # one source never stops the others
                    failed += 1
                    logging.getLogger("etl").debug("refresh of %s failed", source_id, exc_info=True)
                    message = f"unexpected error: {type(exc).__name__}: {_one_line(str(exc)) or '-'}"
                    pipeline.record_failure(engine, source_id, "refresh", message)
                    print(f"error: {source_id}: {message}", file=sys.stderr)
            if published or failed < len(args.sources or live_sources()):
                pipeline.after_publish(engine)  # idempotent: also completes a run killed after its publish
            return 2 if failed else 0
        elif args.command == "prepare":
            pipeline.ensure_store(engine, then=pipeline.after_publish_unlocked)
            print(f"prepared: {len(list_vintages(engine))} vintage(s), {timeline_event_count(engine)} timeline "
                  "event(s), derived results stored")
        elif args.command == "status":
            return _status(engine)
        elif args.command == "brief":
            # The pack is drawn by the dashboard (its words, figures and exports); ETL only offers the
            # command, named at run time as the after-publish hooks are (ETL imports no layer above it).
            writer = importlib.import_module("dashboard.commands")
            try:
                out = writer.write_brief(engine.url.render_as_string(hide_password=False), args.as_of, args.lang,
                                         args.out, args.paper, args.charts)
            except RuntimeError as exc:  # no font or no Chromium here, said in one line
                print(f"error: {_one_line(str(exc))}", file=sys.stderr)
                return 2
            print(f"brief: {out} ({args.lang}, {args.paper}, as known on {args.as_of})")
        elif args.command in ("withdraw", "restore"):
            with pipeline.prepare_lock(engine):
                init_schema(engine)
                run = (withdraw if args.command == "withdraw" else restore)(engine, args.vintage, args.reason, args.on)
            print(f"{run.outcome}: {run.message}", flush=True)
            print("recomputing the derived results (scorecard, maps)...", file=sys.stderr, flush=True)
            pipeline.after_publish(engine)
        elif args.command == "migrate":
            with pipeline.prepare_lock(engine):
                before, after = migrate(engine)
            print(f"schema: {before or 'empty'} -> {after}" if before != after
                  else f"schema: already at {after} (newest {head_revision()})")
    except (SanityError, PublishError, KeyError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {_one_line(str(message))}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        # The database's own first line (locked, unreachable, refused), never the SQL or parameters.
        detail = str(getattr(exc, "orig", None) or exc.__class__.__name__)
        where = engine.url.render_as_string(hide_password=True)
        print(f"error: database {where}: {_one_line(detail)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
