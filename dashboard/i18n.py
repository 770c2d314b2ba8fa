"""Interface strings in English and Spanish; data texts carry their own {"en", "es"} pairs."""

from __future__ import annotations

LANGUAGES = ("en", "es")

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"en": "Verifica — US–Mexico security commitments against the public numbers",
                  "es": "Verifica — compromisos de seguridad México–EE. UU. frente a las cifras públicas"},
    "nav_explorer": {"en": "Explorer", "es": "Explorador"},
    "nav_claims": {"en": "Claims", "es": "Cifras oficiales"},
    "nav_sources": {"en": "Sources", "es": "Fuentes"},
    "nav_overview": {"en": "Overview", "es": "Resumen"},
    "overview_title": {"en": "Since the last meeting, and how fresh the data are",
                       "es": "Desde la última reunión, y qué tan recientes son los datos"},
    "overview_changes_intro": {
        "en": "The month before the meeting against the newest month published after it: a description, not a "
              "test (open an indicator for the counterfactual and its interval).",
        "es": "El mes anterior a la reunión frente al mes más reciente publicado después: una descripción, no una "
              "prueba (abra un indicador para ver el contrafactual y su intervalo)."},
    "timeline_verifiability": {"en": "Can it be verified?", "es": "¿Se puede verificar?"},
    "overview_pick": {"en": "Compare against (meeting, statement or commitment)",
                      "es": "Comparar con (reunión, declaración o compromiso)"},
    "overview_before": {"en": "Before the meeting", "es": "Antes de la reunión"},
    "overview_latest": {"en": "Latest after it", "es": "Lo más reciente después"},
    "overview_change": {"en": "Change", "es": "Cambio"},
    "overview_not_yet": {"en": "Nothing published for after the meeting yet (data through {through})",
                         "es": "Aún no hay datos publicados posteriores a la reunión (datos hasta {through})"},
    "overview_no_before": {"en": "No data before the meeting", "es": "Sin datos anteriores a la reunión"},
    "overview_see_explorer": {"en": "Yearly figures: see the explorer", "es": "Cifras anuales: ver el explorador"},
    "overview_freshness": {"en": "Sources: newest data and next release",
                           "es": "Fuentes: datos más recientes y próxima publicación"},
    "overview_latest_release": {"en": "Latest release", "es": "Última publicación"},
    "overview_next_due": {"en": "Next release due by", "es": "Próxima publicación esperada antes de"},
    "overview_state": {"en": "State", "es": "Estado"},
    "overview_on_time": {"en": "on time", "es": "al día"},
    "overview_overdue": {"en": "overdue", "es": "atrasada"},
    "overview_failing": {"en": "last refresh failed", "es": "falló la última actualización"},
    "overview_import_only": {"en": "import only (no live endpoint)", "es": "solo importación (sin acceso en línea)"},
    "overview_static": {"en": "no regular releases", "es": "sin publicaciones periódicas"},
    "nav_timeline": {"en": "Timeline", "es": "Cronología"},
    "timeline_title": {"en": "Commitments timeline", "es": "Cronología de compromisos"},
    "timeline_count": {"en": "{n} of {total} events", "es": "{n} de {total} eventos"},
    "timeline_filter_types": {"en": "Type", "es": "Tipo"},
    "timeline_filter_party": {"en": "Party", "es": "Parte"},
    "timeline_filter_confidence": {"en": "Confidence", "es": "Confianza"},
    "timeline_confidence_confirmed": {"en": "confirmed (two sources or an official text)",
                                      "es": "confirmado (dos fuentes o un texto oficial)"},
    "timeline_confidence_single": {"en": "one source", "es": "una sola fuente"},
    "timeline_confidence_uncertain": {"en": "date or detail inferred", "es": "fecha o detalle inferido"},
    "timeline_confidence_not_found": {"en": "announced, never reported as held",
                                      "es": "anunciado, sin constancia de que se celebrara"},
    "timeline_indicators": {"en": "Test against an indicator ({n})", "es": "Verificar frente a un indicador ({n})"},
    "timeline_no_indicator": {"en": "No indicator is linked to this event.",
                              "es": "Ningún indicador está vinculado a este evento."},
    "sources_title": {"en": "Sources and indicators", "es": "Fuentes e indicadores"},
    "sources_intro": {"en": "Who publishes each number, how to cite it, every release loaded (a date with ~ is "
                            "estimated) and what each indicator can and cannot tell.",
                      "es": "Quién publica cada cifra, cómo citarla, cada publicación cargada (una fecha con ~ es "
                            "estimada) y lo que cada indicador puede y no puede decir."},
    "producer": {"en": "Publisher", "es": "Publica"},
    "licence": {"en": "Licence", "es": "Licencia"},
    "cadence": {"en": "Cadence", "es": "Periodicidad"},
    "cadence_monthly": {"en": "monthly", "es": "mensual"},
    "cadence_annual": {"en": "yearly", "es": "anual"},
    "cadence_irregular": {"en": "as statements are made", "es": "según se hacen declaraciones"},
    "latest_release": {"en": "Latest release", "es": "Última publicación"},
    "coverage": {"en": "covers", "es": "cubre"},
    "rows": {"en": "rows", "es": "filas"},
    "card_unit": {"en": "Unit", "es": "Unidad"},
    "card_frequency": {"en": "Frequency", "es": "Frecuencia"},
    "card_geographies": {"en": "Geographies", "es": "Geografías"},
    "card_lag": {"en": "Published", "es": "Se publica"},
    "card_direction": {"en": "Direction", "es": "Dirección"},
    "card_why": {"en": "Why that can mislead", "es": "Por qué puede engañar"},
    "card_changes": {"en": "Measurement changes", "es": "Cambios de medición"},
    "card_no_changes": {"en": "none recorded", "es": "ninguno registrado"},
    "claims_title": {"en": "Official claims checked against the public numbers",
                     "es": "Cifras oficiales contrastadas con los datos públicos"},
    "claims_intro": {
        "en": "Every figure the governments stated in public, recomputed from an independent series where one is "
              "loaded. Consistent means within {tolerance} % (preliminary figures quoted at press conferences are "
              "revised by later open-data cuts, usually by less than 1 %); a figure stated as \"more than\" is a "
              "lower bound.",
        "es": "Cada cifra que los gobiernos dijeron en público, recalculada con una serie independiente cuando hay "
              "una cargada. Consistente significa dentro de {tolerance} % (las cifras preliminares de la mañanera "
              "se revisan en cortes posteriores de datos abiertos, casi siempre menos de 1 %); una cifra dicha "
              "como \"más de\" es un límite inferior."},
    "claims_summary": {"en": "{n} claims: {consistent} consistent, {inconsistent} inconsistent, {not_checkable} not "
                             "checkable.",
                       "es": "{n} cifras: {consistent} consistentes, {inconsistent} inconsistentes, {not_checkable} "
                             "no verificables."},
    "claim_col_claim": {"en": "Claim", "es": "Cifra"},
    "claims_search": {"en": "Search (claim, who, kind)", "es": "Buscar (cifra, quién, tipo)"},
    "claims_all": {"en": "all", "es": "todos"},
    "claims_claimant": {"en": "Who said it", "es": "Quién lo dijo"},
    "claims_sort": {"en": "Sort by", "es": "Ordenar por"},
    "claims_sort_stated_on": {"en": "date stated", "es": "fecha en que se dijo"},
    "claims_sort_period_end": {"en": "end of the period", "es": "fin del periodo"},
    "claims_sort_status": {"en": "status (inconsistent first)", "es": "estado (inconsistentes primero)"},
    "claims_sort_difference": {"en": "size of the difference", "es": "tamaño de la diferencia"},
    "claims_sort_claim": {"en": "claim (A–Z)", "es": "cifra (A–Z)"},
    "claims_order": {"en": "Order", "es": "Orden"},
    "claims_natural": {"en": "as the sort says", "es": "el del criterio"},
    "claims_desc": {"en": "descending", "es": "descendente"},
    "claims_asc": {"en": "ascending", "es": "ascendente"},
    "claims_shown": {"en": "Showing {n} of {total} claims", "es": "Se muestran {n} de {total} cifras"},
    "claims_none": {"en": "No claim matches this selection.", "es": "Ninguna cifra coincide con esta selección."},
    "claim_col_who": {"en": "Who, when", "es": "Quién, cuándo"},
    "claim_col_period": {"en": "Period", "es": "Periodo"},
    "claim_col_value": {"en": "Stated", "es": "Dicho"},
    "claim_col_independent": {"en": "Independent figure", "es": "Cifra independiente"},
    "claim_col_status": {"en": "Status", "es": "Estado"},
    "claim_stated_on": {"en": "stated {date}", "es": "dicho el {date}"},
    "claim_event": {"en": "timeline: {event}", "es": "cronología: {event}"},
    "claim_undated": {"en": "date of statement not given", "es": "fecha de la declaración no indicada"},
    "claim_lower_bound": {"en": "more than {value}", "es": "más de {value}"},
    "claim_status_consistent": {"en": "Consistent", "es": "Consistente"},
    "claim_status_inconsistent": {"en": "Inconsistent", "es": "Inconsistente"},
    "claim_status_not_checkable": {"en": "Not checkable", "es": "No verificable"},
    "claim_reason_matches": {"en": "Matches the independent figure.", "es": "Coincide con la cifra independiente."},
    "claim_reason_within_tolerance": {"en": "Within {tolerance} % of the independent figure (a preliminary figure "
                                            "later revised).",
                                      "es": "Dentro de {tolerance} % de la cifra independiente (una cifra preliminar "
                                            "revisada después)."},
    "claim_reason_higher_than_independent": {"en": "Higher than the independent figure; more than revisions explain.",
                                             "es": "Mayor que la cifra independiente; más de lo que explican las "
                                                   "revisiones."},
    "claim_reason_lower_than_independent": {"en": "Lower than the independent figure; more than revisions explain.",
                                            "es": "Menor que la cifra independiente; más de lo que explican las "
                                                  "revisiones."},
    "claim_reason_different_basis": {"en": "Stated on another basis (INEGI death registrations, not SESNSP "
                                           "victims): no like-for-like series is loaded.",
                                     "es": "Dicha con otra base (defunciones registradas del INEGI, no víctimas del "
                                           "SESNSP): no hay una serie equivalente cargada."},
    "claim_reason_no_independent_series": {"en": "No independent series is loaded for this figure.",
                                           "es": "No hay una serie independiente cargada para esta cifra."},
    "claim_reason_no_release_in_force": {"en": "The independent series has no release in force on this date "
                                               "(withdrawn); it can be checked again once one is published.",
                                         "es": "La serie independiente no tiene una publicación vigente en esta "
                                               "fecha (retirada); podrá verificarse cuando se publique una."},
    "claim_reason_not_published_yet": {"en": "The independent figure is not published yet; expected by "
                                             "{expected_by}.",
                                       "es": "La cifra independiente aún no se publica; se espera para "
                                             "{expected_by}."},
    "claim_reason_not_loaded_yet": {"en": "The independent figure was expected by {expected_by}; the data "
                                          "Verifica has end {data_through} (a newer release is overdue).",
                                    "es": "La cifra independiente se esperaba para {expected_by}; los datos que "
                                          "tiene Verifica terminan en {data_through} (una publicación más reciente "
                                          "está atrasada)."},
    "source_overdue": {"en": "A newer release is overdue: it was expected by {due}; the newest data are for {month}.",
                       "es": "Una publicación más reciente está atrasada: se esperaba para {due}; los datos más "
                             "recientes son de {month}."},
    "source_overdue_operator": {"en": "Operators: fetch it with", "es": "Operadores: obténganla con"},
    "claim_off_by": {"en": "Off by {difference} {unit} ({percent} %).", "es": "Difiere en {difference} {unit} "
                                                                            "({percent} %)."},
    "claim_diff": {"en": "Difference {percent} %.", "es": "Diferencia {percent} %."},
    "claim_would_need": {"en": "Would need {what}.", "es": "Haría falta {what}."},
    "claim_own_decrease": {"en": "Below the government's own earlier cumulative figure ({value} at {date}).",
                           "es": "Menor que la cifra acumulada anterior del propio gobierno ({value} al {date})."},
    "claim_ambiguous": {"en": "The period of this figure is ambiguous in the report it was read from.",
                        "es": "El periodo de esta cifra es ambiguo en la nota de la que se tomó."},
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
    "controls_toggle": {"en": "Change the view: indicator, place, months, event, comparisons",
                        "es": "Cambiar la vista: indicador, lugar, meses, evento, comparaciones"},
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
    "window_pre": {"en": "before: the model is fitted here", "es": "antes: aquí se ajusta el modelo"},
    "window_post": {"en": "after the event: tested", "es": "después del evento: se evalúa"},
    "test_on_level": {"en": "(The test is on the published level; its counterfactual is drawn on that scale.)",
                      "es": "(La prueba es sobre el nivel publicado; su contrafactual se dibuja en esa escala.)"},
    "download": {"en": "Download this view", "es": "Descargar esta vista"},
    "no_data": {"en": "No data for this selection.", "es": "No hay datos para esta selección."},
    "data_through": {"en": "Data through", "es": "Datos hasta"},
    "refresh_failed": {
        "en": "The last update of {source} ({kind}) was refused or failed on {when}. The previous data is "
              "still shown.",
        "es": "La última actualización de {source} ({kind}) fue rechazada o falló el {when}. Se muestran los "
              "datos anteriores.",
    },
    "show_all_events": {"en": "also events not linked to this indicator",
                        "es": "también eventos no vinculados a este indicador"},
    "events_on_chart": {"en": "Events on this chart ({n})", "es": "Eventos en esta gráfica ({n})"},
    "show": {"en": "Show", "es": "Mostrar"},
    "as_known_on": {"en": "As known on {day}", "es": "Según lo publicado al {day}"},
    "no_data_as_of": {"en": "Nothing of this series had been published by {day}.",
                      "es": "Nada de esta serie se había publicado al {day}."},
    "url_notice": {"en": "This link has parameters that could not be used:",
                   "es": "Este enlace tiene parámetros que no se pudieron usar:"},
    "url_bad_indicator": {"en": "indicator “{value}” is unknown or has no data; showing “{default}”",
                          "es": "el indicador «{value}» no existe o no tiene datos; se muestra «{default}»"},
    "url_bad_geo": {"en": "geography “{value}” has no data for this indicator; showing {default}",
                    "es": "la geografía «{value}» no tiene datos para este indicador; se muestra {default}"},
    "url_bad_value": {"en": "{name}=“{value}” is not valid and was ignored",
                      "es": "{name}=«{value}» no es válido y se ignoró"},
    "url_unknown_param": {"en": "unknown parameter(s) ignored: {names}",
                          "es": "parámetros desconocidos ignorados: {names}"},
    "url_bad_transform": {"en": "transform “{value}” was not applied: {why}",
                          "es": "la transformación «{value}» no se aplicó: {why}"},
    "transform_annual": {"en": "yearly figures are shown as published",
                         "es": "las cifras anuales se muestran tal como se publicaron"},
    "transform_already_rate": {"en": "this indicator is already a rate or a share",
                               "es": "este indicador ya es una tasa o una proporción"},
    "transform_no_population": {"en": "no population series is loaded for this geography",
                                "es": "no hay una serie de población cargada para esta geografía"},
    "transform_share_yoy": {"en": "a share is compared in percentage points, not as a % change",
                            "es": "una proporción se compara en puntos porcentuales, no como cambio %"},
    "transform_no_log": {"en": "a % change can be negative: no log scale",
                         "es": "un cambio % puede ser negativo: sin escala logarítmica"},
    "transform": {"en": "Show as", "es": "Mostrar como"},
    "transform_level": {"en": "Level (as published)", "es": "Nivel (como se publica)"},
    "transform_yoy": {"en": "Change on a year earlier (%)", "es": "Cambio frente al año anterior (%)"},
    "transform_index": {"en": "Index (= 100 at an event)", "es": "Índice (= 100 en un evento)"},
    "transform_per100k": {"en": "Per 100,000 people", "es": "Por cada 100,000 habitantes"},
    "unit_yoy": {"en": "% change on a year earlier", "es": "% de cambio frente al año anterior"},
    "unit_index": {"en": "index, {month} = 100", "es": "índice, {month} = 100"},
    "unit_per100k": {"en": "per 100,000 people per year", "es": "por cada 100,000 habitantes al año"},
    "unit_per100k_12m": {"en": "per 100,000 people, 12 months ending", "es": "por cada 100,000 habitantes, 12 meses"},
    "index_base": {"en": "Index base (event)", "es": "Base del índice (evento)"},
    "index_base_default": {"en": "the tested event, else the first month", "es": "el evento evaluado, o el primer mes"},
    "log_scale": {"en": "log scale", "es": "escala logarítmica"},
    "compare_geo": {"en": "Compare with geography", "es": "Comparar con geografía"},
    "compare_indicator": {"en": "Compare with indicator (right axis)", "es": "Comparar con indicador (eje derecho)"},
    "revision": {"en": "Overlay the series as known on", "es": "Superponer la serie según lo publicado al"},
    "revision_label": {"en": "as known on {day}", "es": "según lo publicado al {day}"},
    "none_option": {"en": "none", "es": "ninguno"},
    "data_table": {"en": "Data table ({n} rows)", "es": "Tabla de datos ({n} filas)"},
    "map_title": {"en": "By state, {month}", "es": "Por entidad, {month}"},
    "map_hint": {"en": "Each square is a state, placed roughly where it is; select one to chart it.",
                 "es": "Cada cuadro es una entidad, ubicada aproximadamente donde está; selecciónela para graficarla."},
    "map_no_value": {"en": "no value", "es": "sin valor"},
    "csv_shown_as": {"en": "Shown as: {unit} (column {column}; value is the published level)",
                     "es": "Se muestra como: {unit} (columna {column}; value es el nivel publicado)"},
    "csv_rounded": {"en": "Values are rounded to {places} decimal place(s), as the publisher gives them (a derived "
                          "indicator: as its transform gives them); the statistics use them unrounded.",
                    "es": "Los valores se redondean a {places} decimal(es), como los da quien los publica (un "
                          "indicador derivado: como lo da su transformación); la estadística los usa sin redondear."},
    "csv_counterfactual": {"en": "counterfactual columns: the expected level and its {level} % interval",
                           "es": "columnas counterfactual: el nivel esperado y su intervalo de {level} %"},
    "cite_this": {"en": "{sources} {name} ({geo}; {unit}), releases {vintages}. Verifica view of {day}: {url}",
                  "es": "{sources} {name} ({geo}; {unit}), publicaciones {vintages}. "
                        "Vista de Verifica del {day}: {url}"},
    "cite_scorecard": {"en": "Verifica, commitments scorecard, data as known on {day}: {url}",
                       "es": "Verifica, cuadro de compromisos, datos tal como se conocían el {day}: {url}"},
    "cite_link": {"en": "how to cite (metadata)", "es": "cómo citar (metadatos)"},
    "sheet_data": {"en": "data", "es": "datos"},
    "sheet_metadata": {"en": "metadata", "es": "metadatos"},
    "field_published": {"en": "published", "es": "publicada"},
    "field_months": {"en": "months", "es": "meses"},
    "download_size": {"en": "Image size", "es": "Tamaño de imagen"},
    "size_wide": {"en": "1200×675 (slides)", "es": "1200×675 (diapositivas)"},
    "size_page": {"en": "800×600 (page)", "es": "800×600 (página)"},
    "size_column": {"en": "640×600 (a column of a printed page, 9 pt)",
                    "es": "640×600 (una columna de página impresa, 9 pt)"},
    "camera_title": {"en": "Download the cited image (PNG)", "es": "Descargar la imagen con su cita (PNG)"},
    "period": {"en": "Month", "es": "Mes"},
    "value": {"en": "Value", "es": "Valor"},
    "vintage_col": {"en": "Release", "es": "Publicación"},
    "flags_col": {"en": "Notes", "es": "Notas"},
    "withdrawn_on": {"en": "withdrawn on {day}", "es": "retirada el {day}"},
    "withdrawn_restored": {"en": "withdrawn on {day}, served again since {restored}: {reason}",
                           "es": "retirada el {day}, publicada de nuevo desde el {restored}: {reason}"},
    "run_kind_refresh": {"en": "scheduled refresh", "es": "actualización programada"},
    "run_kind_import": {"en": "manual import", "es": "importación manual"},
    "run_kind_build": {"en": "build from the raw files", "es": "carga desde los archivos originales"},
    "run_kind_snapshot": {"en": "snapshot load", "es": "carga de la instantánea"},
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
    # Commitments
    "nav_commitments": {"en": "Commitments", "es": "Compromisos"},
    "commitments_title": {"en": "Commitments and what the numbers show so far",
                          "es": "Compromisos y lo que muestran las cifras hasta ahora"},
    "commitments_intro": {
        "en": "Each commitment either government made, with the sentence as reported, the indicators that would "
              "show it and its status as known on {day}. The status is rolled up from the verdicts of the "
              "scorecard; no text of this period states a threshold, baseline or deadline for an outcome, so a "
              "status says whether the linked numbers moved the way the governments said they would, not whether "
              "a target was met.",
        "es": "Cada compromiso de cualquiera de los dos gobiernos, con la frase tal como se reportó, los indicadores "
              "que lo mostrarían y su estado según lo conocido el {day}. El estado resume los veredictos del "
              "tablero de verificación; ningún texto de este periodo fija un umbral, una línea base o un plazo para "
              "un resultado, así que el estado dice si las cifras vinculadas se movieron como dijeron los gobiernos, "
              "no si se cumplió una meta."},
    "commitments_rule_title": {"en": "How a status is decided", "es": "Cómo se decide un estado"},
    "commitments_rule": {
        "en": "No linked indicator: “not measurable” when the commitment names something countable that no loaded "
              "series measures, else “target undefined”. Otherwise each linked verdict counts: improved (for) or "
              "worsened (against) when it also survives the scorecard's false-discovery control (q ≤ 0.05), no "
              "change beyond a bound (none), not yet verifiable or no data after the event (pending), no series "
              "(unmeasured), anything else (unclear: the data cannot tell). Some for and none against: on track; the "
              "reverse: off track; both: mixed. Else some unclear: no measurable change yet. Else some none: no "
              "change. Else some pending: too early, with the month it becomes checkable. Else: not measurable.",
        "es": "Sin indicador vinculado: «no medible» cuando el compromiso nombra algo contable que ninguna serie "
              "cargada mide; si no, «meta no definida». Si no, cuenta cada veredicto vinculado: mejoró (a favor) o "
              "empeoró (en contra) cuando además supera el control de falsos descubrimientos del tablero (q ≤ 0.05), "
              "sin cambio mayor que un límite (ninguno), aún no verificable o sin datos posteriores (pendiente), sin "
              "serie (sin medir), cualquier otro (incierto: los datos no lo permiten saber). Algo a favor y nada en "
              "contra: en camino; al revés: fuera de camino; ambos: mixto. Si no, algo incierto: sin cambio medible "
              "aún. Si no, algo ninguno: sin cambio. Si no, algo pendiente: demasiado pronto, con el mes en que se "
              "podrá verificar. Si no: no medible."},
    "commitment_status_on_track": {"en": "On track", "es": "En camino"},
    "commitment_status_off_track": {"en": "Off track", "es": "Fuera de camino"},
    "commitment_status_mixed": {"en": "Mixed", "es": "Mixto"},
    "commitment_status_no_change": {"en": "No change", "es": "Sin cambio"},
    "commitment_status_no_measurable_change": {"en": "No measurable change yet", "es": "Sin cambio medible aún"},
    "commitment_status_too_early": {"en": "Too early to tell", "es": "Demasiado pronto"},
    "commitment_status_not_measurable": {"en": "Not measurable", "es": "No medible"},
    "commitment_status_target_undefined": {"en": "Target undefined", "es": "Meta no definida"},
    "commitment_party_US": {"en": "United States", "es": "Estados Unidos"},
    "commitment_party_MX": {"en": "Mexico", "es": "México"},
    "commitment_party_both": {"en": "Both", "es": "Ambos"},
    "commitment_theme_fentanyl": {"en": "fentanyl and drugs", "es": "fentanilo y drogas"},
    "commitment_theme_firearms": {"en": "arms trafficking", "es": "tráfico de armas"},
    "commitment_theme_finance": {"en": "illicit finance", "es": "finanzas ilícitas"},
    "commitment_theme_precursors": {"en": "precursor chemicals", "es": "precursores químicos"},
    "commitment_theme_demand": {"en": "deaths and demand", "es": "muertes y demanda"},
    "commitment_theme_cartels": {"en": "cartels", "es": "cárteles"},
    "commitment_theme_cooperation": {"en": "cooperation", "es": "cooperación"},
    "commitment_col_commitment": {"en": "Commitment", "es": "Compromiso"},
    "commitment_col_status": {"en": "Status", "es": "Estado"},
    "commitment_col_party": {"en": "Who committed", "es": "Quién se comprometió"},
    "commitment_col_target": {"en": "Target", "es": "Meta"},
    "commitment_col_evidence": {"en": "Evidence (the scorecard's verdicts)",
                                "es": "Evidencia (veredictos del tablero)"},
    "commitment_made_at": {"en": "Made at: {date} {event}", "es": "Hecho en: {date} {event}"},
    "commitment_said_by": {"en": "{who}, as reported", "es": "{who}, según se reportó"},
    "commitment_quote_lang": {"en": "Quoted in the language it was reported in.",
                              "es": "Citado en el idioma en que se reportó."},
    "commitment_target_undefined": {
        "en": "No target stated: no metric, baseline or deadline; judged on the direction of its indicators only.",
        "es": "Sin meta declarada: sin métrica, línea base ni plazo; se juzga solo por la dirección de sus "
              "indicadores."},
    "commitment_deadline": {"en": "deadline {date}", "es": "plazo {date}"},
    "commitment_needs": {"en": "Would need: {what}", "es": "Haría falta: {what}"},
    "commitment_no_indicator": {"en": "No loaded indicator can show it.",
                                "es": "Ningún indicador cargado puede mostrarlo."},
    "commitment_checkable_from": {"en": "Checkable from {month}.", "es": "Verificable a partir de {month}."},
    "commitment_late": {"en": "The data that would show it are late (expected by {date}).",
                        "es": "Los datos que lo mostrarían están atrasados (se esperaban antes del {date})."},
    "commitment_data_through": {"en": "data through {month}", "es": "datos hasta {month}"},
    "commitment_tested_at": {"en": "tested at {date} {event} (one test covers events within 45 days)",
                             "es": "probado en {date} {event} (una prueba cubre los eventos a menos de 45 días)"},
    "commitment_role_for": {"en": "in the expected direction", "es": "en la dirección esperada"},
    "commitment_role_against": {"en": "against the expected direction", "es": "contra la dirección esperada"},
    "commitment_role_none": {"en": "a change beyond the bound ruled out",
                             "es": "descartado un cambio mayor que el límite"},
    "commitment_role_pending": {"en": "pending data", "es": "datos pendientes"},
    "commitment_role_unmeasured": {"en": "no series loaded", "es": "sin serie cargada"},
    "commitment_role_unclear": {"en": "no change it can be credited with", "es": "sin cambio que pueda atribuírsele"},
    "commitments_summary": {"en": "{n} commitments: {counts}.", "es": "{n} compromisos: {counts}."},
    "commitments_by_party": {"en": "United States {us}, Mexico {mx}, both {both}.",
                             "es": "Estados Unidos {us}, México {mx}, ambos {both}."},
    "commitments_shown": {"en": "Showing {n} of {total}", "es": "Se muestran {n} de {total}"},
    "commitments_none": {"en": "No commitment matches this selection.",
                         "es": "Ningún compromiso coincide con esta selección."},
    "commitments_party_filter": {"en": "Party", "es": "Parte"},
    "commitments_party_note": {"en": "Choosing the United States or Mexico also lists the joint commitments.",
                               "es": "Al elegir Estados Unidos o México también se listan los compromisos conjuntos."},
    "commitments_indicator_filter": {"en": "Indicator", "es": "Indicador"},
    "commitments_all": {"en": "All", "es": "Todos"},
    "commitments_computing": {"en": "The scorecard as known on {day} is being computed; this page reloads when it "
                                    "is ready.",
                              "es": "Se está calculando el tablero según lo conocido el {day}; esta página se "
                                    "recargará cuando esté listo."},
    "overview_commitments": {"en": "Commitments made at this meeting", "es": "Compromisos hechos en esta reunión"},
    "overview_no_commitments": {"en": "No commitment on record for this meeting.",
                                "es": "No hay compromisos registrados para esta reunión."},
    # end Commitments
    # Period claims
    "claim_reason_change_within": {
        "en": "Recomputed: {recomputed} % ({period} against {base}); within the {tolerance} points the rule allows.",
        "es": "Recalculado: {recomputed} % ({period} frente a {base}); dentro de los {tolerance} puntos que permite "
              "la regla."},
    "claim_reason_change_off": {
        "en": "Recomputed: {recomputed} % ({period} against {base}); {points} points from the claim, more than the "
              "{tolerance} the rule allows.",
        "es": "Recalculado: {recomputed} % ({period} frente a {base}); {points} puntos de diferencia con lo dicho, más "
              "de los {tolerance} que permite la regla."},
    "claim_compared_with": {"en": "against {base}", "es": "frente a {base}"},
    "claim_reading": {"en": "Our reading:", "es": "Nuestra lectura:"},
    "claim_reported": {"en": "As reported:", "es": "Según se reportó:"},
    "claim_alternatives": {"en": "Other readings:", "es": "Otras lecturas:"},
    "claim_alternative_missing": {"en": "not all its months are loaded", "es": "no están cargados todos sus meses"},
    "claim_reading_matters": {"en": "The status depends on the reading: another plausible reading gives another.",
                              "es": "El estado depende de la lectura: otra lectura plausible da otro."},
    "claim_reading_holds": {"en": "Every reading listed gives the same status.",
                            "es": "Todas las lecturas listadas dan el mismo estado."},
    "claim_reading_unknown": {"en": "Some readings cannot be recomputed yet: the status may depend on the reading.",
                              "es": "Algunas lecturas aún no se pueden recalcular: el estado podría depender de la "
                                    "lectura."},
    # end Period claims
    # Briefing pack
    "brief_title": {"en": "Verifica briefing: US–Mexico security commitments as known on {day}",
                    "es": "Informe de Verifica: compromisos de seguridad México–EE. UU. según lo conocido el {day}"},
    "brief_intro": {
        "en": "Each commitment's status as known on {day} and on the day of the previous meeting ({previous}), what "
              "was published in between, the key charts with the event each was tested against, the official claims "
              "checked, and every release read, with its id, date and checksum.",
        "es": "El estado de cada compromiso según lo conocido el {day} y el día de la reunión anterior ({previous}), "
              "lo publicado entre ambas fechas, las gráficas clave con el evento frente al que se probó cada una, las "
              "cifras oficiales contrastadas y cada publicación leída, con su identificador, fecha y suma de "
              "verificación."},
    "brief_permalinks": {"en": "The same views online, pinned to this date:",
                         "es": "Las mismas vistas en línea, fijadas a esta fecha:"},
    "brief_commitments": {"en": "1. Commitments", "es": "1. Compromisos"},
    "brief_status_then": {"en": "At the previous meeting", "es": "En la reunión anterior"},
    "brief_not_yet_made": {"en": "not yet made", "es": "aún no hecho"},
    "brief_changed": {"en": "2. What changed since the previous meeting ({since})",
                      "es": "2. Qué cambió desde la reunión anterior ({since})"},
    "brief_moved": {"en": "Commitment statuses that moved: {n}.", "es": "Estados de compromisos que cambiaron: {n}."},
    "brief_releases": {"en": "Releases published in between: {n}.", "es": "Publicaciones entre ambas fechas: {n}."},
    "brief_claims_since": {"en": "Official claims stated in between: {n} (in the claims table below).",
                           "es": "Cifras oficiales dichas entre ambas fechas: {n} (en la tabla de cifras, abajo)."},
    "brief_col_source": {"en": "Source", "es": "Fuente"},
    "brief_col_release": {"en": "Release", "es": "Publicación"},
    "brief_col_on": {"en": "Published", "es": "Publicada"},
    "brief_charts": {"en": "3. Key charts", "es": "3. Gráficas clave"},
    "brief_claims": {"en": "4. Official claims checked", "es": "4. Cifras oficiales contrastadas"},
    "brief_claims_rule": {
        "en": "A figure is consistent within 2 % of the independent value; a percentage change within half the unit "
              "it is stated to (doubled for “about”) plus 2 points for revisions. Where a claim names no period, our "
              "reading is given, and whether another plausible reading would change the status.",
        "es": "Una cifra es consistente dentro de 2 % del valor independiente; un cambio porcentual, dentro de la "
              "mitad de la unidad en que se expresa (el doble si dice «alrededor de») más 2 puntos por revisiones. "
              "Si una cifra no dice el periodo, se da nuestra lectura y si otra lectura plausible cambiaría el "
              "estado."},
    "brief_points": {"en": "points", "es": "puntos"},
    "brief_sources": {"en": "5. Sources and the releases read (id, file, date, sha256)",
                      "es": "5. Fuentes y publicaciones leídas (identificador, archivo, fecha, sha256)"},
    "brief_link": {"en": "Briefing pack (PDF)", "es": "Informe (PDF)"},
    # end Briefing pack
    # Primary sources
    "source_official": {"en": "official text", "es": "texto oficial"},
    "source_no_official": {"en": "official text not on file: press reports only",
                           "es": "texto oficial no registrado: solo notas de prensa"},
    # end Primary sources
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
    "check_bend": {"en": "Bend before the event (t of the slope change / of the step after)",
                   "es": "Curva antes del evento (t del cambio de pendiente / del escalón posterior)"},
    "check_donors": {"en": "Control series (other drugs or regions)",
                     "es": "Series de control (otras drogas o regiones)"},
    "donors_same_change": {"en": "finds a change the same way", "es": "encuentra un cambio en el mismo sentido"},
    "donors_no_change": {"en": "finds no change either", "es": "tampoco encuentra cambio"},
    "donors_cannot_tell": {"en": "too wide to tell", "es": "demasiado amplio para saberlo"},
    "donors_other_answer": {"en": "finds a different answer", "es": "encuentra una respuesta distinta"},
    "donors_not_possible": {"en": "not possible with these data", "es": "no es posible con estos datos"},
    "check_began": {"en": "shows the change began before the event",
                    "es": "muestra que el cambio empezó antes del evento"},
    "multiple_tests": {"en": "{n} cells are tested at {level} %: about {k} would look significant by chance "
                             "alone. Each cell's q-value accounts for that.",
                       "es": "Se prueban {n} celdas al {level} %: cerca de {k} parecerían significativas solo por "
                             "azar. El valor q de cada celda lo toma en cuenta."},
    "mde_short": {"en": "smallest detectable ±{value}", "es": "mínimo detectable ±{value}"},
    "merged_with": {"en": "same month as", "es": "mismo mes que"},
    "interval": {"en": "interval", "es": "intervalo"},
    "interval_level": {"en": "{level}% interval", "es": "intervalo de {level} %"},
    "relative_effect": {"en": "Relative effect", "es": "Efecto relativo"},
    "cumulative_effect": {"en": "Cumulative effect", "es": "Efecto acumulado"},
    "p_value": {"en": "Model p-value", "es": "Valor p del modelo"},
    "placebo": {"en": "Placebo-in-time rank p", "es": "p por rango de placebos en el tiempo"},
    "placebo_dates": {"en": "fake dates", "es": "fechas ficticias"},
    "windows": {"en": "Pre / post months", "es": "Meses previos / posteriores"},
    "data_through_short": {"en": "Data through", "es": "Datos hasta"},
    "checkable_from": {"en": "Checkable once data are published for",
                       "es": "Verificable cuando se publiquen los datos de"},
    "scorecard_title": {"en": "Did anything measurably change after each commitment?",
                        "es": "¿Cambió algo de forma medible después de cada compromiso?"},
    "scorecard_intro": {
        "en": "Each cell compares the months after a commitment with a counterfactual built from the months "
              "before it (structural time-series model by default). Click a cell for the chart and the numbers.",
        "es": "Cada celda compara los meses posteriores a un compromiso con un contrafactual construido con los "
              "meses anteriores (modelo estructural por defecto). Haga clic en una celda para ver la gráfica y "
              "las cifras.",
    },
    "scorecard_computing": {"en": "The scorecard as known on {day} is being computed (a minute at most, "
                                  "longer when many dates are asked for at once). This page shows it "
                                  "as soon as it is ready.",
                            "es": "El cuadro de resultados tal como se conocía el {day} se está calculando "
                                  "(un minuto como mucho; más si se piden muchas fechas a la vez). Esta "
                                  "página lo mostrará en cuanto esté listo."},
    "stale_notice": {"en": "Newest data: {month}. This source usually publishes monthly; a newer release is "
                           "overdue (expected by {due}).",
                     "es": "Datos más recientes: {month}. Esta fuente suele publicar cada mes; una publicación "
                           "más reciente está atrasada (se esperaba para el {due})."},
    "scorecard_failed": {"en": "The scorecard as known on {day} could not be computed; the error was "
                                "logged. Reason: {reason}",
                         "es": "No se pudo calcular el cuadro de resultados tal como se conocía el {day}; "
                               "el error quedó registrado. Motivo: {reason}"},
    "scorecard_updating": {"en": "New data were just published: these results are from the previous data "
                                 "and are being recomputed. Reload in a minute.",
                           "es": "Se acaban de publicar datos nuevos: estos resultados son de los datos "
                                 "anteriores y se están recalculando. Vuelva a cargar en un minuto."},
    "commitment": {"en": "Commitment", "es": "Compromiso"},
    "expected_short": {"en": "expected", "es": "esperado"},
    # SESNSP RNID
    "claim_reason_rnid_crimes_not_victims": {
        "en": "Not checkable on a like basis: SESNSP's 2015-2025 victims series ends in December 2025, and the RNID "
              "register loaded from 2026 counts crimes (carpetas de investigación), not victims per day.",
        "es": "No verificable con la misma base: la serie de víctimas 2015-2025 del SESNSP termina en diciembre de "
              "2025, y el registro RNID cargado desde 2026 cuenta delitos (carpetas de investigación), no víctimas "
              "por día."},
    "source_closed": {"en": "Series closed at {through}.", "es": "Serie cerrada en {through}."},
    "source_closed_successor": {"en": "Carried on, not continued, by:", "es": "La sigue, sin continuarla:"},
    "rnid_break_title": {"en": "The 2026 break in SESNSP's crime statistics",
                         "es": "El corte de 2026 en la estadística delictiva del SESNSP"},
    "rnid_break_text": {
        "en": "From January 2026 SESNSP publishes crime statistics in a new register, the Registro Nacional de "
              "Incidencia Delictiva (RNID), with a new crime catalogue that SESNSP calls not directly comparable with "
              "the 2015-2025 series. The 2015-2025 victims series closes at December 2025; the RNID files loaded "
              "here count crimes (carpetas de investigación), not victims, so the two are never drawn or tested as "
              "one series, and no bridge between them is made. Every SESNSP homicide indicator carries the change "
              "as a dated measurement change: a verification whose window crosses January 2026 is confounded.",
        "es": "Desde enero de 2026 el SESNSP publica la estadística delictiva en un nuevo registro, el Registro "
              "Nacional de Incidencia Delictiva (RNID), con un nuevo catálogo de delitos que el SESNSP describe como "
              "no directamente comparable con la serie 2015-2025. La serie de víctimas 2015-2025 cierra en diciembre "
              "de 2025; los archivos del RNID cargados aquí cuentan delitos (carpetas de investigación), no víctimas, "
              "así que nunca se grafican ni se prueban como una sola serie, y no se construye un puente entre ellas. "
              "Cada indicador de homicidio del SESNSP lleva el cambio como cambio de medición fechado: una "
              "verificación cuya ventana cruza enero de 2026 queda confundida."},
    "displacement_title": {"en": "Displacement check: other crimes against life over the same months",
                           "es": "Revisión de desplazamiento: otros delitos contra la vida en los mismos meses"},
    "displacement_intro": {
        "en": "Fewer homicides must not be read alone: a death recorded as homicidio culposo or as another crime "
              "against life does not count as homicidio doloso. These series (SESNSP's RNID register, crimes) are "
              "shown for context; they do not decide any verdict.",
        "es": "Menos homicidios no deben leerse solos: una muerte registrada como homicidio culposo o como otro "
              "delito contra la vida no cuenta como homicidio doloso. Estas series (registro RNID del SESNSP, "
              "delitos) se muestran como contexto; no deciden ningún veredicto."},
    "displacement_months": {"en": "Months", "es": "Meses"},
    "displacement_change": {"en": "Change, first to last month", "es": "Cambio, del primer al último mes"},
    "displacement_none": {
        "en": "No context series is loaded for these months (SESNSP's RNID register starts in January 2026).",
        "es": "No hay series de contexto cargadas para estos meses (el registro RNID del SESNSP empieza en enero "
              "de 2026)."},
    # Change log
    "nav_changes": {"en": "What changed", "es": "Qué cambió"},
    "changes_title": {"en": "What changed, publish by publish", "es": "Qué cambió, publicación por publicación"},
    "changes_intro": {
        "en": "An entry is recorded each time data are published, revised or withdrawn, or the timeline or the "
              "method changes: the new months, the months revised, every scorecard verdict, commitment status and "
              "claim status that moved, and why.",
        "es": "Se registra una entrada cada vez que se publican, revisan o retiran datos, o cambian la cronología o "
              "el método: los meses nuevos, los meses revisados, cada veredicto del cuadro de resultados, estado de "
              "compromiso y estado de cifra oficial que cambió, y por qué."},
    "changes_subscribe": {"en": "Follow it:", "es": "Sígalo:"},
    "changes_feed_atom": {"en": "Atom feed", "es": "canal Atom"},
    "changes_feed_json": {"en": "the same as JSON", "es": "lo mismo en JSON"},
    "changes_none": {"en": "No change recorded yet: the first publish records a baseline.",
                     "es": "Aún no hay cambios registrados: la primera publicación registra una línea de base."},
    "changes_unknown_entry": {"en": "There is no entry #{id} in the change log.",
                              "es": "No hay una entrada n.º {id} en el registro de cambios."},
    "changes_all": {"en": "Every entry", "es": "Todas las entradas"},
    "changes_entry": {"en": "Entry #{id}, recorded {when} UTC", "es": "Entrada n.º {id}, registrada el {when} UTC"},
    "changes_permalink": {"en": "Permalink", "es": "Enlace permanente"},
    "changes_scorecard_link": {"en": "The scorecard as known on {day}",
                               "es": "El cuadro de resultados tal como se conocía el {day}"},
    "changes_baseline_title": {"en": "Baseline", "es": "Línea de base"},
    "changes_baseline": {"en": "The statuses as first recorded: later entries say what moved from here.",
                         "es": "Los estados tal como se registraron por primera vez: las entradas posteriores dicen "
                               "qué cambió desde aquí."},
    "changes_baseline_short": {"en": "Baseline: the statuses as first recorded",
                               "es": "Línea de base: los estados tal como se registraron por primera vez"},
    "changes_causes": {"en": "Why", "es": "Por qué"},
    "changes_cause_new_data": {"en": "new data", "es": "datos nuevos"},
    "changes_cause_revision": {"en": "revised figures", "es": "cifras revisadas"},
    "changes_cause_withdrawal": {"en": "a release withdrawn", "es": "una publicación retirada"},
    "changes_cause_restoration": {"en": "a withdrawn release restored", "es": "una publicación retirada restablecida"},
    "changes_cause_release_date": {"en": "a release date corrected", "es": "una fecha de publicación corregida"},
    "changes_cause_timeline": {"en": "the timeline edited", "es": "la cronología editada"},
    "changes_cause_method": {"en": "a change of method or code", "es": "un cambio de método o de código"},
    "changes_cause_calendar": {"en": "the calendar (a date a status waited for has passed)",
                               "es": "el calendario (pasó una fecha que un estado esperaba)"},
    "changes_method_engine": {"en": "statistics engine {old} → {new}", "es": "motor estadístico {old} → {new}"},
    "changes_method_code": {"en": "code and definitions {old} → {new}", "es": "código y definiciones {old} → {new}"},
    "changes_summary": {"en": "statuses moved {moved} · new months {months} · months revised {revised}",
                        "es": "estados que cambiaron {moved} · meses nuevos {months} · meses revisados {revised}"},
    "changes_moves": {"en": "Statuses that moved", "es": "Estados que cambiaron"},
    "changes_move_line": {"en": "{kind}: {what}: {old} → {new}", "es": "{kind}: {what}: {old} → {new}"},
    "changes_nothing_moved": {"en": "No verdict, commitment status or claim status moved.",
                              "es": "No cambió ningún veredicto, estado de compromiso ni estado de cifra oficial."},
    "changes_failed": {"en": "These statuses could not be read for this entry (the error was logged); the previous "
                             "ones were kept: {kinds}.",
                       "es": "Estos estados no pudieron leerse para esta entrada (el error quedó registrado); se "
                             "conservaron los anteriores: {kinds}."},
    "changes_kind_verdict": {"en": "Scorecard verdict", "es": "Veredicto del cuadro de resultados"},
    "changes_kind_commitment": {"en": "Commitment", "es": "Compromiso"},
    "changes_kind_claim": {"en": "Official claim", "es": "Cifra oficial"},
    "changes_col_kind": {"en": "Kind", "es": "Tipo"},
    "changes_col_what": {"en": "What", "es": "Qué"},
    "changes_col_before": {"en": "Before", "es": "Antes"},
    "changes_col_after": {"en": "After", "es": "Después"},
    "changes_status_none": {"en": "not listed", "es": "no figuraba"},
    "changes_new_months": {"en": "New months", "es": "Meses nuevos"},
    "changes_months_span": {"en": "{series} ({source}): {start} to {end} ({n} months)",
                            "es": "{series} ({source}): de {start} a {end} ({n} meses)"},
    "changes_months_one": {"en": "{series} ({source}): {month}", "es": "{series} ({source}): {month}"},
    "changes_months_new_series": {"en": "{series} ({source}): loaded for the first time, through {end}",
                                  "es": "{series} ({source}): cargada por primera vez, hasta {end}"},
    "changes_months_gone": {"en": "Months no longer served", "es": "Meses que ya no se sirven"},
    "changes_revisions": {"en": "Months revised beyond the source's tolerance",
                          "es": "Meses revisados más allá de la tolerancia de la fuente"},
    "changes_revision_line": {"en": "{series} ({file}): {months}", "es": "{series} ({file}): {months}"},
    "changes_revision_provisional": {"en": "was provisional", "es": "era provisional"},
    "changes_revision_completed": {"en": "completed month, published after review",
                                   "es": "mes cerrado, publicado tras revisión"},
    "changes_published": {"en": "Releases published", "es": "Publicaciones cargadas"},
    "changes_withdrawn": {"en": "Releases withdrawn", "es": "Publicaciones retiradas"},
    "changes_restored": {"en": "Releases restored", "es": "Publicaciones restablecidas"},
    "changes_redated": {"en": "Release dates corrected", "es": "Fechas de publicación corregidas"},
    "changes_redated_line": {"en": "{file}: {old} → {new}", "es": "{file}: {old} → {new}"},
    "changes_overview_title": {"en": "What changed lately", "es": "Qué cambió últimamente"},
    "changes_overview_more": {"en": "Every change, and how to follow them",
                              "es": "Todos los cambios, y cómo seguirlos"},
    "changes_feed_title": {"en": "Verifica: what changed", "es": "Verifica: qué cambió"},
    "changes_feed_subtitle": {"en": "New months, revisions and every verdict, commitment and claim status that moved, "
                                    "publish by publish.",
                              "es": "Meses nuevos, revisiones y cada veredicto, estado de compromiso y de cifra "
                                    "oficial que cambió, publicación por publicación."},
}


