"""Static figure export (PNG, SVG, PDF) with kaleido and the system Chromium, citation included.

One Chromium is started on first use and reused for every image: kaleido's public ``Kaleido``,
opened once and driven from an event loop in a thread of its own, as kaleido's sync server
(``kaleido.start_sync_server``) does. That server is a process-wide singleton with no public way
to replace it while a call hangs; this renderer can be dropped and a new one started (the render
watchdog). Calls are serialised with a lock: one image at a time, as one browser tab draws them.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import io
import json
import logging
import re
import shutil
import textwrap
import threading
import zipfile

import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_date

import settings
from dashboard.figures import relabel_events, wrap_lines, x_extent
from dashboard.i18n import pick, t
from dashboard.queries import inert_frame
from indicators.explain import date_locale
from indicators.registry import Indicator

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
# Report sizes: 16:9 for slides, 4:3 for a page of text.
# 640 px wide prints 12 px text at 9 pt in the 169 mm column of an A4 or US letter page (the briefing pack).
SIZES = {"1200x675": (1200, 675), "800x600": (800, 600), "640x600": (640, 600)}
SIZE_LABELS = {"1200x675": "size_wide", "800x600": "size_page", "640x600": "size_column"}
DEFAULT_SIZE = "1200x675"
_lock = threading.Lock()
log = logging.getLogger(__name__)


class ExportUnavailable(RuntimeError):
    """No Chromium for kaleido on this machine."""


def _browser_path() -> str:
    found = (settings.get().browser_path or shutil.which("chromium") or shutil.which("chromium-browser")
             or shutil.which("google-chrome"))
    if found is None:
        raise ExportUnavailable("static export needs Chromium: install it or set BROWSER_PATH")
    return found


class _Renderer:
    """One Chromium (a ``kaleido.Kaleido``, opened with the first image) and the event loop, in a
    thread of its own, that drives it."""

    def __init__(self, browser_path: str) -> None:
        self._browser_path = browser_path
        self._kaleido = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido-renderer", daemon=True)
        self._thread.start()

    async def _calc(self, figure: go.Figure, opts: dict) -> bytes:
        if self._kaleido is None:
            import kaleido  # loaded with the first image, not at start

            # The watchdog (render) bounds each call; kaleido's own timeout would only duplicate it.
            browser = kaleido.Kaleido(n=1, timeout=None, path=self._browser_path)
            await browser.open()
            self._kaleido = browser
        return await self._kaleido.calc_fig(figure, opts=opts)

    def calc(self, figure: go.Figure, opts: dict, timeout: float) -> bytes:
        """The image, or ``TimeoutError`` (the call cancelled) when none came within ``timeout`` s."""
        future = asyncio.run_coroutine_threadsafe(self._calc(figure, opts), self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def close(self, wait: float) -> None:
        """Close the browser (waiting at most ``wait`` seconds for it) and stop the loop."""
        async def shut() -> None:
            if self._kaleido is not None:
                await self._kaleido.close()

        try:
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(wait)
        except Exception as exc:  # a browser that does not answer is left to the OS
            log.warning("the image renderer's browser did not close (%s: %s)", type(exc).__name__, exc)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)


_renderer: _Renderer | None = None
CLOSE_WAIT = 10.0  # seconds a renderer's browser is given to close


def renderer_running() -> bool:
    """Whether this process has started an image renderer (a Chromium)."""
    return _renderer is not None


def forget_renderer() -> None:
    """Drop the image renderer (its browser closed in the background): the next image starts a new one."""
    global _renderer
    old, _renderer = _renderer, None
    if old is not None:
        threading.Thread(target=old.close, args=(CLOSE_WAIT,), name="kaleido-close", daemon=True).start()


def _close_at_exit() -> None:
    if _renderer is not None:
        _renderer.close(CLOSE_WAIT)


atexit.register(_close_at_exit)


def citation_lines(spec: Indicator, source: dict | None, vintages: list[dict], lang: str,
                   permalink: str, also: list[dict] | tuple = ()) -> list[str]:
    """Source(s), vintages and the dated address. ``also``: the other sources the view draws on (a
    compared indicator's, the population a rate divides by), cited after the main one."""
    source = source or {}
    used = "; ".join(f"#{v.get('id', '?')} {v['file_name']} ({t('published', lang)} "
                     f"{'~' if v.get('estimated') else ''}{v['published_on']}, sha256 {v.get('sha256', '')[:12]})"
                     for v in vintages)
    lines = [
        *[f"{t('source', lang)}: {card.get('citation', card.get('id', spec.source_id))}"
          for card in [source, *also] if card],
        f"{t('vintage', lang)}: {used or '—'}",
        f"Verifica, {dt.date.today().isoformat()}: {permalink}",
    ]
    return lines


REPORT_FONT = 12  # px; 9 pt when printed at the image's size (96 px to the inch): the smallest text
TITLE_FONT, SUBTITLE_FONT = 18, 13
CHAR_EM = 0.48  # a generous average character width, in ems, for wrapping lines to the image
PAD = 12


MIN_PLOT_PX = 150  # the least plot height a report image is drawn with


def footer_lines(line: str, chars: int) -> list[str]:
    """A citation line wrapped verbatim (ids, file names) at its spaces; an address only after its
    ``?`` or an ``&``, never inside a parameter, so each printed piece is whole. The words after an
    address wrap as words (an address ends at the first space)."""
    if "://" not in line:
        return textwrap.wrap(line, chars, break_on_hyphens=False)
    out, current = [], ""
    for word in line.split():
        # An address may break after ? or &; a word only before it (joined to the line by a space).
        pieces = re.split(r"(?<=[?&])", word) if "://" in word else [word]
        for i, piece in enumerate(pieces):
            glue = "" if i or not current else " "
            if current and len(current) + len(glue) + len(piece) > chars:
                out.append(current)
                current, glue = "", ""
            current += glue + piece
    return [*out, current] if current else out


def _chars(width_px: float, font_px: float) -> int:
    return max(20, int(width_px / (font_px * CHAR_EM)))


def _legend_rows(figure: go.Figure, width_px: float) -> int:
    """How many rows the horizontal legend takes (plotly wraps its entries to the width)."""
    rows, used = 0, width_px
    for trace in figure.data:
        if trace.showlegend is False or not trace.name:
            continue
        entry = 46 + len(trace.name) * REPORT_FONT * CHAR_EM
        if used + entry > width_px:
            rows, used = rows + 1, 0
        used += entry
    return rows


def with_citation(figure: go.Figure, lines: list[str], caveat: str, size: str = DEFAULT_SIZE,
                  lang: str = "en", *, events: list[dict] | None = None, indicator: str | None = None,
                  tested: str | None = None) -> go.Figure:
    """A copy of the figure laid out for a report at ``size``: title, result and legend above the
    plot and the citation under it, each in a band of the image reserved for it (computed in
    pixels, so nothing prints over anything else), every text at least 12 px, and the event
    labels placed again for the plot's real width."""
    out = go.Figure(figure)
    width, height = SIZES[size]
    meta = dict(figure.layout.meta or {}) if isinstance(figure.layout.meta, dict) else {}
    title = meta.get("title") or (figure.layout.title.text or "").split("<br>")[0]
    title_lines = wrap_lines(title, _chars(width - 2 * PAD, TITLE_FONT))
    sub_lines = [part for line in meta.get("subtitle", []) for part in wrap_lines(line, _chars(width - 2 * PAD,
                                                                                               SUBTITLE_FONT))]
    chars = _chars(width - 2 * PAD, REPORT_FONT)
    footer = [part for line in lines for part in footer_lines(line, chars)]
    caveat_lines = wrap_lines(caveat, chars)
    right = 80 if getattr(figure.layout, "yaxis3", None) and figure.layout.yaxis3.overlaying else 24
    left = 76
    legend_rows = _legend_rows(out, width - 2 * PAD)
    title_h = PAD + len(title_lines) * (TITLE_FONT + 6) + len(sub_lines) * (SUBTITLE_FONT + 5) + 6
    legend_h = legend_rows * (REPORT_FONT + 10)
    top = title_h + legend_h + 10
    axis_h = 2 * REPORT_FONT + 22  # the date ticks

    def plot_height(footer: list[str]) -> tuple[int, int]:
        footer_h = len(footer) * (REPORT_FONT + 4) + PAD
        return height - top - axis_h - footer_h, footer_h

    # The caveat is printed when the plot keeps a readable height with it (it is in every
    # download's metadata and on the page either way).
    if plot_height([*footer, *caveat_lines])[0] >= MIN_PLOT_PX:
        footer = [*footer, *caveat_lines]
    plot_h, footer_h = plot_height(footer)
    if plot_h < MIN_PLOT_PX:
        raise ValueError(f"the citation leaves {plot_h} px for the plot at {size}: choose the larger size")
    bottom = axis_h + footer_h

    def y_at(pixels_from_top: float) -> float:  # a height in the image, in the plot's paper units
        return 1 + (top - pixels_from_top) / plot_h

    edge = -left / (width - left - right)  # the image's left edge, in the plot's paper units

    def block(lines: list[str], pixels_from_top: float, size: int, colour: str, name: str) -> dict:
        """Lines of text in their band, from the image's left edge."""
        return {"text": "<br>".join(lines), "xref": "paper", "yref": "paper", "x": edge, "y": y_at(pixels_from_top),
                "xanchor": "left", "yanchor": "top", "showarrow": False, "align": "left",
                "font": {"size": size, "color": colour}, "name": name}

    annotations = [a.to_plotly_json() for a in out.layout.annotations or []]
    for annotation in annotations:  # the plot's own labels at the report's smallest size
        font = annotation.get("font") or {}
        annotation["font"] = {**font, "size": max(font.get("size") or REPORT_FONT, REPORT_FONT)}
    annotations += [
        block([f"<b>{line}</b>" for line in title_lines], PAD, TITLE_FONT, "#24292f", "report-title"),
        block(sub_lines, PAD + len(title_lines) * (TITLE_FONT + 6) + 2, SUBTITLE_FONT, "#24292f", "report-subtitle")
        if sub_lines else None,
        block(footer, height - footer_h + 4, REPORT_FONT, "#57606a", "report-citation"),
    ]
    out.layout.annotations = [a for a in annotations if a]
    out.update_layout(
        width=width, height=height, title={"text": ""}, font={"size": REPORT_FONT},
        margin={"t": top, "b": bottom, "l": left, "r": right, "pad": 0, "autoexpand": False},
        legend={"orientation": "h", "x": edge + PAD / (width - left - right),
                "xanchor": "left", "y": y_at(title_h), "yanchor": "top", "font": {"size": REPORT_FONT}},
        # Dates a little lower than plotly's default: the first one never touches the "0" beside it.
        xaxis={"tickfont": {"size": REPORT_FONT}, "automargin": False, "ticklabelstandoff": 8},
        yaxis={"tickfont": {"size": REPORT_FONT}, "automargin": False, "title": {"font": {"size": REPORT_FONT}}},
    )
    extent = x_extent(out)
    if extent is not None:  # the range the labels are placed on is the range drawn
        out.update_xaxes(range=[extent[0].isoformat(), extent[1].isoformat()], autorange=False)
    if events is not None:
        relabel_events(out, events, lang, indicator=indicator, tested=tested, plot_px=width - left - right,
                       font_px=REPORT_FONT)
    if lang != "en":
        localise_months(out, lang)
    return out


def localise_months(figure: go.Figure, lang: str) -> None:
    """Month names on the date axis in the figure's language. The renderer draws plotly's own
    (English) month names, so the ticks are set here: at most about ten, on whole months, named
    by CLDR (Babel)."""
    days = []
    for trace in figure.data:
        if getattr(trace, "x", None) is not None and trace.meta not in ("events",):
            days += [pd.Timestamp(x) for x in trace.x if x is not None and not isinstance(x, (int, float))]
    if not days:
        return
    first, last = min(days), max(days)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= 10), 120)
    start = pd.Timestamp(first.year, 1 if step >= 12 else ((first.month - 1) // step) * step + 1, 1)
    ticks = [d for d in pd.date_range(start, last + pd.offsets.MonthBegin(1), freq=f"{step}MS") if d >= first
             - pd.offsets.MonthBegin(1)]
    pattern = "yyyy" if step >= 12 else "MMM yyyy"
    figure.update_xaxes(tickmode="array", tickvals=[d.strftime("%Y-%m-%d") for d in ticks],
                        ticktext=[format_date(d.date(), pattern, locale=date_locale(lang)) for d in ticks])


RENDER_TIMEOUT = 60.0  # seconds; a report image takes well under one


def render(figure: go.Figure, fmt: str, size: str = DEFAULT_SIZE) -> bytes:
    """The figure as an image. A renderer that does not answer within ``RENDER_TIMEOUT`` (its
    browser hung) is abandoned and a new one started for a second try; a second silence is a
    clear error, never a request that waits forever."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    width, height = SIZES[size]
    opts = {"format": fmt, "width": width, "height": height}
    global _renderer
    with _lock:
        for attempt in (1, 2):
            if _renderer is None:
                _renderer = _Renderer(_browser_path())
            try:
                return _renderer.calc(figure, opts, RENDER_TIMEOUT)
            except TimeoutError:
                log.error("the image renderer did not answer in %.0f s (attempt %d); starting a new one",
                          RENDER_TIMEOUT, attempt)
                forget_renderer()
    raise ExportUnavailable(f"the image renderer did not answer in {RENDER_TIMEOUT:.0f} s; try again")


def export_figure(spec: Indicator, figure: go.Figure, *, fmt: str, lang: str,
                  source: dict | None, vintages: list[dict], permalink: str, size: str = DEFAULT_SIZE,
                  events: list[dict] | None = None, tested: str | None = None, also: list[dict] | tuple = ()) -> bytes:
    lines = citation_lines(spec, source, vintages, lang, permalink, also)
    report = with_citation(figure, lines, pick(spec.caveats, lang), size, lang, events=events, indicator=spec.id,
                           tested=tested)
    image = render(report, fmt, size)
    if fmt == "pdf":  # the document's own title and subject, not the renderer's
        image = pdf_with_metadata(image, title=pick(spec.name, lang), subject=permalink,
                                  author=(source or {}).get("attribution", spec.source_id))
    return image


def pdf_with_metadata(pdf: bytes, *, title: str, subject: str, author: str) -> bytes:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.add_metadata({"/Title": title, "/Subject": subject, "/Author": f"Verifica; data: {author}",
                         "/Creator": "Verifica"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _metadata_rows(meta: dict) -> list[tuple[str, str]]:
    """The metadata sheet: field names stay the same in both languages (a script reads them), the
    words in them are in the view's language."""
    lang = meta.get("lang", "en")
    indicator = meta["indicator"]
    rows = [("indicator", indicator["id"]), ("name", pick(indicator.get("name"), "en")),
            ("nombre", pick(indicator.get("name"), "es")),
            ("unit", meta.get("unit") or pick(indicator.get("unit"), lang)),
            ("citation", meta["citation"]), ("cite", meta.get("cite", "")),
            ("view", meta["view"]), ("generated", meta["generated"])]
    if meta.get("result"):
        rows.append(("result", meta["result"]["headline"]))
    rows += [("note", note) for note in meta.get("notes", [])]
    rows += [(f"query.{k}", v or "") for k, v in meta["query"].items()]
    for v in meta["vintages"]:
        rows.append((f"vintage #{v['id']}", f"{v['file_name']}; {t('field_published', lang)} "
                                            f"{'~' if v['estimated'] else ''}{v['published_on']}; "
                                            f"{t('field_months', lang)} {v['months']}; sha256 {v['sha256']}"))
    return rows


def xlsx_bytes(table, meta: dict) -> bytes:
    """The view's table on a data sheet and how to cite it (with the result, when an event is
    tested) on a metadata sheet, named in the view's language."""
    lang = meta.get("lang", "en")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=t("sheet_data", lang), index=False)
        inert_frame(pd.DataFrame(_metadata_rows(meta), columns=["field", "value"])).to_excel(
            writer, sheet_name=t("sheet_metadata", lang), index=False)
    return buffer.getvalue()


README = """Verifica export: {name}

data.csv       the table shown (a plain table: pandas.read_csv('data.csv'))
figure.png     the chart as shown, with its citation, data vintages and the view's address
metadata.json  indicator, query, source, citation, "cite this" text, every vintage used (id,
               file, release date, sha256) and the dated explorer address of this view:
               {view}

Cite this:
{cite}
{result}
Generated {generated}.
"""


def zip_bytes(name: str, csv_text: str, meta: dict, png: bytes) -> bytes:
    """Data, figure, metadata and a README in one file, for a briefing folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.csv", csv_text)
        archive.writestr("figure.png", png)
        archive.writestr("metadata.json", json.dumps(meta, indent=2, ensure_ascii=False, default=str))
        archive.writestr("README.txt", README.format(name=name, view=meta["view"], generated=meta["generated"],
                                                     cite=meta.get("cite", meta["citation"]),
                                                     result="".join(f"\n{line}\n" for line in (
                                                         [meta["result"]["headline"]] if meta.get("result") else [])
                                                         + meta.get("notes", []))))
    return buffer.getvalue()
