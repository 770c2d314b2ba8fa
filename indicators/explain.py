"""Bilingual wording of verification results: verdict labels, notes and the one-sentence answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indicators.verification import Assessment

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "improved": {"en": "Improved", "es": "Mejoró"},
    "worsened": {"en": "Worsened", "es": "Empeoró"},
    "changed": {"en": "Changed (direction not judged)", "es": "Cambió (sin juzgar la dirección)"},
    "no_detectable_change": {"en": "No detectable change", "es": "Sin cambio detectable"},
    "not_yet_verifiable": {"en": "Not yet verifiable", "es": "Aún no verificable"},
    "confounded": {"en": "Confounded", "es": "Confundido"},
    "insufficient_history": {"en": "Insufficient history", "es": "Historia insuficiente"},
    "descriptive_only": {"en": "Descriptive only", "es": "Solo descriptivo"},
    "no_data": {"en": "No data loaded", "es": "Sin datos cargados"},
}

METHOD_LABELS: dict[str, dict[str, str]] = {
    "yoy": {"en": "year-over-year comparison", "es": "comparación interanual"},
    "its": {"en": "interrupted time series (HAC)", "es": "serie de tiempo interrumpida (HAC)"},
    "structural": {"en": "structural time-series counterfactual", "es": "contrafactual de series estructurales"},
    "descriptive": {"en": "descriptive comparison", "es": "comparación descriptiva"},
    "auto": {"en": "automatic", "es": "automático"},
}

NOTES: dict[str, dict[str, str]] = {
    "rolling": {
        "en": "Each value sums the 12 months ending that month, so a change appears gradually and "
              "neighbouring values overlap; the post window is widened to 12 months and the effect is "
              "in 12-month deaths.",
        "es": "Cada valor suma los 12 meses que terminan en ese mes, así que un cambio aparece de forma "
              "gradual y los valores vecinos se traslapan; la ventana posterior se amplía a 12 meses y el "
              "efecto está en muertes de 12 meses.",
    },
    "previous_event": {
        "en": "The pre-period ends at the previous event ({date}); the {gap} month(s) between are left out.",
        "es": "El periodo previo termina en el evento anterior ({date}); se excluyen los {gap} mes(es) "
              "intermedios.",
    },
    "previous_event_kept": {
        "en": "The previous event ({date}) falls inside the pre-period: too little history before it to "
              "end the pre-period there, so this estimate may absorb part of its effect.",
        "es": "El evento anterior ({date}) cae dentro del periodo previo: no hay historia suficiente antes "
              "de él, así que esta estimación puede absorber parte de su efecto.",
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
        "en": "Only {n} month(s) of pre-event data.",
        "es": "Solo {n} mes(es) de datos previos.",
    },
    "fallback_its": {
        "en": "The structural model could not be fitted to this series; the interrupted time series is used.",
        "es": "No se pudo ajustar el modelo estructural a esta serie; se usa la serie de tiempo interrumpida.",
    },
    "same_month": {
        "en": "Other events linked to this indicator fall in the same month ({events}): their effects "
              "cannot be separated from this one's.",
        "es": "Otros eventos ligados a este indicador caen en el mismo mes ({events}): sus efectos no "
              "pueden separarse de los de este.",
    },
    "no_seasonal": {
        "en": "Too little history for seasonal terms; fitted without them.",
        "es": "Historia insuficiente para términos estacionales; se ajustó sin ellos.",
    },
    "yoy": {
        "en": "The year-over-year comparison includes any trend that was already under way.",
        "es": "La comparación interanual incluye cualquier tendencia que ya estaba en curso.",
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


class Notes:
    """Collects notes in both languages as the assessment is made."""

    def __init__(self) -> None:
        self.english: list[str] = []
        self.spanish: list[str] = []

    def add(self, key: str, **values) -> None:
        self.english.append(NOTES[key]["en"].format(**values))
        self.spanish.append(NOTES[key]["es"].format(**values))


def add_note(result, key: str, **values) -> None:
    result.notes.append(NOTES[key]["en"].format(**values))
    result.notes_es.append(NOTES[key]["es"].format(**values))


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def _number_es(value: float) -> str:
    return _number(value).replace(",", " ")


def sentence(result: Assessment) -> tuple[str, str]:
    """One sentence in English and in Spanish saying what the numbers say."""
    verdict = result.verdict
    method_en = METHOD_LABELS.get(result.method, METHOD_LABELS["auto"])["en"]
    method_es = METHOD_LABELS.get(result.method, METHOD_LABELS["auto"])["es"]
    level = round((1 - result.alpha) * 100)
    if result.pre_ends_at_event:
        method_en += f"; pre-period ends at the previous event, {result.pre_ends_at_event:%Y-%m-%d}"
        method_es += f"; el periodo previo termina en el evento anterior, {result.pre_ends_at_event:%Y-%m-%d}"
    if verdict == "not_yet_verifiable":
        through = f"{result.data_through:%Y-%m}" if result.data_through else "—"
        en = (f"Not yet verifiable: data are published only through {through}, and the event needs data "
              f"through {result.checkable_from:%Y-%m} ({result.n_post} post-event month(s) so far).")
        es = (f"Aún no verificable: los datos se publican solo hasta {through} y el evento requiere datos "
              f"hasta {result.checkable_from:%Y-%m} ({result.n_post} mes(es) posteriores por ahora).")
        return en, es
    if verdict == "insufficient_history":
        return (f"Insufficient history: only {result.n_pre} pre-event months to build a counterfactual.",
                f"Historia insuficiente: solo {result.n_pre} meses previos para construir un contrafactual.")
    if verdict == "descriptive_only":
        return ("Annual figures: described, not tested; no change can be attributed to the event.",
                "Cifras anuales: se describen, no se prueban; no se puede atribuir un cambio al evento.")
    effect, low, high = result.effect, result.ci_low, result.ci_high
    rolling = result.semantics == "rolling_12m"
    per, per_es = ("in the 12-month total", "en el total de 12 meses") if rolling else ("per month", "por mes")
    span = f"{_number(effect)} {per} ({level}% interval {_number(low)} to {_number(high)})"
    span_es = f"{_number_es(effect)} {per_es} (intervalo de {level}%: {_number_es(low)} a {_number_es(high)})"
    window = f"over {result.n_post} month(s) from {result.post_start:%Y-%m}"
    window_es = f"en {result.n_post} mes(es) desde {result.post_start:%Y-%m}"
    if verdict == "confounded":
        return (f"Confounded: a measurement change falls inside the window, so the estimated {span} {window} "
                f"({method_en}) cannot be read as the event's effect.",
                f"Confundido: un cambio de medición cae dentro de la ventana, así que el efecto estimado de "
                f"{span_es} {window_es} ({method_es}) no puede leerse como efecto del evento.")
    if verdict == "no_detectable_change":
        return (f"No detectable change: the difference from the counterfactual, {span} {window}, is "
                f"compatible with zero ({method_en}).",
                f"Sin cambio detectable: la diferencia con el contrafactual, {span_es} {window_es}, es "
                f"compatible con cero ({method_es}).")
    label = VERDICT_LABELS[verdict]
    return (f"{label['en']}: {span} {window} against the counterfactual ({method_en}).",
            f"{label['es']}: {span_es} {window_es} frente al contrafactual ({method_es}).")
