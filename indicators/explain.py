"""The wording of verification results in each interface language: the one place for verdict
labels, notes, reasons and the sentence that says what the numbers say. The engine hands over
codes and numbers (an :class:`~indicators.assessment.Assessment`); the words are made where a
result is shown (:func:`sentence`, :func:`notes`, :func:`headline`), in the reader's language,
from the catalogues (``locale/``), by key. It never imports the engine
(:mod:`indicators.verification`), and the engine never imports it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

import catalogues
from catalogues import Message

if TYPE_CHECKING:
    from indicators.assessment import Assessment

VERDICT_LABELS: dict[str, Message] = {
    "improved": Message("verdict_improved"),
    "worsened": Message("verdict_worsened"),
    "changed": Message("verdict_changed"),
    "too_noisy": Message("verdict_too_noisy"),
    "no_change_beyond": Message("verdict_no_change_beyond"),
    "began_before": Message("verdict_began_before"),
    "joint": Message("verdict_joint"),
    "confounded": Message("verdict_confounded"),
    "inconclusive": Message("verdict_inconclusive"),
    "not_yet_verifiable": Message("verdict_not_yet_verifiable"),
    "insufficient_history": Message("verdict_insufficient_history"),
    "descriptive_only": Message("verdict_descriptive_only"),
    "no_data_after_event": Message("verdict_no_data_after_event"),
    "no_data": Message("verdict_no_data"),
}

METHOD_LABELS: dict[str, Message] = {
    "yoy": Message("method_yoy"),
    "its": Message("method_its"),
    "structural": Message("method_structural"),
    "count": Message("method_count"),
    "descriptive": Message("method_descriptive"),
    "auto": Message("method_auto"),
}

NOTES: dict[str, Message] = {
    "rolling": Message("note_rolling"),
    "predicted": Message("note_predicted"),
    "left_out": Message("note_left_out"),
    "previous_event": Message("note_previous_event"),
    "outlier_excluded": Message("note_outlier_excluded"),
    "placebo_unavailable": Message("note_placebo_unavailable"),
    "previous_event_kept": Message("note_previous_event_kept"),
    "later_events": Message("note_later_events"),
    "lag": Message("note_lag"),
    "lag_overdue": Message("note_lag_overdue"),
    "provisional": Message("note_provisional"),
    "insufficient": Message("note_insufficient"),
    "constant_pre": Message("note_constant_pre"),
    "not_estimable": Message("note_not_estimable"),
    "calibrated": Message("note_calibrated"),
    "donors_same_change": Message("note_donors_same_change"),
    "donors_no_change": Message("note_donors_no_change"),
    "donors_cannot_tell": Message("note_donors_cannot_tell"),
    "donors_other_answer": Message("note_donors_other_answer"),
    "damped": Message("note_damped"),
    "fallback_its": Message("note_fallback_its"),
    "same_month": Message("note_same_month"),
    "yoy": Message("note_yoy"),
    "confounded": Message("note_confounded"),
    "annual_through": Message("note_annual_through"),
    "provisional_left_out": Message("note_provisional_left_out"),
    "log_impossible": Message("note_log_impossible"),
    "count_impossible": Message("note_count_impossible"),
    "regime_steps": Message("note_regime_steps"),
    "regime_after": Message("note_regime_after"),
    "own_effect_bend": Message("note_own_effect_bend"),
    "began_partly": Message("note_began_partly"),
    "regime_close": Message("note_regime_close"),
    "regime_detected": Message("note_regime_detected"),
    "joint": Message("note_joint"),
    "annual": Message("note_annual"),
    "series_closed": Message("note_series_closed"),
    "displacement": Message("note_displacement"),
    "displacement_unavailable": Message("note_displacement_unavailable"),
}

REASONS: dict[str, Message] = {
    "placebo": Message("reason_placebo"),
    "recent_break": Message("reason_recent_break"),
    "outlier": Message("reason_outlier"),
    "pre_length": Message("reason_pre_length"),
    "other_method": Message("reason_other_method"),
    "noisy_detection": Message("reason_noisy_detection"),
    "wide": Message("reason_wide"),
    "measurement_change": Message("reason_measurement_change"),
    "series_closed": Message("reason_series_closed"),
    "regime_marker": Message("reason_regime_marker"),
    "marker": Message("reason_marker"),
    "regime_month": Message("reason_regime_month"),
    "last_month": Message("reason_last_month"),
}

# The context series of the displacement check, as its note names them.
CONTEXT_LABELS: dict[str, Message] = {
    "sesnsp_rnid_culpable_homicide_crimes": Message("context_sesnsp_rnid_culpable_homicide_crimes"),
    "sesnsp_rnid_other_life_crimes": Message("context_sesnsp_rnid_other_life_crimes"),
}


def _context_series(items: list[dict], lang: str) -> str:
    """'homicidio culposo 1,219 → 1,430 (+17.3 %); …' from the note's numbers."""
    parts = []
    for item in items:
        label = CONTEXT_LABELS.get(item["id"], {}).get(lang, item["id"])
        change = "—" if item.get("change") is None else percent(float(item["change"]), lang)
        parts.append(f"{label} {number(float(item['from']), lang)} → {number(float(item['to']), lang)} ({change})")
    return "; ".join(parts)

