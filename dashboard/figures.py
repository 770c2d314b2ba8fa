"""Plotly figures: an indicator's series with the commitments timeline drawn over it."""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap

import pandas as pd
from babel.dates import format_date

from dashboard.i18n import flag_text, pick, t
from indicators.explain import date_locale, number, separators
from indicators.registry import Indicator

EVENT_COLOURS = {
    "meeting": "#1f6feb",
    "statement": "#8250df",
    "commitment": "#bf3989",
    "action": "#bc4c00",
    "measurement_change": "#6e7781",
}
SERIES_COLOURS = ["#0b3d91", "#d1495b", "#00798c", "#edae49", "#66a182", "#8d6a9f",
                  "#2e4057", "#c17c74", "#5b8e7d", "#a44a3f"]


def short_date(day: dt.date, lang: str) -> str:
    """"23 Jan 26" / "23 ene 26": the CLDR month names of the language (Babel)."""
    return format_date(day, "dd MMM yy", locale=date_locale(lang))


# A number and what follows it ("692 lbs", "95 %", "+5.2 %") stay on one line when text wraps.
_KEEP_TOGETHER = re.compile(r"(?<=\d) (?=[^\s\d—–-])|(?<=[−+±]) (?=\d)")


def keep_numbers_whole(text: str) -> str:
    return _KEEP_TOGETHER.sub("\u00a0", text)


def wrap(text: str, width: int = 70) -> str:
    return "<br>".join(wrap_lines(text, width)) if text else ""