# The flags observations carry (etl), as readers see them.
FLAG_LABELS: dict[str, dict[str, str]] = {
    "provisional": {"en": "provisional (may be revised)", "es": "provisional (puede revisarse)"},
    "rolling_12m": {"en": "12-month total", "es": "total de 12 meses"},
    "low_quality": {"en": "low data quality (CDC)", "es": "baja calidad de los datos (CDC)"},
    "underreported": {"en": "underreported: deaths still under investigation",
                      "es": "subregistro: muertes aún en investigación"},
    "suppressed": {"en": "suppressed (small count)", "es": "suprimido (conteo pequeño)"},
    "missing": {"en": "not published", "es": "no publicado"},
    "projection": {"en": "projection", "es": "proyección"},
    "annual": {"en": "annual figure", "es": "cifra anual"},
    "window": {"en": "figure for several years", "es": "cifra de varios años"},
    "claim": {"en": "official claim", "es": "declaración oficial"},
    "derived": {"en": "derived from published figures", "es": "derivado de cifras publicadas"},
    "quantity_missing": {"en": "quantity not published", "es": "cantidad no publicada"},
}


def flag_text(flags: str | None, lang: str) -> str:
    """"provisional,rolling_12m" → "provisional (may be revised) · 12-month total"."""
    names = [f for f in str(flags or "").split(",") if f]
    return " · ".join(pick(FLAG_LABELS.get(name), lang) or name for name in names)


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


