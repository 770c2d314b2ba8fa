"""The briefing pack: one PDF for a meeting, as known on a date, in English or Spanish.

It holds each commitment's status as known that day and as known on the previous meeting's day,
what was published in between (releases, claims), the key charts with their tested events and
result sentences (the explorer's own export pipeline: one kaleido server for every image), the
claims table, and the sources: citation, every release read with its id, date and sha256, and
permalinks pinned to the date. ``python -m etl brief`` (:mod:`dashboard.commands`) and ``/api/brief.pdf`` both call
:func:`brief_pdf` inside the app.

The PDF is made by ReportLab in its invariant mode: the same vintages, timeline and code give the
same bytes (no creation time, no random document id). Text is DejaVu Sans (it has the minus sign,
arrows and accents), never under 9 pt; every table and image is laid out to the page's frame, so
A4 and US letter both hold it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from dashboard import downloads, links, queries
from dashboard.figures import COMMITMENT_COLOURS
from dashboard.i18n import lang_query, normalise_lang, pick, t
from dashboard.state import ExplorerState
from indicators import claims as claims_checker
from indicators import period_claims, precompute
from indicators.catalogue import load_origin
from indicators.claims import UNIT_LABELS
from indicators.explain import VERDICT_LABELS, number
from indicators.registry import INDICATORS

log = logging.getLogger(__name__)

PAPERS = ("a4", "letter")
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts",
             "/Library/Fonts")
BODY_PT = 9.5
SMALL_PT = 9.0  # the smallest text in the pack
MAX_CHARTS = 6
CHART_SIZE = "640x600"  # drawn at 0.75 pt a pixel: its 12 px text prints at 9 pt, 169 mm wide
PX_PT = 0.75


class BriefNotReady(RuntimeError):
    """A scorecard the pack needs (as known on the date, or on the previous meeting's) is being
    computed in the background."""


class BriefUnavailable(RuntimeError):
    """The pack cannot be drawn on this machine (no DejaVu font, or no Chromium for the charts)."""


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "VerificaSans" in pdfmetrics.getRegisteredFontNames():
        return "VerificaSans", "VerificaSans-Bold"
    for folder in FONT_DIRS:
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("VerificaSans", str(regular)))
            pdfmetrics.registerFont(TTFont("VerificaSans-Bold", str(bold)))
            return "VerificaSans", "VerificaSans-Bold"
    raise BriefUnavailable("the DejaVu Sans font is not installed (Debian: apt-get install fonts-dejavu-core)")


def previous_meeting(events: list[dict], as_of: dt.date) -> dict | None:
    """The latest bilateral meeting (the US and Mexico both at the table; an event recorded as a
    meeting or also as one) that happened before ``as_of``."""
    held = [e for e in events if "meeting" in {e["type"], *e.get("also", [])}
            and e.get("status", "happened") == "happened" and {"US", "MX"} <= set(e.get("parties") or [])
            and dt.date.fromisoformat(str(e["date"])[:10]) < as_of]
    return max(held, key=lambda e: (str(e["date"]), e["id"])) if held else None


def gather(as_of: dt.date, lang: str, *, wait: bool = False, charts: int = MAX_CHARTS) -> dict:
    """Everything the pack shows, as known on ``as_of`` (codes, numbers, curated words). With
    ``wait`` a past scorecard not stored yet is computed here; without, :class:`BriefNotReady`."""
    events = queries.events()
    prev = previous_meeting(events, as_of)

    def statuses(day: dt.date) -> list[dict]:
        items = queries.commitments(day)
        if items is None and wait:
            precompute.refresh_scorecard(queries.engine(), events, day)
            queries.cache.clear()
            items = queries.commitments(day)
        if items is None:
            raise BriefNotReady(f"the scorecard as known on {day} is being computed; ask again in a minute")
        return items

    now = statuses(as_of)
    then = {item["id"]: item for item in statuses(dt.date.fromisoformat(str(prev["date"])[:10]))} if prev else {}
    since = dt.date.fromisoformat(str(prev["date"])[:10]) if prev else None
    claims = queries.claims(as_of)
    releases, cited = [], {}
    history = queries.withdrawals()
    read = {spec.source_id for spec in INDICATORS.values() if spec.status == "available"}
    for source_id in sorted(read | set(claims_checker.sources())):  # the claims' own tables too
        card = queries.source_card(source_id) or {}
        for vintage in queries.vintages(source_id):
            if vintage.published_on is None or vintage.published_on > as_of:
                continue
            if any(w.vintage_id == vintage.id and w.withdrawn_on <= as_of
                   and (w.restored_on is None or w.restored_on > as_of) for w in history):
                continue  # withdrawn on that day
            origin = load_origin(source_id)
            title = origin.get(f"title_{lang}") or origin.get("title", source_id)
            row = {"source": source_id, "title": title, "id": vintage.id, "file": vintage.file_name,
                   "published_on": vintage.published_on.isoformat(), "sha256": vintage.sha256}
            cited.setdefault(source_id, {"citation": card.get("citation", source_id), "vintages": []})
            cited[source_id]["vintages"].append(row)
            if since is not None and since < vintage.published_on <= as_of:
                releases.append(row)
    # A date given to the month counts from its last day (it may not have been said before).
    stated_since = [c for c in claims if since is not None and c.get("stated_on")
                    and since < period_claims.stated_by(str(c["stated_on"])) <= as_of]
    charts_wanted, charts = charts, []
    for item in sorted(now, key=lambda i: i["date"], reverse=True):
        for cell in item["evidence"]:
            key = (cell["indicator"], cell.get("tested_event"))
            if cell["role"] in ("unmeasured",) or key in {(c["indicator"], c["event"]) for c in charts}:
                continue
            if cell["indicator"] in {c["indicator"] for c in charts}:
                continue  # one chart an indicator: its newest tested event
            charts.append({"indicator": cell["indicator"], "event": cell.get("tested_event"),
                           "geo": cell.get("geo"), "start": cell.get("pre_start"), "verdict": cell["verdict"]})
    return {"as_of": as_of, "lang": lang, "previous": prev, "commitments": now, "then": then,
            "releases": releases, "claims": claims, "stated_since": stated_since, "sources": cited,
            "charts": charts[:charts_wanted]}


def _evidence_words(cell: dict, item: dict, lang: str) -> str:
    """One verdict a status rests on, with where it was tested and whether its data are late."""
    words = f"{pick(INDICATORS[cell['indicator']].name, lang)}: {pick(VERDICT_LABELS[cell['verdict']], lang)}"
    if cell.get("tested_event") and cell["tested_event"] != item["event"]:
        words += f" ({t('commitment_tested_at', lang, date=cell['tested_event'][:10], event='').strip()})"
    if cell.get("late"):
        words += " — " + t("commitment_late", lang, date=str(cell["expected_publication"])[:10])
    return words


def _chart_png(chart: dict, as_of: dt.date, lang: str) -> tuple[bytes, str]:
    start = queries.parse_month(chart["start"], "from") if chart.get("start") else None
    state = ExplorerState(indicator=chart["indicator"], geo=chart.get("geo") or None, start=start,
                          event=chart.get("event"), as_of=as_of, lang=lang)
    base = links.base_url().rstrip("/")
    return downloads.image_bytes(state, "png", CHART_SIZE, base), base + state.href()


def brief_pdf(as_of: dt.date, lang: str = "en", paper: str = "a4", *, wait: bool = False,
              charts: int = MAX_CHARTS) -> bytes:
    """The pack as PDF bytes (call inside the app's context)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from dashboard import exports

    lang = normalise_lang(lang)
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    regular, bold = _fonts()
    data = gather(as_of, lang, wait=wait, charts=charts)
    day = as_of.isoformat()
    base = links.base_url().rstrip("/")
    suffix = lang_query(lang, "&")
    body = ParagraphStyle("body", fontName=regular, fontSize=BODY_PT, leading=BODY_PT * 1.3)
    small = ParagraphStyle("small", parent=body, fontSize=SMALL_PT, leading=SMALL_PT * 1.3)
    cell_white = ParagraphStyle("white", parent=small, textColor=colors.white, fontName=bold)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4,
                        keepWithNext=1)

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def link(url: str) -> Paragraph:
        return Paragraph(f'<link href="{escape(url)}">{escape(url)}</link>', small)

    page = A4 if paper == "a4" else LETTER
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=page, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, invariant=1, title=t("brief_title", lang, day=day),
                            author="Verifica", subject=f"{base}/commitments?as_of={day}{suffix}", creator="Verifica")
    width = doc.width

    def table(rows: list[list], fractions: list[float], header: bool = True, styles: list | None = None) -> Table:
        made = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1 if header else 0)
        made.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8c959f")),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eaeef2"))] if header else []), *(styles or [])]))
        return made

    story = [p(t("brief_title", lang, day=day), head)]
    prev = data["previous"]
    story.append(p(t("brief_intro", lang, day=day, previous=(f"{prev['date']} {pick(prev['title'], lang)}"
                                                                if prev else "—"))))
    story.append(p(t("brief_permalinks", lang), small))
    for path in ("commitments", "scorecard", "claims", "changes"):
        story.append(link(f"{base}/{path}?as_of={day}{suffix}"))

    # 1. Commitments: status now and on the previous meeting's day.
    story.append(p(t("brief_commitments", lang), h2))
    story.append(p(t("commitments_rule", lang), small))
    rows = [[p(t(k, lang), small) for k in ("commitment_col_commitment", "commitment_col_party",
                                            "brief_status_then", "commitment_col_status", "commitment_col_evidence")]]
    styles = []
    for index, item in enumerate(data["commitments"], start=1):
        before = data["then"].get(item["id"])
        evidence = "; ".join(_evidence_words(c, item, lang) for c in item["evidence"]) or pick(
            item.get("needs"), lang) or t("commitment_no_indicator", lang)
        if item["status"] == "too_early" and item.get("checkable_from") and not item.get("late"):
            evidence += " " + t("commitment_checkable_from", lang, month=item["checkable_from"])
        rows.append([p(f"{item['date']} · {pick(item['text'], lang)}", small),
                     p(t("commitment_party_" + item["party"], lang), small),
                     p(t("commitment_status_" + before["status"], lang) if before else t("brief_not_yet_made", lang),
                       small),
                     p(t("commitment_status_" + item["status"], lang), cell_white),
                     p(evidence, small)])
        styles.append(("BACKGROUND", (3, index), (3, index), colors.HexColor(COMMITMENT_COLOURS[item["status"]])))
    story.append(table(rows, [0.32, 0.13, 0.14, 0.14, 0.27], styles=styles))

    # 2. What changed since the previous meeting.
    story.append(p(t("brief_changed", lang, since=str(prev["date"]) if prev else "—"), h2))
    moved = [(item, data["then"][item["id"]]) for item in data["commitments"]
             if item["id"] in data["then"] and data["then"][item["id"]]["status"] != item["status"]]
    story.append(p(t("brief_moved", lang, n=str(len(moved))), body))
    for item, before in moved:
        then, now = (t("commitment_status_" + x["status"], lang) for x in (before, item))
        story.append(p(f"• {pick(item['text'], lang).rstrip('.')}: {then} → {now}", small))
    story.append(p(t("brief_releases", lang, n=str(len(data["releases"]))), body))
    if data["releases"]:
        story.append(table([[p(t(k, lang), small) for k in ("brief_col_source", "brief_col_release", "brief_col_on")]]
                           + [[p(r["title"], small), p(f"#{r['id']} {r['file']}", small), p(r["published_on"], small)]
                              for r in data["releases"]], [0.35, 0.47, 0.18]))
    story.append(p(t("brief_claims_since", lang, n=str(len(data["stated_since"]))), body))

    # 3. Key charts, each with its tested event and result sentence (the export pipeline's image).
    story.append(p(t("brief_charts", lang), h2))
    for chart in data["charts"]:
        try:
            png, permalink = _chart_png(chart, as_of, lang)
        except exports.ExportUnavailable as exc:
            raise BriefUnavailable(str(exc)) from None
        wide, high = exports.SIZES[CHART_SIZE]
        image = Image(io.BytesIO(png), width=wide * PX_PT, height=high * PX_PT)
        story.append(KeepTogether([image, link(permalink), Spacer(1, 6)]))

    # 4. The claims.
    story.append(p(t("brief_claims", lang), h2))
    story.append(p(t("brief_claims_rule", lang), small))
    rows = [[p(t(k, lang), small) for k in ("claim_col_claim", "claim_col_who", "claim_col_period", "claim_col_value",
                                            "claim_col_independent", "claim_col_status")]]
    for item in data["claims"]:
        found = item.get("independent") or {}
        unit = pick(UNIT_LABELS.get(item.get("unit")), lang) or str(item.get("unit") or "")
        claim = f"{pick(item['label'], lang)} [{item['id']}]"
        if item.get("reading"):
            claim += f" — {t('claim_reading', lang)} {pick(item['reading'], lang)}"
        status = t("claim_status_" + item["status"], lang)
        if item.get("tolerance_points") is not None:
            status += f" (±{number(item['tolerance_points'], lang)} {t('brief_points', lang)})"
        if item.get("alternatives"):
            status += ". " + t({True: "claim_reading_matters", False: "claim_reading_holds",
                                None: "claim_reading_unknown"}[item.get("reading_matters")], lang)
        rows.append([p(claim, small),
                     p(f"{item['claimant']} · {item.get('stated_on') or '—'}", small),
                     p(f"{item['period_start']} … {item['period_end']}"
                       + (f" / {item['baseline']}" if item.get("baseline") else ""), small),
                     p(f"{number(item['value'], lang)} {unit}", small),
                     p(f"{number(found['value'], lang)} {unit}" if found.get("value") is not None else "—", small),
                     p(status, small)])
    story.append(table(rows, [0.33, 0.17, 0.15, 0.1, 0.1, 0.15]))

    # 5. Sources: citations, the releases read (id, date, sha256).
    story.append(p(t("brief_sources", lang), h2))
    for cited in data["sources"].values():
        story.append(p(cited["citation"], small))  # as the publisher is cited, in its own words
        story.append(table([[p(f"#{v['id']}", small), p(v["file"], small), p(v["published_on"], small),
                             p(v["sha256"], small)] for v in cited["vintages"]], [0.08, 0.34, 0.13, 0.45],
                           header=False))
        story.append(Spacer(1, 4))
    doc.build(story)
    return buffer.getvalue()