BEGAN: dict[str, Message] = {
    "bend": Message("began_bend"),
    "marker": REASONS["marker"],
    "regime_month": REASONS["regime_month"],
    "last_month": REASONS["last_month"],
    "recent_break": Message("began_recent_break"),
}


def note(key: str, lang: str, **values) -> str:
    """A note in the language: values given per language ({"en", "es"}) or as ``<name>_es`` pick
    the reader's; fractions named ``*_pct`` (from ``limit``, ``largest``) are shown as percentages."""
    chosen = {}
    others = {f"_{other}" for other in catalogues.languages() if other != catalogues.DEFAULT}
    for name, value in values.items():
        if any(name.endswith(suffix) for suffix in others):
            continue
        if f"{name}_{lang}" in values:
            value = values[f"{name}_{lang}"]
        if isinstance(value, dict) and catalogues.DEFAULT in value:  # curated {"en", "es"}: English if not in lang
            value = value.get(lang) or value[catalogues.DEFAULT]
        chosen[name] = value
    for name in ("limit", "largest"):
        if name in chosen:
            chosen[f"{name}_pct"] = percent(float(chosen[name]), lang, signed=False)
    for name in ("rel", "rel_low", "rel_high"):  # signed changes; an interval may have no upper limit
        if name in chosen:
            value = chosen[name]
            chosen[f"{name}_pct"] = UNBOUNDED[lang] if value is None else percent(float(value), lang)
    if isinstance(chosen.get("series"), list):  # the displacement check's context series
        chosen["series"] = _context_series(chosen["series"], lang)
    return NOTES[key][lang].format(**chosen)


UNBOUNDED = Message("unbounded")
PERCENT = Message("percent_format")  # "12.3%", "12.3 %"


def number_locale(lang: str) -> str:
    """The CLDR locale of an interface language, its catalogue's ``Language`` header: Mexican
    Spanish (comma groups, point decimals, as SESNSP and INEGI publish), United States English."""
    return catalogues.locale(lang)


def date_locale(lang: str) -> str:
    """The CLDR locale dates are written in: the language of the catalogue's locale (generic
    Spanish's "sept", as always, where Mexican Spanish writes "sep")."""
    return number_locale(lang).split("_")[0]


def separators(lang: str) -> str:
    """Plotly's ``layout.separators`` (decimal then group symbol) for the language, from CLDR:
    the chart's axes and hover read like the text around them."""
    locale = number_locale(lang)
    return get_decimal_symbol(locale) + get_group_symbol(locale)


