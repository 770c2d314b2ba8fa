"""Static figure export (PNG, SVG, PDF) with kaleido and the system Chromium, citation included.

One kaleido sync server (one Chromium) is started on first use and reused for every image; its
task queue is not safe for concurrent callers, so calls are serialised with a lock.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import textwrap
import threading

import kaleido
import plotly.graph_objects as go

import settings
from dashboard.i18n import pick, t
from indicators.registry import Indicator

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
WIDTH, HEIGHT = 1200, 720
_lock = threading.Lock()


class ExportUnavailable(RuntimeError):
    """No Chromium for kaleido on this machine."""


def _ensure_server() -> None:
    if not settings.get().browser_path:
        found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if found is None:
            raise ExportUnavailable("static export needs Chromium: install it or set BROWSER_PATH")
        os.environ["BROWSER_PATH"] = found  # where kaleido looks for it
    kaleido.start_sync_server(n=1, timeout=90, silence_warnings=True)


def citation_lines(spec: Indicator, source: dict | None, vintages: list[dict], lang: str,
                   permalink: str) -> list[str]:
    source = source or {}
    used = "; ".join(f"#{v.get('id', '?')} {v['file_name']} ({t('published', lang)} "
                     f"{'~' if v.get('estimated') else ''}{v['published_on']}, sha256 {v.get('sha256', '')[:12]})"
                     for v in vintages)
    lines = [
        f"{t('source', lang)}: {source.get('citation', spec.source_id)}",
        f"{t('vintage', lang)}: {used or '—'}",
        f"Verifica, {dt.date.today().isoformat()}: {permalink}",
    ]
    wrapped = []
    for line in lines:
        wrapped.extend(textwrap.wrap(line, 170))
    return wrapped


def with_citation(figure: go.Figure, lines: list[str], caveat: str) -> go.Figure:
    """A copy of the figure sized for a report, with the citation and vintage under the plot."""
    out = go.Figure(figure)
    footer = [*lines, *textwrap.wrap(caveat, 170)] if caveat else lines
    out.add_annotation(
        text="<br>".join(footer), xref="paper", yref="paper", x=0, y=-0.08, xanchor="left", yanchor="top",
        showarrow=False, align="left", font={"size": 10, "color": "#57606a"},
    )
    # Legend above the plot, citation below it: neither may cover the other in a printed report.
    out.update_layout(width=WIDTH, height=HEIGHT, margin={"t": 120, "b": 60 + 14 * len(footer)},
                      legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
                      title={"y": 0.97})
    return out


def render(figure: go.Figure, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    with _lock:
        _ensure_server()
        return kaleido.calc_fig_sync(figure, opts={"format": fmt, "width": WIDTH, "height": HEIGHT})


def export_figure(spec: Indicator, figure: go.Figure, *, fmt: str, lang: str,
                  source: dict | None, vintages: list[dict], permalink: str) -> bytes:
    lines = citation_lines(spec, source, vintages, lang, permalink)
    return render(with_citation(figure, lines, pick(spec.caveats, lang)), fmt)
