"""The change log's entries in words, in the reader's language: one place for the page, the
overview's section and the Atom feed (the stored entries and the JSON twin are codes and numbers)."""

from __future__ import annotations

from dashboard.i18n import STRINGS, pick, t
from indicators.claims import CLAIM_LABELS
from indicators.explain import VERDICT_LABELS
from indicators.registry import INDICATORS

# A claim id ends with its period and a digest: -YYYY-MM-YYYY-MM-xxxxxxxx (indicators.claims.claim_id).
_CLAIM_TAIL = 25


def cause_text(causes, lang: str) -> str:
    return ", ".join(t(f"changes_cause_{c}", lang) for c in causes if f"changes_cause_{c}" in STRINGS)


def status_text(kind: str, code: str | None, lang: str) -> str:
    """A status code in words: a verdict, a claim's or a commitment's status."""
    if code is None:
        return t("changes_status_none", lang)
    if kind == "verdict" and code in VERDICT_LABELS:
        return pick(VERDICT_LABELS[code], lang)
    key = {"claim": "claim_status_", "commitment": "commitment_status_"}.get(kind, "") + code
    return t(key, lang) if key in STRINGS else code


def _indicator_name(indicator_id: str, lang: str) -> str:
    spec = INDICATORS.get(indicator_id)
    return pick(spec.name, lang) if spec else indicator_id


def _commitment_texts() -> dict[str, dict]:
    try:
        from indicators import commitments

        return {record["id"]: record.get("text") or {} for record in commitments.load()}
    except Exception:  # the curated file missing or broken: the id stands in for the sentence
        return {}


def subject_text(move: dict, lang: str, events: dict[str, dict], commitments: dict[str, dict] | None = None) -> str:
    """What moved: "<commitment title> × <indicator>", "<claim> (<period>)" or the commitment."""
    key = move["key"]
    if move["kind"] == "verdict":
        event_id, _, indicator_id = key.partition("|")
        event = events.get(event_id)
        title = f"{event['date']} · {pick(event['title'], lang)}" if event else event_id
        return f"{title} × {_indicator_name(indicator_id, lang)}"
    if move["kind"] == "claim" and len(key) > _CLAIM_TAIL:
        code = key[:-_CLAIM_TAIL]
        label = pick(CLAIM_LABELS.get(code), lang) or code
        start, end = key[-24:-17], key[-16:-9]
        return f"{label} ({start}–{end})" if start != end else f"{label} ({start})"
    if move["kind"] == "commitment":
        text = pick((commitments if commitments is not None else _commitment_texts()).get(key), lang)
        return text or key
    return key


def months_text(item: dict, lang: str) -> str:
    """A series' new (or no longer served) months."""
    if item.get("from") is None:
        return t("changes_months_new_series", lang, series=item["series"], source=item["source"], end=item["through"])
    if item["from"] == item["through"]:
        return t("changes_months_one", lang, series=item["series"], source=item["source"], month=item["through"])
    return t("changes_months_span", lang, series=item["series"], source=item["source"], start=item["from"],
             end=item["through"], n=str(item["count"]))


def revision_text(item: dict, lang: str) -> str:
    """A series' revised months, each marked provisional or completed (published after review)."""
    months = ", ".join(f"{month} ({t('changes_revision_' + kind, lang)})" for month, kind in item["months"].items())
    return t("changes_revision_line", lang, series=item["series"], file=item["file"], months=months)


def vintage_text(item: dict, lang: str, kind: str) -> str:
    if kind == "redated":
        return t("changes_redated_line", lang, file=item["file"], old=item["old"], new=item["new"])
    return f"#{item['vintage']} {item['file']} ({item['source']})"


def revised_count(payload: dict) -> int:
    return len({(r["source"], m) for r in payload.get("revisions", []) for m in r["months"]})


def new_month_count(payload: dict) -> int:
    """Distinct new months over the entry's sources (a month new in two series of a source counts once)."""
    seen = set()
    for item in payload.get("new_months", []):
        if item.get("from") is None:
            seen.add((item["source"], "new", item["through"]))
            continue
        year, month = map(int, item["from"].split("-"))
        for step in range(item["count"] or 0):
            index = year * 12 + month - 1 + step
            seen.add((item["source"], index))
    return len(seen)


def summary_text(entry_payload: dict, causes, lang: str) -> str:
    """One line: why, and how many statuses moved, months arrived and months were revised."""
    if entry_payload.get("baseline"):
        return t("changes_baseline_short", lang)
    counts = t("changes_summary", lang, moved=str(len(entry_payload.get("moves", []))),
               months=str(new_month_count(entry_payload)), revised=str(revised_count(entry_payload)))
    why = cause_text(causes, lang)
    return f"{why[:1].upper()}{why[1:]}: {counts}" if why else counts


def title_text(item, lang: str) -> str:
    """An entry's title: its date, number and summary."""
    return f"{item.recorded_at:%Y-%m-%d} · #{item.id} · {summary_text(item.payload, item.causes, lang)}"


def lines(item, lang: str, events: dict[str, dict]) -> list[tuple[str, list[str]]]:
    """The entry's sections as (heading, lines), in the language (the feed's content; the page
    lays out the same sections)."""
    payload = item.payload
    out: list[tuple[str, list[str]]] = []
    if payload.get("baseline"):
        out.append((t("changes_baseline_title", lang), [t("changes_baseline", lang)]))
    why = cause_text(item.causes, lang)
    if why:
        method = [t(f"changes_method_{part}", lang, old=str(old or "-"), new=str(new))
                  for part, (old, new) in sorted((payload.get("method") or {}).items())]
        out.append((t("changes_causes", lang), [why[:1].upper() + why[1:], *method]))
    commitments = _commitment_texts() if any(m["kind"] == "commitment" for m in payload.get("moves", [])) else {}
    sections = (
        ("changes_moves", [t("changes_move_line", lang, what=subject_text(m, lang, events, commitments),
                                 kind=t(f"changes_kind_{m['kind']}", lang), old=status_text(m["kind"], m["old"], lang),
                                 new=status_text(m["kind"], m["new"], lang)) for m in payload.get("moves", [])]),
        ("changes_new_months", [months_text(i, lang) for i in payload.get("new_months", [])]),
        ("changes_revisions", [revision_text(i, lang) for i in payload.get("revisions", [])]),
        ("changes_months_gone", [months_text(i, lang) for i in payload.get("months_gone", [])]),
        ("changes_published", [vintage_text(i, lang, "published") for i in payload.get("published", [])]),
        ("changes_withdrawn", [vintage_text(i, lang, "withdrawn") for i in payload.get("withdrawn", [])]),
        ("changes_restored", [vintage_text(i, lang, "restored") for i in payload.get("restored", [])]),
        ("changes_redated", [vintage_text(i, lang, "redated") for i in payload.get("redated", [])]),
    )
    for key, items in sections:
        if items:
            out.append((t(key, lang), items))
    if not payload.get("baseline") and not payload.get("moves"):
        out.append((t("changes_moves", lang), [t("changes_nothing_moved", lang)]))
    if payload.get("failed"):
        out.append((t("changes_moves", lang), [t("changes_failed", lang, kinds=", ".join(
            t(f"changes_kind_{k}", lang) for k in payload["failed"]))]))
    return out
