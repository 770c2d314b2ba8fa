"""Context series for the displacement check: "fewer homicides" is never read alone.

A death that stops counting as homicidio doloso can be recorded as homicidio culposo or as another
crime against life. An indicator names such series in the registry (``Indicator.context``); here
they are read over the months a view or a verdict covers and their change is given in numbers
(first and last month with data, and the relative change). They are shown and noted, never used to
decide a verdict.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy.engine import Engine

from indicators.registry import Indicator, get_indicator
from indicators.series import NotAvailable, read_series, sources_read


def sources(spec: Indicator) -> tuple[str, ...]:
    """The sources the context series read (a cached verdict keys on them too)."""
    return tuple(dict.fromkeys(source for cid in spec.context for source in sources_read(get_indicator(cid))))


def changes(engine: Engine, spec: Indicator, geo: str | None, start: dt.date | None, end: dt.date | None,
            as_of: dt.date | None = None, read=None) -> list[dict]:
    """Each context series with data in ``start``..``end``: its months and values, the first and
    last month with a value and the change between them (None from zero). Series with no data for
    those months are left out. ``read(context, geo)``, when given, reads a context series over
    those months instead of :func:`read_series` (the explorer's reads, cached)."""
    out = []
    for context_id in spec.context:
        context = get_indicator(context_id)
        try:
            if read is not None:
                frame = read(context, geo or context.default_geo)
            else:
                frame = read_series(engine, context, geo or context.default_geo, start=start, end=end, as_of=as_of)
        except NotAvailable:
            continue
        frame = frame[frame["value"].notna()]
        if frame.empty:
            continue
        months = [(f"{pd.Timestamp(p):%Y-%m}", float(v)) for p, v in zip(frame["period"], frame["value"], strict=True)]
        first, last = months[0][1], months[-1][1]
        out.append({"id": context_id, "first": months[0][0], "last": months[-1][0], "from": first, "to": last,
                    "change": (last / first - 1) if first else None, "months": months})
    return out


def note(engine: Engine, spec: Indicator, geo: str | None, start: dt.date | None, end: dt.date | None,
         as_of: dt.date | None = None) -> dict | None:
    """The verdict's note code: the context series' change over the months it covers, or that none
    is loaded for them. None for an indicator without context series."""
    if not spec.context:
        return None
    found = changes(engine, spec, geo, start, end, as_of)
    if not found:
        return {"code": "displacement_unavailable", "first": f"{start:%Y-%m}" if start else "",
                "last": f"{end:%Y-%m}" if end else ""}
    return {"code": "displacement", "first": min(f["first"] for f in found), "last": max(f["last"] for f in found),
            "series": [{k: f[k] for k in ("id", "from", "to", "change")} for f in found]}
