"""Interface strings in English and Spanish; data texts carry their own {"en", "es"} pairs."""

from __future__ import annotations

LANGUAGES = ("en", "es")

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"en": "Verifica — US–Mexico security commitments against the public numbers",
                  "es": "Verifica — compromisos de seguridad México–EE. UU. frente a las cifras públicas"},
    "nav_explorer": {"en": "Explorer", "es": "Explorador"},
    "indicator": {"en": "Indicator", "es": "Indicador"},
    "geography": {"en": "Geography", "es": "Geografía"},
    "date_range": {"en": "Months shown", "es": "Meses mostrados"},
    "as_of": {"en": "Data as known on (blank = latest)", "es": "Datos conocidos al (vacío = lo más reciente)"},
    "event_types": {"en": "Events shown", "es": "Eventos mostrados"},
    "show_unconfirmed": {"en": "Include announced but unconfirmed events",
                         "es": "Incluir eventos anunciados sin confirmar"},
    "type_meeting": {"en": "Meetings", "es": "Reuniones"},
    "type_statement": {"en": "Statements", "es": "Declaraciones"},
    "type_commitment": {"en": "Commitments", "es": "Compromisos"},
    "type_action": {"en": "Actions", "es": "Acciones"},
    "type_measurement_change": {"en": "Measurement changes", "es": "Cambios de medición"},
    "reported": {"en": "reported", "es": "reportado"},
    "predicted": {"en": "predicted (adjusted for pending investigations)",
                  "es": "predicho (ajustado por investigaciones pendientes)"},
    "provisional": {"en": "provisional", "es": "provisional"},
    "confidence": {"en": "confidence", "es": "confianza"},
    "confidence_high": {"en": "high", "es": "alta"},
    "confidence_medium": {"en": "medium", "es": "media"},
    "confidence_low": {"en": "low", "es": "baja"},
    "source": {"en": "Source", "es": "Fuente"},
    "citation": {"en": "Citation", "es": "Cita"},
    "vintage": {"en": "Data vintage", "es": "Versión de los datos"},
    "published": {"en": "published", "es": "publicada"},
    "caveats": {"en": "Read with care", "es": "Leer con cuidado"},
    "download": {"en": "Download this view", "es": "Descargar esta vista"},
    "no_data": {"en": "No data for this selection.", "es": "No hay datos para esta selección."},
    "data_through": {"en": "Data through", "es": "Datos hasta"},
    "refresh_failed": {
        "en": "The last refresh of {source} failed on {when}: {message}. The previous data is still shown.",
        "es": "La última actualización de {source} falló el {when}: {message}. Se muestran los datos anteriores.",
    },
    "unconfirmed": {"en": "announced, not confirmed as held", "es": "anunciado, sin confirmar"},
    "expected": {"en": "expected", "es": "esperado"},
    "direction_down": {"en": "down", "es": "a la baja"},
    "direction_up": {"en": "up", "es": "al alza"},
    "direction_ambiguous": {"en": "ambiguous", "es": "ambiguo"},
    "direction_none": {"en": "none", "es": "ninguno"},
    "language": {"en": "Español", "es": "English"},
    "start": {"en": "Start", "es": "Inicio"},
    "end": {"en": "Latest", "es": "Lo más reciente"},
    "latest": {"en": "Latest data", "es": "Datos más recientes"},
    "nav_scorecard": {"en": "Scorecard", "es": "Tablero de verificación"},
    "counterfactual": {"en": "counterfactual (no event)", "es": "contrafactual (sin evento)"},
    "assess_event": {"en": "Verify against an event", "es": "Verificar frente a un evento"},
    "method": {"en": "Method", "es": "Método"},
    "no_event": {"en": "(none)", "es": "(ninguno)"},
    "effect": {"en": "Effect (actual − counterfactual)", "es": "Efecto (observado − contrafactual)"},
    "mde": {"en": "Smallest detectable change (80 % power)", "es": "Cambio mínimo detectable (potencia 80 %)"},
    "q_value": {"en": "q-value (false discovery rate, whole grid)",
                "es": "valor q (tasa de falsos descubrimientos, todo el tablero)"},
    "checks": {"en": "Robustness checks", "es": "Pruebas de robustez"},
    "check_passed": {"en": "agrees", "es": "coincide"},
    "check_failed": {"en": "disagrees", "es": "no coincide"},
    "check_na": {"en": "not possible with these data", "es": "no es posible con estos datos"},
    "check_placebo": {"en": "Placebo-in-time (studentised)", "es": "Placebo en el tiempo (estudentizado)"},
    "check_recent_break": {"en": "No departure in the last 6 pre-event months",
                           "es": "Sin desviación en los últimos 6 meses previos"},
    "check_outlier": {"en": "Without unusual months just before the event",
                      "es": "Sin meses atípicos justo antes del evento"},
    "check_pre_length": {"en": "Other pre-period length", "es": "Otra longitud del periodo previo"},
    "check_other_method": {"en": "Other model", "es": "Otro modelo"},
    "multiple_tests": {"en": "{n} cells are tested at {level} %: about {k} would look significant by chance "
                             "alone. Each cell's q-value accounts for that.",
                       "es": "Se prueban {n} celdas al {level} %: cerca de {k} parecerían significativas solo por "
                             "azar. El valor q de cada celda lo toma en cuenta."},
    "mde_short": {"en": "smallest detectable ±{value}", "es": "mínimo detectable ±{value}"},
    "merged_with": {"en": "same month as", "es": "mismo mes que"},
    "interval": {"en": "interval", "es": "intervalo"},
    "relative_effect": {"en": "Relative effect", "es": "Efecto relativo"},
    "cumulative_effect": {"en": "Cumulative effect", "es": "Efecto acumulado"},
    "p_value": {"en": "Model p-value", "es": "Valor p del modelo"},
    "placebo": {"en": "Placebo-in-time rank p", "es": "p por rango de placebos en el tiempo"},
    "placebo_dates": {"en": "fake dates", "es": "fechas ficticias"},
    "windows": {"en": "Pre / post months", "es": "Meses previos / posteriores"},
    "data_through_short": {"en": "Data through", "es": "Datos hasta"},
    "checkable_from": {"en": "Checkable once published", "es": "Verificable cuando se publique"},
    "scorecard_title": {"en": "Did anything measurably change after each commitment?",
                        "es": "¿Cambió algo de forma medible después de cada compromiso?"},
    "scorecard_intro": {
        "en": "Each cell compares the months after a commitment with a counterfactual built from the months "
              "before it (structural time-series model by default). Click a cell for the chart and the numbers.",
        "es": "Cada celda compara los meses posteriores a un compromiso con un contrafactual construido con los "
              "meses anteriores (modelo estructural por defecto). Haga clic en una celda para ver la gráfica y "
              "las cifras.",
    },
    "commitment": {"en": "Commitment", "es": "Compromiso"},
    "expected_short": {"en": "expected", "es": "esperado"},
}


def t(key: str, lang: str, **values: str) -> str:
    text = STRINGS[key].get(lang if lang in LANGUAGES else "en", STRINGS[key]["en"])
    return text.format(**values) if values else text


def pick(pair: dict[str, str] | None, lang: str) -> str:
    """The text of a data field {"en": ..., "es": ...} in the language, falling back to English."""
    if not pair:
        return ""
    return pair.get(lang) or pair.get("en", "")


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "en"