def wrap_lines(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, never breaking between a number and its unit."""
    return textwrap.wrap(keep_numbers_whole(text), width) if text else []


def event_hover(event: dict, lang: str) -> str:
    lines = [f"<b>{wrap(pick(event['title'], lang))}</b>", f"{event['date']} · {t('type_' + event['type'], lang)}"]
    if event.get("status") == "announced_not_confirmed":
        lines.append(f"<i>{t('unconfirmed', lang)}</i>")
    lines.append(wrap(pick(event["summary"], lang)))
    for item in event.get("commitments", [])[:3]:
        lines.append("• " + wrap(pick(item, lang)))
    if event.get("sources"):
        lines.append(f"{t('source', lang)}: {event['sources'][0]}")
    return "<br>".join(lines)


def series_figure(
    spec: Indicator,
    frame: pd.DataFrame,
    events: list[dict],
    *,
    lang: str = "en",
    geo_label: str = "",
    unit: str | None = None,
) -> dict:
    """The chart as plotly's JSON, built as plain dicts: ``{"data": [...], "layout": {...}}``,
    handed to the browser's ``dcc.Graph`` as it is. ``go.Figure`` checks every property of every
    trace and shape when built, most of a new view's time; an export converts the dict then
    (``go.Figure(figure)``), and the tests do so too, which checks every property once."""
    figure = {"data": [], "layout": {}}
    traces = figure["data"]
    unit = unit or pick(spec.unit, lang)
    if spec.semantics == "annual":
        _draw_figures(figure, spec, frame, lang)
        groups = []
    elif spec.breakdown:
        groups = [(pick(spec.value_labels.get(str(value)), lang) or value, rows)
                  for value, rows in frame.groupby(spec.breakdown, sort=True)]
    else:
        # The title names the series; a compared place's line is named by its place, so this one is too.
        groups = [(t("reported", lang) if spec.has_predicted or not geo_label else geo_label, frame)]
    for index, (label, rows) in enumerate(groups):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        flags = [flag_text(f, lang) for f in rows["flags"]]
        traces.append({
            "type": "scatter", "x": days(rows["period"]), "y": values(rows["value"]), "name": str(label),
            "mode": "lines", "line": {"color": colour, "width": 2},
            "customdata": [list(pair) for pair in zip(flags, values(rows["vintage"]), strict=True)],
            "hovertemplate": f"%{{x|%Y-%m}}: %{{y:,.1f}} {unit}<br>%{{customdata[0]}}"
                             f"<br>%{{customdata[1]}}<extra>{label}</extra>",
        })
        provisional = rows[rows["flags"].str.contains("provisional|underreported", na=False)]
        if not spec.has_predicted and not provisional.empty:
            traces.append({
                "type": "scatter", "x": days(provisional["period"]), "y": values(provisional["value"]),
                "mode": "markers", "marker": {"symbol": "circle-open", "size": 7, "color": colour},
                "name": t("provisional", lang), "showlegend": index == 0,  # one entry: open circles
                "legendgroup": "provisional", "hoverinfo": "skip",
            })
    if spec.has_predicted and "value_predicted" in frame and frame["value_predicted"].notna().any():
        traces.append({
            "type": "scatter", "x": days(frame["period"]), "y": values(frame["value_predicted"]),
            "name": t("predicted", lang), "mode": "lines",
            "line": {"color": SERIES_COLOURS[1], "dash": "dot", "width": 2},
            "hovertemplate": f"%{{x|%Y-%m}}: %{{y:,.0f}} {unit}<extra>{t('predicted', lang)}</extra>",
        })

    _draw_events(figure, events, lang)
    title = pick(spec.name, lang) + (f" — {geo_label}" if geo_label else "")
    figure["layout"].update({
        "title": {"text": title, "x": 0.01},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "xaxis": {},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15},
        "margin": {"l": 70, "r": 20, "t": 60, "b": 40},
        "template": white_template(),
        "height": 560,
        "separators": separators(lang),  # the numbers on the axes as in the text (CLDR)
    })
    return figure


@functools.cache
def white_template() -> dict:
    """plotly's "plotly_white" template as JSON: the browser's plotly.js knows no template by
    name, so the figure carries it (as ``go.Figure(template="plotly_white")`` did)."""
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def days(column) -> list:
    """Dates as plotly takes them ("2024-01-01"; a missing one None)."""
    stamps = pd.to_datetime(pd.Series(column), errors="coerce")
    return [None if pd.isna(day) else day.strftime("%Y-%m-%d") for day in stamps]


def values(column) -> list:
    """Numbers and labels as JSON takes them (a missing value None)."""
    return [None if _missing(value) else (value.item() if hasattr(value, "item") else value)
            for value in column]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT or value is pd.NA


def update_layout(figure: dict, **changes) -> None:
    """``go.Figure.update_layout`` on a dict figure: objects are merged into the ones there, and a
    property given None is removed (plotly's default again)."""
    _merge(figure.setdefault("layout", {}), changes)


def _merge(target: dict, changes: dict) -> None:
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


CONFIDENCE_DASH = {"high": "solid", "medium": "dash", "low": "dot"}


def _draw_figures(figure: dict, spec: Indicator, frame: pd.DataFrame, lang: str) -> None:
    """Figures for a year or a window of years as horizontal spans over the years they cover
    (a six-year total is drawn over six years, at its own height: never spread into years), one
    trace per confidence level (solid high, dashed medium, dotted low)."""
    unit = pick(spec.unit, lang)
    for confidence, rows in frame.groupby("confidence", sort=False):
        xs, ys, texts = [], [], []
        for row in rows.itertuples(index=False):
            start, end = row.period, pd.Timestamp(int(row.end_year), 12, 31)
            text = (f"<b>{row.window}</b>: {number(row.value, lang)} {unit}<br>{t('confidence', lang)}: "
                    f"{t('confidence_' + confidence, lang)}<br>{row.citation}")
            xs += [start, end, None]
            ys += [row.value, row.value, None]
            texts += [text, text, None]
        figure["data"].append({
            "type": "scatter", "x": days(xs), "y": values(ys), "mode": "lines+markers",
            "name": f"{t('confidence', lang)}: {t('confidence_' + confidence, lang)}",
            "line": {"color": SERIES_COLOURS[0], "width": 3, "dash": CONFIDENCE_DASH.get(confidence, "solid")},
            "marker": {"size": 6}, "hovertext": texts, "hoverinfo": "text",
        })


SCREEN_PLOT_PX = 1000  # the explorer's plot width on a desktop screen, for placing event labels
LABEL_ROWS = 3  # event labels stack at most this deep under the top edge; the rest stay unlabelled


def label_width(text: str, font_px: float) -> float:
    """A generous estimate of a short label's width (digits and lower case in the plot's sans font)."""
    return len(text) * font_px * 0.62 + 6


def place_labels(items: list[tuple[float, float]], plot_px: float, rows: int = LABEL_ROWS) -> list[int | None]:
    """Rows for centred labels so that none overlaps another: ``items`` are (position as a fraction
    of the axis, width in px) in priority order; each goes to the first row where it clears every
    label already there, or gets ``None`` (drawn without a label) when no row has room."""
    placed: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    out: list[int | None] = []
    for position, width in items:
        centre = clamp(position * plot_px, width, plot_px)
        for row, taken in enumerate(placed):
            if all(abs(centre - other) >= (width + other_width) / 2 + 4 for other, other_width in taken):
                taken.append((centre, width))
                out.append(row)
                break
        else:
            out.append(None)
    return out


def clamp(centre: float, width: float, plot_px: float) -> float:
    """A label's centre moved so that the whole label stays inside the plot."""
    return min(max(centre, width / 2), max(plot_px - width / 2, width / 2))


def axis_fraction(day: str, first: pd.Timestamp, last: pd.Timestamp) -> float:
    span = (last - first).total_seconds() or 1.0
    return (pd.Timestamp(day) - first).total_seconds() / span


def event_labels(events: list[dict], labelled: set[str], first: pd.Timestamp, last: pd.Timestamp,
                 plot_px: float, lang: str, *, font_px: float = 10, tested: str | None = None) -> list[dict]:
    """Date labels under the top edge for the labelled events (the tested one first, then the newest),
    staggered so that no two overlap; an event with no room keeps its line and hover marker."""
    chosen = [e for e in events if e["id"] in labelled]
    chosen.sort(key=lambda e: (e["id"] != tested, -dt.date.fromisoformat(str(e["date"])).toordinal()))
    texts = [short_date(dt.date.fromisoformat(str(e["date"])), lang) for e in chosen]
    items = [(axis_fraction(str(e["date"]), first, last), label_width(text, font_px))
             for e, text in zip(chosen, texts, strict=True)]
    rows = place_labels(items, plot_px)
    labels = []
    for event, text, row, (position, width) in zip(chosen, texts, rows, items, strict=True):
        if row is None:
            continue
        bold = event["id"] == tested
        labels.append({
            "x": str(event["date"]), "y": 1.0, "yref": "paper", "text": f"<b>{text}</b>" if bold else text,
            "showarrow": False, "xanchor": "center", "yanchor": "top", "yshift": -14 - row * (font_px + 5),
            "xshift": clamp(position * plot_px, width, plot_px) - position * plot_px,
            "font": {"size": font_px, "color": EVENT_COLOURS[event["type"]]}, "bgcolor": "rgba(255,255,255,0.85)",
            "borderpad": 1, "name": f"event-label:{event['id']}",
        })
    return labels


def labelled_events(events: list[dict], indicator: str | None, tested: str | None = None) -> set[str]:
    """The events that get a label: those linked to the indicator and the tested one; the others
    keep their line and hover marker."""
    chosen = {e["id"] for e in events if indicator and linked(e, indicator)}
    return chosen | ({tested} if tested else set())


def linked(event: dict, indicator: str) -> bool:
    """The timeline links the event to the indicator."""
    return any(link.get("indicator") == indicator for link in event.get("indicators") or [])


def _parts(figure) -> tuple[list[dict], dict]:
    """The traces and the layout of a figure as plain dicts: a dict figure's own (changed in
    place), or a copy of a ``go.Figure``'s (an export's)."""
    if isinstance(figure, dict):
        return figure.setdefault("data", []), figure.setdefault("layout", {})
    return [trace.to_plotly_json() for trace in figure.data], figure.layout.to_plotly_json()


def x_extent(figure) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The date axis' automatic range: every trace's dates and every shape's (a dict figure or a
    ``go.Figure``)."""
    traces, layout = _parts(figure)
    days = []
    for trace in traces:
        if trace.get("x") is not None:
            days += [x for x in trace["x"] if x is not None and not isinstance(x, (int, float))]
    for shape in layout.get("shapes") or []:
        if shape.get("xref") in (None, "x"):
            days += [shape.get("x0"), shape.get("x1")]
    days = [day for day in days if day is not None]
    if not days:
        return None
    stamps = pd.to_datetime(pd.Series(days).astype(str), format="ISO8601", errors="coerce").dropna()
    return (stamps.min(), stamps.max()) if not stamps.empty else None


def relabel_events(figure, events: list[dict], lang: str, *, indicator: str | None,
                   tested: str | None = None, plot_px: float = SCREEN_PLOT_PX, font_px: float = 10) -> None:
    """Places (again) the event labels of a figure (a dict or a ``go.Figure``) whose traces and
    shapes are all drawn."""
    extent = x_extent(figure)
    _, layout = _parts(figure)
    others = [a for a in layout.get("annotations") or [] if not (a.get("name") or "").startswith("event-label:")]
    labels = [] if extent is None else event_labels(
        events, labelled_events(events, indicator, tested), *extent, plot_px, lang, font_px=font_px, tested=tested)
    if isinstance(figure, dict):
        layout["annotations"] = [*others, *labels]
    else:
        figure.layout.annotations = [*others, *labels]


def _draw_events(figure: dict, events: list[dict], lang: str) -> None:
    """Each event: a dashed vertical line and a hover marker at the top (labels: ``relabel_events``)."""
    by_type: dict[str, list[dict]] = {}
    shapes = []
    for event in events:
        by_type.setdefault(event["type"], []).append(event)
        colour = EVENT_COLOURS[event["type"]]
        unconfirmed = event.get("status") == "announced_not_confirmed"
        shapes.append({
            "type": "line", "x0": _day(event), "x1": _day(event), "yref": "paper", "y0": 0, "y1": 1,
            "line": {"color": colour, "width": 1, "dash": "dot" if unconfirmed else "dash"},
            "opacity": 0.7, "name": f"event:{event['id']}",
        })
    figure["layout"]["shapes"] = shapes
    for event_type, items in by_type.items():
        figure["data"].append({
            "type": "scatter", "x": [_day(item) for item in items], "y": [1.0] * len(items), "yaxis": "y2",
            "mode": "markers", "name": t("type_" + event_type, lang),
            "marker": {"symbol": "triangle-down", "size": 10, "color": EVENT_COLOURS[event_type]},
            "hovertext": [event_hover(item, lang) for item in items], "hoverinfo": "text",
            "customdata": [item["id"] for item in items],
            "meta": "events",
        })
    if by_type:
        figure["layout"]["yaxis2"] = {"overlaying": "y", "range": [0, 1.02], "visible": False, "fixedrange": True}


def _day(event: dict) -> str:
    return event["date"] if isinstance(event["date"], str) else event["date"].isoformat()


# Darkened Okabe-Ito hues (told apart with the common colour-vision deficiencies), each with
# white text at WCAG AA contrast (>= 4.5:1, checked by a test), and a symbol so a verdict reads
# without colour at all (print in black and white, monochrome screens).
VERDICT_COLOURS = {
    "improved": "#00664A",
    "worsened": "#A33C00",
    "changed": "#8A3B6E",
    "too_noisy": "#4A5560",
    "no_change_beyond": "#2F5D7C",
    "began_before": "#6B3FA0",
    "joint": "#00606B",
    "confounded": "#7A2E00",
    "inconclusive": "#6B4E00",
    "not_yet_verifiable": "#0068A3",
    "insufficient_history": "#5C4A7A",
    "descriptive_only": "#3D4852",
    "no_data_after_event": "#555F6B",
    "no_data": "#67707A",
}
# A claim's status: white text at WCAG AA on each (tests/test_accessibility.py), a symbol each.
CLAIM_COLOURS = {"consistent": "#00664A", "inconsistent": "#A33C00", "not_checkable": "#4A5560"}
CLAIM_SYMBOLS = {"consistent": "✓", "inconsistent": "✗", "not_checkable": "?"}
# A commitment's status: white text at WCAG AA on each, a symbol each (tests/test_accessibility.py).
COMMITMENT_COLOURS = {"on_track": "#00664A", "off_track": "#A33C00", "mixed": "#8A3B6E", "no_change": "#00606B",
                      "no_measurable_change": "#2F5D7C", "too_early": "#0068A3", "not_measurable": "#4A5560",
                      "target_undefined": "#6B4E00"}
COMMITMENT_SYMBOLS = {"on_track": "✓", "off_track": "✗", "mixed": "◆", "no_change": "=", "no_measurable_change": "≈",
                      "too_early": "…", "not_measurable": "–", "target_undefined": "?"}
VERDICT_SYMBOLS = {
    "improved": "✓",
    "worsened": "✗",
    "changed": "◆",
    "too_noisy": "≈",
    "no_change_beyond": "=",
    "began_before": "«",
    "joint": "&",
    "confounded": "!",
    "inconclusive": "?",
    "not_yet_verifiable": "…",
    "insufficient_history": "◔",
    "descriptive_only": "○",
    "no_data_after_event": "∅",
    "no_data": "–",
}


def add_line(figure: dict, rows: pd.DataFrame, label: str, index: int, *, right: bool, lang: str) -> None:
    """A compared series: another geography, an earlier vintage, or another indicator on the
    right axis; dashed or dotted so it never reads as the main line."""
    colour = SERIES_COLOURS[(index + 2) % len(SERIES_COLOURS)]
    flags = [flag_text(f, lang) for f in rows["flags"]] if "flags" in rows else [""] * len(rows)
    figure["data"].append({
        "type": "scatter", "x": days(rows["period"]), "y": values(rows["value"]), "name": label, "mode": "lines",
        "line": {"color": colour, "width": 2, "dash": "dot" if right else "dash"},
        "yaxis": "y3" if right else "y", "customdata": [[flag] for flag in flags],
        "hovertemplate": f"%{{x|%Y-%m}}: %{{y:,.1f}}<br>%{{customdata[0]}}<extra>{label}</extra>",
        "meta": "compare",
    })


WINDOW_FILL = {"pre": ("#57606a", 0.16), "post_opacity": 0.2}
# The interval: Okabe-Ito yellow, a hue no verdict, event type or series uses (and never the grey
# of the pre-period shading); tests/test_accessibility.py keeps it apart from them.
BAND_FILL = "rgba(240,228,66,0.45)"
WINDOW_EDGE = "#24292f"


def add_assessment(figure: dict, result, lang: str, band: bool = True, event_id: str | None = None) -> None:
    """The tested event made to stand out (a solid, thick line), the pre-period shaded grey and
    the post window in the verdict's colour, each with solid edges and a label at the top (the
    shading alone is too faint to read in print), and the counterfactual with its band."""
    colour = VERDICT_COLOURS.get(result.verdict, "#6e7781")
    layout = figure["layout"]
    shapes = []
    for shape in layout.get("shapes") or []:
        if event_id and shape.get("name") == f"event:{event_id}":
            shape = {**shape, "line": {**shape["line"], "width": 3, "dash": "solid"}, "opacity": 1.0}
        shapes.append(shape)
    labels = []
    fill, alpha = WINDOW_FILL["pre"]
    windows = []
    if result.pre_start and result.pre_end:
        windows.append(("pre", result.pre_start, result.pre_end, fill, alpha, t("window_pre", lang)))
    if result.post_start:
        windows.append(("post", result.post_start, result.post_end or result.post_start, colour,
                        WINDOW_FILL["post_opacity"], t("window_post", lang)))
    for name, start, end, fill_colour, opacity, label in windows:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": start.isoformat(), "x1": end.isoformat(),
                       "y0": 0, "y1": 1, "fillcolor": fill_colour, "opacity": opacity, "line": {"width": 0},
                       "layer": "below", "name": f"window:{name}"})
        for edge in (start, end):
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": edge.isoformat(), "x1": edge.isoformat(),
                           "y0": 0, "y1": 1, "line": {"color": WINDOW_EDGE, "width": 1}, "opacity": 0.8,
                           "layer": "below", "name": f"window-edge:{name}"})
        # The post window's label ends at its right edge, inside the plot (it sits at the newest months).
        anchor, edge = ("right", end) if name == "post" else ("left", start)
        labels.append({"x": edge.isoformat(), "y": 0.0, "xref": "x", "yref": "paper", "text": label,
                       "showarrow": False, "xanchor": anchor, "yanchor": "bottom", "font": {"size": 10,
                       "color": WINDOW_EDGE}, "name": f"window-label:{name}", "bgcolor": "rgba(255,255,255,0.7)"})
    layout["shapes"] = shapes
    layout["annotations"] = [*(layout.get("annotations") or []), *labels]
    if not band:
        return
    band = result.counterfactual
    if band is None or band.empty:
        return
    label = t("counterfactual", lang)
    # Under the data (first): the series keeps its own colour where the band covers it.
    figure["data"].insert(0, {
        "type": "scatter", "x": days(list(band["period"]) + list(band["period"][::-1])),
        # Counts cannot be negative: the drawn band stops at zero (the numbers are the model's).
        "y": values(list(band["upper"]) + list(band["lower"].clip(lower=0)[::-1])),
        "fill": "toself", "fillcolor": BAND_FILL, "line": {"width": 0}, "mode": "lines", "hoverinfo": "skip",
        "name": f"{label} ({round((1 - result.alpha) * 100)}%)", "meta": "counterfactual-band",
    })
    # Dotted and dark, unlike the dashed event lines and the coloured series.
    figure["data"].append({
        "type": "scatter", "x": days(band["period"]), "y": values(band["expected"]), "mode": "lines",
        "line": {"color": "#24292f", "dash": "dot", "width": 2.5}, "name": label, "meta": "counterfactual",
        "hovertemplate": "%{x|%Y-%m}: %{y:,.1f}<extra>" + label + "</extra>",
    })
