"""The dashboard's work run from the command line (``python -m etl brief``): it builds the app on
the store given, so it sits above the app factory, apart from the modules the app serves."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from dashboard.app_factory import create_app
from dashboard.brief import MAX_CHARTS, BriefUnavailable, brief_pdf

log = logging.getLogger(__name__)


def write_brief(database_url: str | None, as_of: dt.date, lang: str, out: Path, paper: str = "a4",
                charts: int = MAX_CHARTS) -> Path:
    """``python -m etl brief``: the pack for ``as_of`` written to ``out`` (past scorecards it needs
    are computed here, not left to a background thread)."""
    if as_of > dt.date.today():
        raise BriefUnavailable(f"--as-of {as_of} is after today: a pack shows what was known on a day that has come")
    app = create_app(database_url)
    with app.server.test_request_context("/"):
        pdf = brief_pdf(as_of, lang, paper, wait=True, charts=charts)
    out.write_bytes(pdf)
    log.info("briefing pack as known on %s (%s, %s): %s, %d bytes", as_of, lang, paper, out, len(pdf))
    return out