def number(value: float, lang: str = "en", signed: bool = False) -> str:
    """Grouped thousands in the language's CLDR format (Babel), no decimals from 100, one below;
    a true minus sign."""
    pattern = "#,##0" if abs(value) >= 100 else "#,##0.0"
    text = format_decimal(abs(value), format=pattern, locale=number_locale(lang))
    if value < 0 and text.strip("0.,") != "":
        return "−" + text
    return ("+" + text) if signed and value > 0 else text


def percent(value: float | None, lang: str = "en", signed: bool = True) -> str:
    """A share as a percentage with one decimal (CLDR digits; a space before % in Spanish)."""
    if value is None:
        return "—"
    text = format_decimal(abs(value * 100), format="0.0", locale=number_locale(lang))
    if value < 0 and text.strip("0.,") != "":
        text = "−" + text
    elif signed and value > 0:
        text = "+" + text
    return PERCENT.text(lang).format(value=text)


def month_name(day, lang: str) -> str:
    """"April 2026" / "abril de 2026" (CLDR)."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", day, locale=number_locale(lang))


PHRASES: dict[str, Message] = {
    "what_rolling": Message("phrase_what_rolling"),
    "what_monthly": Message("phrase_what_monthly"),
    "relative": Message("phrase_relative"),
    "relative_open": Message("phrase_relative_open"),
    "numbers": Message("phrase_numbers"),
    "noise": Message("phrase_noise"),
    "fell": Message("phrase_fell"),
    "rose": Message("phrase_rose"),
    "total": Message("phrase_total"),
    "own": Message("phrase_own"),
    "breaks": Message("phrase_breaks"),
}

SENTENCES: dict[str, Message] = {
    "not_yet_verifiable": Message("sentence_not_yet_verifiable"),
    "insufficient": Message("sentence_insufficient"),
    "constant_pre": Message("sentence_constant_pre"),
    "not_estimable": Message("sentence_not_estimable"),
    "yoy": Message("sentence_yoy"),
    "descriptive": Message("sentence_descriptive"),
    "no_data_after_event": Message("sentence_no_data_after_event"),
    "confounded": Message("sentence_confounded"),
    "too_noisy": Message("sentence_too_noisy"),
    "no_change_beyond": Message("sentence_no_change_beyond"),
    "began_before": Message("sentence_began_before"),
    "joint": Message("sentence_joint"),
    "inconclusive": Message("sentence_inconclusive"),
    "directional": Message("sentence_directional"),
}


def effect_unit(unit: dict[str, str] | None, semantics: str, lang: str) -> str:
    """The unit of an effect: for a 12-month total, the count itself ("deaths")."""
    text = (unit or {}).get(lang) or (unit or {}).get(catalogues.DEFAULT, "")
    return text.split(",")[0] if semantics == "rolling_12m" else text


def _unit(result: Assessment, lang: str) -> str:
    return effect_unit(result.unit, result.semantics, lang)


def _phrase(key: str, lang: str, **values) -> str:
    return PHRASES[key][lang].format(**values)


def relative_interval(result: Assessment, lang: str) -> str:
    """"; −43.8%, interval −76.3% to +12.0%", in plain words when it has no upper limit."""
    if result.relative_effect is None:
        return ""
    if result.relative_ci_high is None:
        return _phrase("relative_open", lang, rel=percent(result.relative_effect, lang),
                       low=percent(result.relative_ci_low, lang))
    return _phrase("relative", lang, rel=percent(result.relative_effect, lang),
                   low=percent(result.relative_ci_low, lang), high=percent(result.relative_ci_high, lang))


def _numbers(result: Assessment, lang: str) -> str:
    if result.semantics == "rolling_12m":
        what = _phrase("what_rolling", lang, start=f"{result.total_start:%Y-%m}", end=f"{result.post_end:%Y-%m}",
                       k=result.total_post_months)
    else:
        what = _phrase("what_monthly", lang, n=result.n_post, start=f"{result.post_start:%Y-%m}")
    return _phrase("numbers", lang, effect=number(result.effect, lang, True), unit=_unit(result, lang), what=what,
                   level=round((1 - result.alpha) * 100), low=number(result.ci_low, lang),
                   high=number(result.ci_high, lang), relative=relative_interval(result, lang))


def mde_share(result: Assessment, lang: str) -> str:
    """The smallest detectable change in %: "±21.4%" on the linear scale; on the log scale a fall
    and a rise of the same size in log points ("−86.5% / +640.0%")."""
    if result.mde_relative is None:
        return "—"
    if result.mde_relative_fall is not None:
        return f"{percent(-result.mde_relative_fall, lang)} / {percent(result.mde_relative, lang)}"
    return "±" + percent(result.mde_relative, lang, signed=False)


def _noise(result: Assessment, lang: str) -> str:
    share = f" ({mde_share(result, lang)})" if result.mde_relative is not None else ""
    return _phrase("noise", lang, mde=number(result.mde, lang), unit=_unit(result, lang), share=share)


def event_titles(events: list[dict], lang: str) -> str:
    """"Title (2026-01-23); …": events by their title in the language, never by id."""
    def title(value) -> str:
        return (value.get(lang) or value.get("en", "")) if isinstance(value, dict) else str(value)
    return "; ".join(f"{title(e['title'])} ({e['date']})" for e in events)


def began_words(result: Assessment, lang: str) -> str:
    """Why the change is not the event's: what began before it, and when."""
    if result.began_by == "marker":
        label = (result.began_label or {}).get(lang) or (result.began_label or {}).get(catalogues.DEFAULT, "")
        began = f"{label} ({result.began_at:%Y-%m-%d})" if result.began_at else label
    else:
        began = month_name(result.began_at, lang) if result.began_at else "—"
    return BEGAN.get(result.began_by, BEGAN["recent_break"])[lang].format(began=began)


