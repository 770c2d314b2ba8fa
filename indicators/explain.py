"""Bilingual wording of verification results: the one place for verdict labels, notes, reasons
and the sentence that says what the numbers say. The engine hands over codes and numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

if TYPE_CHECKING:
    from indicators.verification import Assessment

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "improved": {"en": "Improved", "es": "Mejoró"},
    "worsened": {"en": "Worsened", "es": "Empeoró"},
    "changed": {"en": "Changed (direction not judged)", "es": "Cambió (sin juzgar la dirección)"},
    "inconclusive": {"en": "Inconclusive", "es": "No concluyente"},
    "no_detectable_change": {"en": "No detectable change", "es": "Sin cambio detectable"},
    "not_yet_verifiable": {"en": "Not yet verifiable", "es": "Aún no verificable"},
    "confounded": {"en": "Confounded", "es": "Confundido"},
    "insufficient_history": {"en": "Insufficient history", "es": "Historia insuficiente"},
    "descriptive_only": {"en": "Descriptive only", "es": "Solo descriptivo"},
    "no_data": {"en": "No data loaded", "es": "Sin datos cargados"},
}

METHOD_LABELS: dict[str, dict[str, str]] = {
    "yoy": {"en": "year-over-year comparison", "es": "comparación interanual"},
    "its": {"en": "segmented-regression counterfactual", "es": "contrafactual de regresión segmentada"},
    "structural": {"en": "structural time-series counterfactual", "es": "contrafactual de series estructurales"},
    "descriptive": {"en": "descriptive comparison", "es": "comparación descriptiva"},
    "auto": {"en": "automatic", "es": "automático"},
}

NOTES: dict[str, dict[str, str]] = {
    "rolling": {
        "en": "Each value sums the 12 months ending that month: the effect compares the observed and the "
              "expected 12-month total at the last post-event month, so it counts each death once.",
        "es": "Cada valor suma los 12 meses que terminan en ese mes: el efecto compara el total de 12 meses "
              "observado y el esperado en el último mes posterior, así que cuenta cada muerte una vez.",
    },
    "predicted": {
        "en": "CDC's predicted counts (adjusted for deaths still under investigation) are used where "
              "published: reported counts of recent months are incomplete and would read as a fall.",
        "es": "Se usan los conteos predichos de los CDC (ajustados por muertes aún en investigación) donde "
              "existen: los conteos reportados de meses recientes están incompletos y parecerían una baja.",
    },
    "left_out": {
        "en": "{n} month(s) between the pre-period and the post window ({first} to {last}) are left out of "
              "both; the counterfactual is forecast through them.",
        "es": "{n} mes(es) entre el periodo previo y la ventana posterior ({first} a {last}) quedan fuera de "
              "ambos; el contrafactual se pronostica a través de ellos.",
    },
    "previous_event": {
        "en": "The pre-period ends before the previous linked event ({date}): the counterfactual is a world "
              "with neither event, so the estimate includes any lasting effect of that earlier event.",
        "es": "El periodo previo termina antes del evento ligado anterior ({date}): el contrafactual es un "
              "mundo sin ninguno de los dos eventos, así que la estimación incluye cualquier efecto duradero "
              "de aquel evento.",
    },
    "outlier_excluded": {
        "en": "Outlying month(s) just before the event ({months}) are left out of the counterfactual's fit; "
              "the check below says whether the result depends on that.",
        "es": "Mes(es) atípico(s) justo antes del evento ({months}) se excluyen del ajuste del contrafactual; "
              "la prueba de abajo dice si el resultado depende de ello.",
    },
    "placebo_unavailable": {
        "en": "The placebo-in-time check was not possible: the history before the pre-period allows only {n} "
              "fake date(s), fewer than {needed}.",
        "es": "La prueba de placebo en el tiempo no fue posible: la historia antes del periodo previo permite "
              "solo {n} fecha(s) ficticia(s), menos de {needed}.",
    },
    "previous_event_kept": {
        "en": "The previous linked event ({date}) falls inside the pre-period: too little history before it "
              "to end the pre-period there, so this estimate may absorb part of its effect.",
        "es": "El evento ligado anterior ({date}) cae dentro del periodo previo: no hay historia suficiente "
              "antes de él, así que esta estimación puede absorber parte de su efecto.",
    },
    "later_events": {
        "en": "Later linked events fall inside the post window ({events}): the estimate includes any effect "
              "of theirs.",
        "es": "Eventos ligados posteriores caen dentro de la ventana posterior ({events}): la estimación "
              "incluye cualquier efecto suyo.",
    },
    "lag": {
        "en": "It needs data through {needed}, expected to be published around {expected}.",
        "es": "Requiere datos hasta {needed}, cuya publicación se espera hacia {expected}.",
    },
    "lag_overdue": {
        "en": "It needs data through {needed}, which should have been published by {expected}: refresh the "
              "source.",
        "es": "Requiere datos hasta {needed}, que debieron publicarse hacia {expected}: actualice la fuente.",
    },
    "provisional": {
        "en": "{n} post-event month(s) are provisional and may be revised.",
        "es": "{n} mes(es) posteriores son provisionales y pueden revisarse.",
    },
    "insufficient": {
        "en": "Only {n} month(s) of pre-event data; the models are calibrated from {needed}.",
        "es": "Solo {n} mes(es) de datos previos; los modelos están calibrados a partir de {needed}.",
    },
    "constant_pre": {
        "en": "The pre-period is constant: there is no variation from which to judge a change.",
        "es": "El periodo previo es constante: no hay variación con la cual juzgar un cambio.",
    },
    "not_estimable": {
        "en": "Neither model could be fitted to this pre-period.",
        "es": "Ningún modelo pudo ajustarse a este periodo previo.",
    },
    "fallback_its": {
        "en": "The structural model could not be fitted to this series; the segmented regression is used.",
        "es": "No se pudo ajustar el modelo estructural a esta serie; se usa la regresión segmentada.",
    },
    "same_month": {
        "en": "Events in the same month cannot be told apart; this result covers them together ({events}).",
        "es": "Los eventos del mismo mes no pueden separarse; este resultado los cubre juntos ({events}).",
    },
    "yoy": {
        "en": "The year-over-year comparison includes any trend already under way: described, not tested.",
        "es": "La comparación interanual incluye cualquier tendencia ya en curso: se describe, no se prueba.",
    },
    "confounded": {
        "en": "A dated measurement change ({date}) falls inside the window.",
        "es": "Un cambio de medición fechado ({date}) cae dentro de la ventana.",
    },
    "annual": {
        "en": "Annual or multi-year figures allow a descriptive comparison only; no inference is made.",
        "es": "Las cifras anuales o plurianuales solo permiten una comparación descriptiva; no se hace "
              "inferencia.",
    },
}

REASONS: dict[str, dict[str, str]] = {
    "placebo": {
        "en": "shifts this large are not unusual at earlier dates in this series",
        "es": "desviaciones así de grandes no son raras en fechas anteriores de esta serie",
    },
    "recent_break": {
        "en": "the months just before the event had already moved away from the earlier path, so the change "
              "may have begun before the event",
        "es": "los meses previos al evento ya se habían apartado de la trayectoria anterior, así que el cambio "
              "pudo haber empezado antes del evento",
    },
    "outlier": {
        "en": "the result depends on unusual months just before the event",
        "es": "el resultado depende de meses atípicos justo antes del evento",
    },
    "pre_length": {
        "en": "the estimate does not hold with a shorter or longer pre-period",
        "es": "la estimación no se sostiene con un periodo previo más corto o más largo",
    },
    "other_method": {
        "en": "the other model does not agree",
        "es": "el otro modelo no coincide",
    },
}


def note(key: str, lang: str, **values) -> str:
    return NOTES[key][lang].format(**values)


# The CLDR locale of each interface language: Mexican Spanish (comma groups, point decimals, as
# SESNSP and INEGI publish), United States English.
NUMBER_LOCALES = {"en": "en_US", "es": "es_MX"}


def number_locale(lang: str) -> str:
    return NUMBER_LOCALES.get(lang, "en_US")


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
    return f"{text} %" if lang == "es" else f"{text}%"


PHRASES: dict[str, dict[str, str]] = {
    "what_rolling": {
        "en": "in the 12-month total {start} to {end} ({k} of its 12 months after the event)",
        "es": "en el total de 12 meses {start} a {end} ({k} de sus 12 meses después del evento)",
    },
    "what_monthly": {
        "en": "on average per month over {n} month(s) from {start}",
        "es": "en promedio mensual durante {n} mes(es) desde {start}",
    },
    "relative": {"en": "; {rel}, interval {low} to {high}", "es": "; {rel}, intervalo {low} a {high}"},
    "unbounded": {"en": "unbounded", "es": "sin límite"},
    "numbers": {
        "en": "{effect} {unit} against the counterfactual {what} ({level}% interval {low} to {high}{relative})",
        "es": "{effect} {unit} frente al contrafactual {what} (intervalo de {level} %: {low} a {high}{relative})",
    },
    "noise": {
        "en": "the data are too noisy to tell a change smaller than {mde} {unit}{share} either way",
        "es": "los datos son demasiado ruidosos para distinguir un cambio menor que {mde} {unit}{share} en "
              "cualquier dirección",
    },
}

SENTENCES: dict[str, dict[str, str]] = {
    "not_yet_verifiable": {
        "en": "{label}: data are published only through {through}, and the event needs data through {needed} "
              "({n_post} post-event month(s) so far).",
        "es": "{label}: los datos se publican solo hasta {through} y el evento requiere datos hasta {needed} "
              "({n_post} mes(es) posteriores por ahora).",
    },
    "insufficient": {
        "en": "{label}: {n_pre} usable pre-event months are not enough to build a counterfactual.",
        "es": "{label}: {n_pre} meses previos utilizables no bastan para construir un contrafactual.",
    },
    "constant_pre": {
        "en": "{label}: the pre-period is constant; there is no variation to judge a change against.",
        "es": "{label}: el periodo previo es constante; no hay variación con la cual juzgar un cambio.",
    },
    "not_estimable": {
        "en": "{label}: no model could be fitted to the {n_pre} pre-event months.",
        "es": "{label}: ningún modelo pudo ajustarse a los {n_pre} meses previos.",
    },
    "yoy": {
        "en": "{label}: {effect} {unit} against the same months a year earlier ({rel}); not attributed to the "
              "event.",
        "es": "{label}: {effect} {unit} frente a los mismos meses del año anterior ({rel}); no se atribuye al "
              "evento.",
    },
    "descriptive": {
        "en": "{label}: figures described, not tested; no change can be attributed to the event.",
        "es": "{label}: cifras que se describen, no se prueban; no se puede atribuir un cambio al evento.",
    },
    "confounded": {
        "en": "{label}: a measurement change falls inside the window, so {numbers} cannot be read as the event's "
              "effect ({method}).",
        "es": "{label}: un cambio de medición cae dentro de la ventana, así que {numbers} no puede leerse como "
              "efecto del evento ({method}).",
    },
    "no_detectable_change": {"en": "{label}: {numbers}; {noise} ({method}).",
                             "es": "{label}: {numbers}; {noise} ({method})."},
    "inconclusive": {"en": "{label}: {numbers}, but {why} ({method}).",
                     "es": "{label}: {numbers}, pero {why} ({method})."},
    "directional": {"en": "{label}: {numbers} ({method}).", "es": "{label}: {numbers} ({method})."},
}


def effect_unit(unit: dict[str, str] | None, semantics: str, lang: str) -> str:
    """The unit of an effect: for a 12-month total, the count itself ("deaths")."""
    text = (unit or {}).get(lang, "")
    return text.split(",")[0] if semantics == "rolling_12m" else text


def _unit(result: Assessment, lang: str) -> str:
    return effect_unit(result.unit, result.semantics, lang)


def _phrase(key: str, lang: str, **values) -> str:
    return PHRASES[key][lang].format(**values)


def _numbers(result: Assessment, lang: str) -> str:
    if result.semantics == "rolling_12m":
        what = _phrase("what_rolling", lang, start=f"{result.total_start:%Y-%m}", end=f"{result.post_end:%Y-%m}",
                       k=result.total_post_months)
    else:
        what = _phrase("what_monthly", lang, n=result.n_post, start=f"{result.post_start:%Y-%m}")
    relative = ""
    if result.relative_effect is not None:
        high = (percent(result.relative_ci_high, lang) if result.relative_ci_high is not None
                else PHRASES["unbounded"][lang])
        relative = _phrase("relative", lang, rel=percent(result.relative_effect, lang),
                           low=percent(result.relative_ci_low, lang), high=high)
    return _phrase("numbers", lang, effect=number(result.effect, lang, True), unit=_unit(result, lang), what=what,
                   level=round((1 - result.alpha) * 100), low=number(result.ci_low, lang),
                   high=number(result.ci_high, lang), relative=relative)


def _noise(result: Assessment, lang: str) -> str:
    share = f" ({percent(result.mde_relative, lang, signed=False)})" if result.mde_relative is not None else ""
    return _phrase("noise", lang, mde=number(result.mde, lang), unit=_unit(result, lang), share=share)


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
              "method": METHOD_LABELS.get(result.method, METHOD_LABELS["auto"])[lang]}
    if key == "not_yet_verifiable":
        values.update(through=f"{result.data_through:%Y-%m}" if result.data_through else "—",
                      needed=f"{result.checkable_from:%Y-%m}")
    elif key == "yoy":
        values.update(effect=number(result.effect, lang, True), unit=_unit(result, lang),
                      rel=percent(result.relative_effect, lang))
    elif key in ("confounded", "no_detectable_change", "inconclusive", "directional"):
        values["numbers"] = _numbers(result, lang)
        if key == "no_detectable_change":
            values["noise"] = _noise(result, lang)
        if key == "inconclusive":
            values["why"] = "; ".join(REASONS[code][lang] for code in result.reasons)
    return SENTENCES[key][lang].format(**values)


def render(result: Assessment) -> None:
    """Fill the result's explanation and notes, in both languages, from its codes and numbers."""
    for lang, sentence_attr, notes_attr in (("en", "explanation", "notes"), ("es", "explanation_es", "notes_es")):
        setattr(result, sentence_attr, sentence(result, lang))
        setattr(result, notes_attr, [
            note(item["code"], lang, **{k: v for k, v in item.items() if k != "code"}) for item in result.note_codes
        ])