# How a release date was known, as the loaders record it (in English): the Spanish pages and
# downloads say it in Spanish. A test fails on a note in the store without its translation.
BASIS = {
    "estimated: the month of the newest report the figures cite (as_of)":
        "estimada: el mes del informe más reciente que citan las cifras (as_of)",
    "estimated: mid-month after the last data month (CBP uploads in the following month)":
        "estimada: a mitad del mes siguiente al último mes de datos (la CBP publica al mes siguiente)",
    "release date in the file name": "fecha de publicación en el nombre del archivo",
    "estimated: mid-month, five months after the last 12-month-ending month":
        "estimada: a mitad de mes, cinco meses después del último mes de la suma de 12 meses",
    "estimated: six months after the last data month (WONDER exports carry no date)":
        "estimada: seis meses después del último mes de datos (las exportaciones de WONDER no llevan fecha)",
    "the newest statement the table records (fecha_publicacion)":
        "la declaración más reciente que registra la tabla (fecha_publicacion)",
    "estimated: CONAPO's 2020-2070 projections were released mid-2023":
        "estimada: las proyecciones 2020-2070 de CONAPO se publicaron a mediados de 2023",
    "estimated: the 20th of the month after the last data month (SESNSP's usual release day)":
        "estimada: el día 20 del mes siguiente al último mes de datos (el día habitual de publicación del SESNSP)",
}


def basis_text(note: str, lang: str) -> str:
    """How a release date was known, in the language (the recorded English when untranslated)."""
    if lang == "es":
        return BASIS.get(note, note)
    return note