def total_words(result: Assessment, lang: str) -> str:
    """"fell 85.0% (95% interval −92.0% to −70.0%)": the whole change, including what began before."""
    moved = PHRASES["fell" if (result.total_change or 0) < 0 else "rose"][lang]
    return _phrase("total", lang, moved=moved, size=percent(abs(result.total_change or 0), lang, signed=False),
                   level=round((1 - result.alpha) * 100), low=percent(result.total_change_low, lang),
                   high=percent(result.total_change_high, lang) if result.total_change_high is not None else "—")


def reasons_words(result: Assessment, lang: str) -> str:
    mde = mde_share(result, lang)
    return "; ".join(REASONS[code][lang].format(mde=mde, began="") for code in result.reasons if code in REASONS)


def _sentence_key(result: Assessment) -> str:
    verdict = result.verdict
    if verdict == "insufficient_history":
        codes = {item["code"] for item in result.note_codes}
        return next((code for code in ("constant_pre", "not_estimable") if code in codes), "insufficient")
    if verdict == "descriptive_only":
        return "yoy" if result.method == "yoy" and result.effect is not None else "descriptive"
    return "directional" if verdict in ("improved", "worsened", "changed") else verdict


def sentence(result: Assessment, lang: str) -> str:
    """One sentence saying what the numbers say."""
    key = _sentence_key(result)
    values = {"label": VERDICT_LABELS[result.verdict][lang], "n_pre": result.n_pre, "n_post": result.n_post,
              "method": METHOD_LABELS.get(result.method, METHOD_LABELS["auto"])[lang],
              "through": "—"}
    if result.data_through:
        pattern = "%Y" if result.semantics == "annual" else "%Y-%m"
        values["through"] = result.data_through.strftime(pattern)
    if key == "not_yet_verifiable":
        values.update(needed_name=month_name(result.checkable_from, lang))
    elif key == "yoy":
        values.update(effect=number(result.effect, lang, True), unit=_unit(result, lang),
                      rel=percent(result.relative_effect, lang))
    elif key in ("confounded", "too_noisy", "no_change_beyond", "began_before", "joint", "inconclusive",
                 "directional"):
        if result.effect is None:
            return f"{values['label']}."
        values["numbers"] = _numbers(result, lang)
        values["noise"] = _noise(result, lang)
        values["why"] = reasons_words(result, lang)
        breaks = reasons_words(result, lang)
        values["breaks"] = _phrase("breaks", lang, why=breaks) if breaks else ""
        values["bound"] = percent(result.equivalence_bound, lang, signed=False) if result.equivalence_bound else "—"
        values["events"] = event_titles(result.joint_events, lang)
        if key == "began_before":
            # Beside a dated marker too close to the event the two cannot be told apart: no "own" effect.
            own = "" if result.began_by == "marker" else "; " + _phrase("own", lang, numbers=values["numbers"])
            values.update(total=total_words(result, lang), began=began_words(result, lang), own=own)
    return SENTENCES[key][lang].format(**values)