HEADLINE = {
    "effect": {
        "en": "After {title} ({date}): {size} {unit} {direction} than expected ({level}% interval {low} to {high})"
              " — {label}{noisy}. Smallest change this test can detect: ±{mde} {unit}.",
        "es": "Tras {title} ({date}): {size} {unit} {direction} de lo esperado (intervalo del {level} %: {low} a "
              "{high}) — {label}{noisy}. Cambio mínimo que esta prueba detecta: ±{mde} {unit}.",
    },
    "plain": {"en": "After {title} ({date}): {label}.", "es": "Tras {title} ({date}): {label}."},
    "fewer": {"en": "fewer", "es": "menos"},
    "more": {"en": "more", "es": "más"},
    "noisy": {"en": " (too noisy to tell)", "es": " (demasiado ruido para saberlo)"},
}


def headline(result: Assessment, title: str, date: str, lang: str = "en") -> str:
    """The answer in one sentence, for above the chart and on every export of it: how much, which
    way, the interval, the verdict, and the smallest change the test could have seen."""
    label = VERDICT_LABELS[result.verdict][lang]
    if result.effect is None or result.ci_low is None or result.ci_high is None or result.mde is None:
        return HEADLINE["plain"][lang].format(title=title, date=date, label=label)
    unit = _unit(result, lang)
    return HEADLINE["effect"][lang].format(
        title=title, date=date, size=number(abs(result.effect), lang), unit=unit,
        direction=HEADLINE["fewer" if result.effect < 0 else "more"][lang],
        level=round((1 - result.alpha) * 100), low=number(result.ci_low, lang, True),
        high=number(result.ci_high, lang, True), label=label,
        noisy=HEADLINE["noisy"][lang] if result.verdict == "inconclusive" else "",
        mde=number(result.mde, lang))
