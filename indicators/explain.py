"""Bilingual wording of verification results: the one place for verdict labels, notes, reasons
and the sentence that says what the numbers say. The engine hands over codes and numbers (an
:class:`~indicators.assessment.Assessment`); the words are made where a result is shown
(:func:`sentence`, :func:`notes`, :func:`headline`), in the reader's language. It never imports
the engine (:mod:`indicators.verification`), and the engine never imports it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

if TYPE_CHECKING:
    from indicators.assessment import Assessment

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "improved": {"en": "Improved", "es": "Mejoró"},
    "worsened": {"en": "Worsened", "es": "Empeoró"},
    "changed": {"en": "Changed (direction not judged)", "es": "Cambió (sin juzgar la dirección)"},
    "too_noisy": {"en": "Too noisy to tell", "es": "Demasiado ruido para saberlo"},
    "no_change_beyond": {"en": "No large change", "es": "Sin cambio grande"},
    "began_before": {"en": "Began before the event", "es": "Empezó antes del evento"},
    "joint": {"en": "Joint with a nearby event", "es": "Conjunto con un evento cercano"},
    "confounded": {"en": "Confounded", "es": "Confundido"},
    "inconclusive": {"en": "Inconclusive", "es": "No concluyente"},
    "not_yet_verifiable": {"en": "Not yet verifiable", "es": "Aún no verificable"},
    "insufficient_history": {"en": "Insufficient history", "es": "Historia insuficiente"},
    "descriptive_only": {"en": "Descriptive only", "es": "Solo descriptivo"},
    "no_data_after_event": {"en": "No data after the event", "es": "Sin datos posteriores al evento"},
    "no_data": {"en": "No data loaded", "es": "Sin datos cargados"},
}

METHOD_LABELS: dict[str, dict[str, str]] = {
    "yoy": {"en": "year-over-year comparison", "es": "comparación interanual"},
    "its": {"en": "segmented-regression counterfactual", "es": "contrafactual de regresión segmentada"},
    "structural": {"en": "structural time-series counterfactual", "es": "contrafactual de series estructurales"},
    "count": {"en": "count regression (quasi-Poisson) counterfactual",
              "es": "contrafactual de regresión de conteos (cuasi-Poisson)"},
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
        "en": "It needs data through {needed}, which the publisher was expected to release by {expected}; "
              "that release has not reached Verifica yet.",
        "es": "Requiere datos hasta {needed}, que quien los publica debía difundir hacia {expected}; esa "
              "publicación aún no llega a Verifica.",
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
    "calibrated": {
        "en": "The interval is {factor:.2f} times the model's width: at {n} fake event dates before the event "
              "(their windows overlap), the same estimate strayed up to that much further than the model's 95% "
              "bound, and the interval is widened to cover them all.",
        "es": "El intervalo mide {factor:.2f} veces el ancho del modelo: en {n} fechas ficticias anteriores al "
              "evento (sus ventanas se traslapan), la misma estimación se desvió hasta esa proporción más allá del "
              "límite de 95 % del modelo, y el intervalo se amplía para cubrirlas todas.",
    },
    "donors_same_change": {
        "en": "Control-series check: against {names} (assumed unaffected by this event), the change is {rel_pct} "
              "({rel_low_pct} to {rel_high_pct}): the controls find a change the same way.",
        "es": "Prueba con series de control: frente a {names} (que se suponen no afectadas por este evento), el "
              "cambio es {rel_pct} ({rel_low_pct} a {rel_high_pct}): las series de control encuentran un cambio en "
              "el mismo sentido.",
    },
    "donors_no_change": {
        "en": "Control-series check: against {names} (assumed unaffected by this event), the change is {rel_pct} "
              "({rel_low_pct} to {rel_high_pct}): the controls find no change either.",
        "es": "Prueba con series de control: frente a {names} (que se suponen no afectadas por este evento), el "
              "cambio es {rel_pct} ({rel_low_pct} a {rel_high_pct}): las series de control tampoco encuentran "
              "cambio.",
    },
    "donors_cannot_tell": {
        "en": "Control-series check: against {names} (assumed unaffected by this event), the change is {rel_pct} "
              "({rel_low_pct} to {rel_high_pct}): too wide to tell either.",
        "es": "Prueba con series de control: frente a {names} (que se suponen no afectadas por este evento), el "
              "cambio es {rel_pct} ({rel_low_pct} a {rel_high_pct}): demasiado amplio para saberlo también.",
    },
    "donors_other_answer": {
        "en": "Control-series check: against {names} (assumed unaffected by this event), the change is {rel_pct} "
              "({rel_low_pct} to {rel_high_pct}), a different answer from the main estimate's: the result depends "
              "on which counterfactual one trusts. No control is perfect: what moves one drug or region often "
              "moves the others.",
        "es": "Prueba con series de control: frente a {names} (que se suponen no afectadas por este evento), el "
              "cambio es {rel_pct} ({rel_low_pct} a {rel_high_pct}), una respuesta distinta de la estimación "
              "principal: el resultado depende del contrafactual en que se confíe. Ningún control es perfecto: lo "
              "que mueve una droga o región suele mover a las demás.",
    },
    "damped": {
        "en": "Forecast more than {after} months ahead, the 12-month total's trend is damped: the expected "
              "monthly change shrinks to {phi:.0%} of the month before's (estimated from the pre-period).",
        "es": "Con un pronóstico a más de {after} meses, la tendencia del total de 12 meses se amortigua: el "
              "cambio mensual esperado se reduce al {phi:.0%} del del mes anterior (estimado en el periodo previo).",
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
    "annual_through": {
        "en": "The newest published figure, multi-year windows included, ends with {year}.",
        "es": "La cifra publicada más reciente, incluidos los periodos de varios años, termina en {year}.",
    },
    "provisional_left_out": {
        "en": "{n} provisional month(s) ({first} to {last}) are left out: earlier releases of this source revised "
              "months that recent by up to {largest_pct}, more than {limit_pct}.",
        "es": "Se excluyen {n} mes(es) provisional(es) ({first} a {last}): publicaciones anteriores de esta fuente "
              "revisaron meses así de recientes hasta en {largest_pct}, más de {limit_pct}.",
    },
    "log_impossible": {
        "en": "The series has zero or negative values, so it is modelled on its own scale, not in percent.",
        "es": "La serie tiene valores cero o negativos, así que se modela en su propia escala, no en porcentaje.",
    },
    "count_impossible": {
        "en": "The values are not whole counts, so the count model is not used.",
        "es": "Los valores no son conteos enteros, así que no se usa el modelo de conteos.",
    },
    "regime_steps": {
        "en": "Dated regime changes inside the pre-period enter the counterfactual as lasting steps: {markers}.",
        "es": "Los cambios de régimen fechados dentro del periodo previo entran al contrafactual como escalones "
              "duraderos: {markers}.",
    },
    "regime_after": {
        "en": "A dated regime change ({marker}, {date}) falls inside the post window: the change cannot be the "
              "event's alone.",
        "es": "Un cambio de régimen fechado ({marker}, {date}) cae dentro de la ventana posterior: el cambio no puede "
              "ser solo del evento.",
    },
    "own_effect_bend": {
        "en": "The event's own effect is the step after the event in a segmented regression that allows the trend "
              "to bend {months} months before it.",
        "es": "El efecto propio del evento es el escalón posterior en una regresión segmentada que permite que la "
              "tendencia se doble {months} meses antes.",
    },
    "began_partly": {
        "en": "Part of the change began before the event (from {month}); the effect shown is what remains once "
              "that is allowed for.",
        "es": "Parte del cambio empezó antes del evento (desde {month}); el efecto mostrado es lo que queda al "
              "descontarlo.",
    },
    "regime_close": {
        "en": "A dated regime change ({marker}, {date}) falls within two months before the event: the two cannot "
              "be told apart by timing.",
        "es": "Un cambio de régimen fechado ({marker}, {date}) cae en los dos meses previos al evento: no pueden "
              "separarse por su fecha.",
    },
    "regime_detected": {
        "en": "The series moved to a new level in {month}, before the event, and stayed there: that month is "
              "treated as the start of a new regime, not as an outlier.",
        "es": "La serie pasó a un nuevo nivel en {month}, antes del evento, y se quedó ahí: ese mes se trata como "
              "el inicio de un nuevo régimen, no como un valor atípico.",
    },
    "joint": {
        "en": "Other linked events lie within 45 days ({events}): this result covers them together.",
        "es": "Otros eventos ligados caen a menos de 45 días ({events}): este resultado los cubre juntos.",
    },
    "annual": {
        "en": "Annual or multi-year figures allow a descriptive comparison only; no inference is made.",
        "es": "Las cifras anuales o plurianuales solo permiten una comparación descriptiva; no se hace "
              "inferencia.",
    },
    "series_closed": {
        "en": "This series closed at {through} (SESNSP moved to its RNID register in January 2026, a new catalogue, "
              "not comparable): the months this test needs will never be published in it, so it is not waiting for "
              "data; the new register is a series of its own.",
        "es": "Esta serie cerró en {through} (el SESNSP pasó a su registro RNID en enero de 2026, un nuevo catálogo, "
              "no comparable): los meses que necesita esta prueba nunca se publicarán en ella, así que no espera "
              "datos; el nuevo registro es una serie aparte.",
    },
    "displacement": {
        "en": "Displacement check over the same months ({first} to {last}; SESNSP's RNID register, crimes): "
              "{series}. A fall in intentional homicides beside a rise in these may be deaths recorded otherwise.",
        "es": "Revisión de desplazamiento en los mismos meses ({first} a {last}; registro RNID del SESNSP, delitos): "
              "{series}. Una baja del homicidio doloso junto a un alza de estos puede ser muertes registradas de "
              "otra forma.",
    },
    "displacement_unavailable": {
        "en": "Displacement check: no context series (homicidio culposo, other crimes against life) is loaded for "
              "these months ({first} to {last}); SESNSP's RNID register starts in January 2026. A fall in "
              "intentional homicides is read here without them.",
        "es": "Revisión de desplazamiento: no hay series de contexto (homicidio culposo, otros delitos contra la "
              "vida) cargadas para estos meses ({first} a {last}); el registro RNID del SESNSP empieza en enero de "
              "2026. Una baja del homicidio doloso se lee aquí sin ellas.",
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
    "noisy_detection": {
        "en": "the series is so noisy (smallest detectable change {mde}) that an estimate this imprecise which "
              "clears zero probably exaggerates the change",
        "es": "la serie es tan ruidosa (cambio mínimo detectable {mde}) que una estimación así de imprecisa que "
              "excluye el cero probablemente exagera el cambio",
    },
    "wide": {
        "en": "the interval is too wide to rule out a change larger than 25% and too narrow to call the data "
              "hopelessly noisy",
        "es": "el intervalo es demasiado amplio para descartar un cambio mayor que 25 % y demasiado estrecho para "
              "llamar a los datos irremediablemente ruidosos",
    },
    "measurement_change": {
        "en": "a dated measurement change falls inside the window",
        "es": "un cambio de medición fechado cae dentro de la ventana",
    },
    "series_closed": {
        "en": "the series closed before the months the test needs",
        "es": "la serie cerró antes de los meses que necesita la prueba",
    },
    "regime_marker": {
        "en": "a dated regime change just before the event cannot be told apart from it",
        "es": "un cambio de régimen fechado justo antes del evento no puede separarse de él",
    },
    "marker": {
        "en": "a dated regime change came first, less than two months before this event: {began}",
        "es": "un cambio de régimen fechado ocurrió antes, a menos de dos meses de este evento: {began}",
    },
    "regime_month": {
        "en": "the series had already moved to its new level in {began}, before this event",
        "es": "la serie ya había pasado a su nuevo nivel en {began}, antes de este evento",
    },
    "last_month": {
        "en": "the last month before this event ({began}) was already unusually far from the earlier path, the "
              "same way as the change after it, so the change may have begun before the event",
        "es": "el último mes antes de este evento ({began}) ya estaba inusualmente lejos de la trayectoria "
              "anterior, en el mismo sentido que el cambio posterior, así que el cambio pudo empezar antes del evento",
    },
}

# The context series of the displacement check, as its note names them.
CONTEXT_LABELS = {
    "sesnsp_rnid_culpable_homicide_crimes": {"en": "homicidio culposo", "es": "homicidio culposo"},
    "sesnsp_rnid_other_life_crimes": {"en": "other crimes against life", "es": "otros delitos contra la vida"},
}


def _context_series(items: list[dict], lang: str) -> str:
    """'homicidio culposo 1,219 → 1,430 (+17.3 %); …' from the note's numbers."""
    parts = []
    for item in items:
        label = CONTEXT_LABELS.get(item["id"], {}).get(lang, item["id"])
        change = "—" if item.get("change") is None else percent(float(item["change"]), lang)
        parts.append(f"{label} {number(float(item['from']), lang)} → {number(float(item['to']), lang)} ({change})")
    return "; ".join(parts)