def notes(result: Assessment, lang: str) -> list[str]:
    """The result's notes (its ``note_codes``) in the language, in their order."""
    return [note(item["code"], lang, **{k: v for k, v in item.items() if k != "code"}) for item in result.note_codes]


HEADLINE: dict[str, Message] = {
    "effect": Message("headline_effect"),
    "too_noisy": Message("headline_too_noisy"),
    "no_change_beyond": Message("headline_no_change_beyond"),
    "began_before": Message("headline_began_before"),
    "joint": Message("headline_joint"),
    "reasoned": Message("headline_reasoned"),
    "plain": Message("headline_plain"),
    "later": Message("headline_later"),
    "fewer": Message("headline_fewer"),
    "more": Message("headline_more"),
}


def headline(result: Assessment, title: str, date: str, lang: str = "en") -> str:
    """The answer in one sentence, for above the chart and on every export of it: the verdict in
    the words a newsroom can print (how much, which way, the interval; "too noisy to tell" with
    the smallest change the data could show; "no change larger than X %"; "began before")."""
    label = VERDICT_LABELS[result.verdict][lang]
    if result.effect is None or result.ci_low is None or result.ci_high is None or result.mde is None:
        if result.verdict == "not_yet_verifiable" and result.checkable_from:
            return HEADLINE["later"][lang].format(title=title, date=date, label=label,
                                                  month=month_name(result.checkable_from, lang))
        return HEADLINE["plain"][lang].format(title=title, date=date, label=label)
    unit = _unit(result, lang)
    values = dict(
        title=title, date=date, size=number(abs(result.effect), lang), unit=unit,
        direction=HEADLINE["fewer" if result.effect < 0 else "more"][lang],
        level=round((1 - result.alpha) * 100), low=number(result.ci_low, lang, True),
        high=number(result.ci_high, lang, True), label=label, mde=number(result.mde, lang),
        rel=percent(result.relative_effect, lang) if result.relative_effect is not None else "—",
        mde_rel=mde_share(result, lang),
        bound=percent(result.equivalence_bound, lang, signed=False) if result.equivalence_bound else "—",
        why=reasons_words(result, lang),
        others=event_titles(result.joint_events, lang),
        what="",
    )
    if result.semantics == "rolling_12m" and result.total_start and result.post_end:
        # A 12-month total with k of its months after the event dilutes any change by k/12: say so.
        values["what"] = " " + _phrase("what_rolling", lang, start=f"{result.total_start:%Y-%m}",
                                       end=f"{result.post_end:%Y-%m}", k=result.total_post_months)
    key = {"too_noisy": "too_noisy", "no_change_beyond": "no_change_beyond", "joint": "joint",
           "began_before": "began_before", "inconclusive": "reasoned", "confounded": "reasoned"}.get(result.verdict,
                                                                                                   "effect")
    if key == "began_before":  # short above a chart: the interval is in the sentence beside it
        values.update(moved=PHRASES["fell" if (result.total_change or 0) < 0 else "rose"][lang],
                      size=percent(abs(result.total_change or 0), lang, signed=False),
                      began=began_words(result, lang))
    return HEADLINE[key][lang].format(**values)