BEGAN = {
    "bend": {
        "en": "its trend had already bent from {began}, before this event, and the post-event months follow that "
              "bend",
        "es": "su tendencia ya se había doblado desde {began}, antes de este evento, y los meses posteriores siguen "
              "esa curva",
    },
    "marker": REASONS["marker"],
    "regime_month": REASONS["regime_month"],
    "last_month": REASONS["last_month"],
    "recent_break": {
        "en": "the series was already moving away from its earlier path from {began}, before this event",
        "es": "la serie ya se apartaba de su trayectoria anterior desde {began}, antes de este evento",
    },
}


def note(key: str, lang: str, **values) -> str:
    """A note in the language: values given per language ({"en", "es"}) or as ``<name>_es`` pick
    the reader's; fractions named ``*_pct`` (from ``limit``, ``largest``) are shown as percentages."""
    chosen = {}
    for name, value in values.items():
        if name.endswith("_es"):
            continue
        if lang == "es" and f"{name}_es" in values:
            value = values[f"{name}_es"]
        if isinstance(value, dict) and lang in value:
            value = value[lang]
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


UNBOUNDED = {"en": "no upper limit", "es": "sin límite superior"}


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


def month_name(day, lang: str) -> str:
    """"April 2026" / "abril de 2026" (CLDR)."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", day, locale=number_locale(lang))


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
    "relative_open": {
        "en": "; {rel}, interval from {low} upwards with no upper limit (the expected level could be near zero)",
        "es": "; {rel}, intervalo desde {low} hacia arriba sin límite superior (el nivel esperado podría ser "
              "casi cero)",
    },
    "numbers": {
        "en": "{effect} {unit} against the counterfactual {what} ({level}% interval {low} to {high}{relative})",
        "es": "{effect} {unit} frente al contrafactual {what} (intervalo de {level} %: {low} a {high}{relative})",
    },
    "noise": {
        "en": "the data cannot tell a change smaller than {mde} {unit}{share} either way",
        "es": "los datos no pueden distinguir un cambio menor que {mde} {unit}{share} en cualquier dirección",
    },
    "fell": {"en": "fell", "es": "bajó"},
    "rose": {"en": "rose", "es": "subió"},
    "total": {"en": "{moved} {size} ({level}% interval {low} to {high})",
              "es": "{moved} {size} (intervalo de {level} %: {low} a {high})"},
    "own": {"en": "allowing for that, this event's own effect: {numbers}",
            "es": "descontando eso, el efecto propio de este evento: {numbers}"},
    "breaks": {"en": "; note: {why}", "es": "; nota: {why}"},
}

SENTENCES: dict[str, dict[str, str]] = {
    "not_yet_verifiable": {
        "en": "{label}: data are published only through {through}; the event can be checked once data for "
              "{needed_name} are published ({n_post} post-event month(s) so far).",
        "es": "{label}: los datos se publican solo hasta {through}; el evento podrá verificarse cuando se publiquen "
              "los datos de {needed_name} ({n_post} mes(es) posteriores por ahora).",
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
    "no_data_after_event": {
        "en": "{label}: the newest published figure ({through}) predates the event, so nothing after it can be "
              "compared yet.",
        "es": "{label}: la cifra publicada más reciente ({through}) es anterior al evento, así que aún no hay nada "
              "posterior que comparar.",
    },
    "confounded": {
        "en": "{label}: {why}, so {numbers} cannot be read as the event's effect ({method}).",
        "es": "{label}: {why}, así que {numbers} no puede leerse como efecto del evento ({method}).",
    },
    "too_noisy": {"en": "{label}: {noise}; the estimate is {numbers}{breaks} ({method}).",
                  "es": "{label}: {noise}; la estimación es {numbers}{breaks} ({method})."},
    "no_change_beyond": {
        "en": "{label}: no change larger than {bound} either way; {numbers} ({method}).",
        "es": "{label}: ningún cambio mayor que {bound} en cualquier dirección; {numbers} ({method}).",
    },
    "began_before": {
        "en": "{label}: the series {total}, but {began}; it is not attributable to this event{own} ({method}).",
        "es": "{label}: la serie {total}, pero {began}; no es atribuible a este evento{own} ({method}).",
    },
    "joint": {
        "en": "{label}: {numbers}; this covers {events} as well, too close in time to tell apart ({method}).",
        "es": "{label}: {numbers}; esto cubre también {events}, demasiado cercanos en el tiempo para separarlos "
              "({method}).",
    },
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
        label = (result.began_label or {}).get(lang, "")
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


HEADLINE = {
    "effect": {
        "en": "After {title} ({date}): {size} {unit} {direction} than expected ({rel}; {level}% interval {low} to "
              "{high}) — {label}. Smallest change this test can detect: ±{mde} {unit}.",
        "es": "Tras «{title}» ({date}): {size} {unit} {direction} de lo esperado ({rel}; intervalo de {level} %: "
              "{low} a {high}) — {label}. Cambio mínimo que esta prueba detecta: ±{mde} {unit}.",
    },
    "too_noisy": {
        "en": "After {title} ({date}): {label} — the data could not show a change smaller than {mde_rel} "
              "(±{mde} {unit}); the estimate, {size} {unit} {direction} than expected ({rel}), is within that.",
        "es": "Tras «{title}» ({date}): {label} — los datos no podrían mostrar un cambio menor que {mde_rel} "
              "(±{mde} {unit}); la estimación, {size} {unit} {direction} de lo esperado ({rel}), queda dentro de ese "
              "margen.",
    },
    "no_change_beyond": {
        "en": "After {title} ({date}): {label} — no change larger than {bound} either way{what} ({rel}; {level}% "
              "interval {low} to {high} {unit}).",
        "es": "Tras «{title}» ({date}): {label} — ningún cambio mayor que {bound} en cualquier dirección{what} ({rel}; "
              "intervalo de {level} %: {low} a {high} {unit}).",
    },
    "began_before": {
        "en": "After {title} ({date}): {label} — {moved} {size}, but {began}; not attributable to this event.",
        "es": "Tras «{title}» ({date}): {label} — {moved} {size}, pero {began}; no es atribuible a este evento.",
    },
    "joint": {
        "en": "After {title} ({date}) and {others}: {size} {unit} {direction} than expected ({rel}; {level}% "
              "interval {low} to {high}) — {label}: the events are too close to tell apart.",
        "es": "Tras «{title}» ({date}) y {others}: {size} {unit} {direction} de lo esperado ({rel}; intervalo del "
              "{level} %: {low} a {high}) — {label}: los eventos están demasiado cerca para separarlos.",
    },
    "reasoned": {
        "en": "After {title} ({date}): {size} {unit} {direction} than expected ({rel}; {level}% interval {low} to "
              "{high}) — {label}: {why}.",
        "es": "Tras «{title}» ({date}): {size} {unit} {direction} de lo esperado ({rel}; intervalo de {level} %: "
              "{low} a {high}) — {label}: {why}.",
    },
    "plain": {"en": "After {title} ({date}): {label}.", "es": "Tras «{title}» ({date}): {label}."},
    "later": {"en": "After {title} ({date}): {label} — checkable once data for {month} are published.",
              "es": "Tras «{title}» ({date}): {label} — verificable cuando se publiquen los datos de {month}."},
    "fewer": {"en": "fewer", "es": "menos"},
    "more": {"en": "more", "es": "más"},
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
