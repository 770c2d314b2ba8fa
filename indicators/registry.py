"""The indicator registry: stable ids, bilingual names, units, semantics, direction and caveats.

An indicator is a reading of one stored series (``base``) of one source: optionally filtered on
dimensions, summed, and optionally broken down by one dimension. Ids never change: they are used
in URLs, exports, the API, the timeline and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

Text = dict[str, str]  # {"en": ..., "es": ...}


@dataclass(frozen=True)
class Indicator:
    id: str
    source_id: str
    name: Text
    unit: Text
    description: Text
    base: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    breakdown: str | None = None
    semantics: str = "monthly"  # monthly | rolling_12m | annual
    better: str = "down"  # which direction the governments read as progress
    default_geo: str = "US"
    geo_kind: str = "national"  # national | us_states | mx_states
    has_predicted: bool = False
    zero_fill: bool = False  # a missing combination in a covered month means zero
    publication_lag_months: int = 1  # months from the end of a data month to its publication
    caveats: Text = field(default_factory=dict)
    status: str = "available"  # available | planned (source not loaded yet)
    # Read-time transforms of the summed series: None | daily_average | per_100k | share
    # (share: percent of the series that also matches ``share_of``).
    transform: str | None = None
    share_of: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, Text] = field(default_factory=dict)  # breakdown values → EN/ES labels
    # The verification's scale: log for positive flows (weights, counts over about 100 a month:
    # changes are proportional, effects read in %), count for counts below that (quasi-Poisson),
    # linear otherwise (12-month totals, shares).
    model_scale: str = "linear"
    # Control series for the verification's control-series check: series the commitments should
    # not move. Each {"id", "label": {"en", "es"}, "filters"} reads this indicator's base with those
    # filters, or another indicator's ("indicator") with them.
    donors: tuple[dict, ...] = ()
    # Context series read beside this one (the displacement check): indicators whose change over the
    # same months a reader needs before reading a fall of this one (homicides recorded as other
    # crimes against life). Shown and noted, never deciding the verdict.
    context: tuple[str, ...] = ()

    @property
    def takes_per_100k(self) -> bool:
        """Whether a rate per 100,000 people of it means something: monthly or 12-month counts (or
        quantities) as published and summed. Not yearly figures, nor what a transform already made
        an average per day, a share or a rate, nor a percentage."""
        return (self.semantics in ("monthly", "rolling_12m") and self.transform is None
                and not self.unit.get("en", "").lstrip().startswith("%"))

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "name": self.name,
            "unit": self.unit,
            "description": self.description,
            "semantics": self.semantics,
            "better": self.better,
            "default_geo": self.default_geo,
            "geo_kind": self.geo_kind,
            "breakdown": self.breakdown,
            "has_predicted": self.has_predicted,
            "publication_lag_months": self.publication_lag_months,
            "caveats": self.caveats,
            "status": self.status,
            "transform": self.transform,
            "model_scale": self.model_scale,
        }


LBS = {"en": "lbs per month", "es": "libras por mes"}
DEATHS_12M = {"en": "deaths, 12 months ending", "es": "muertes, 12 meses al mes indicado"}

SEIZURE_CAVEAT = {
    "en": "Seizures measure interdiction, not flow: fewer pounds seized can mean less fentanyl "
          "crossing or less effective interdiction. Months of the fiscal year in progress are "
          "provisional and revised by later CBP releases.",
    "es": "Los decomisos miden la interdicción, no el flujo: menos libras decomisadas pueden "
          "significar menos fentanilo cruzando o una interdicción menos eficaz. Los meses del año "
          "fiscal en curso son provisionales y CBP los revisa en publicaciones posteriores.",
}
WEAPONS_CAVEAT = {
    "en": "Seizures measure interdiction, not trafficking: more southbound seizures can mean more "
          "inspections (the commitment) or more guns moving. An event can hold one round or "
          "thousands. Months of the fiscal year in progress are provisional.",
    "es": "Los decomisos miden la interdicción, no el tráfico: más decomisos hacia el sur pueden "
          "significar más inspecciones (el compromiso) o más armas en movimiento. Un evento puede "
          "ser un cartucho o miles. Los meses del año fiscal en curso son provisionales.",
}
ENCOUNTERS_CAVEAT = {
    "en": "Encounters count events, not people (one person caught twice counts twice), "
          "and move with policy (Title 42 expulsions until May 2023, asylum rules) as much "
          "as with flows. Months of the fiscal year in progress are provisional.",
    "es": "Los encuentros cuentan eventos, no personas (alguien detenido dos veces cuenta "
          "dos), y se mueven con la política (expulsiones del Título 42 hasta mayo de 2023, "
          "reglas de asilo) tanto como con los flujos. Los meses del año fiscal en curso son "
          "provisionales.",
}
DRUG_LABELS = {
    "Cocaine": {"en": "Cocaine", "es": "Cocaína"},
    "Ecstasy": {"en": "Ecstasy", "es": "Éxtasis"},
    "Fentanyl": {"en": "Fentanyl", "es": "Fentanilo"},
    "Heroin": {"en": "Heroin", "es": "Heroína"},
    "Ketamine": {"en": "Ketamine", "es": "Ketamina"},
    "Khat (Catha Edulis)": {"en": "Khat", "es": "Khat"},
    "Lsd": {"en": "LSD", "es": "LSD"},
    "Marijuana": {"en": "Marijuana", "es": "Marihuana"},
    "Methamphetamine": {"en": "Methamphetamine", "es": "Metanfetamina"},
    "Other Drugs**": {"en": "Other drugs", "es": "Otras drogas"},
}
WEAPON_CATEGORY_LABELS = {
    "Handgun": {"en": "Handguns", "es": "Armas cortas"},
    "Long Arm": {"en": "Long arms", "es": "Armas largas"},
    "Receivers": {"en": "Receivers", "es": "Receptores"},
    "Other Firearms": {"en": "Other firearms", "es": "Otras armas de fuego"},
    "Silencer (Muffler or Sound Moderator)": {"en": "Silencers", "es": "Silenciadores"},
    "Magazine": {"en": "Magazines", "es": "Cargadores"},
    "Ammunition": {"en": "Ammunition", "es": "Municiones"},
    "Scope": {"en": "Scopes", "es": "Miras"},
    "Case": {"en": "Cases", "es": "Estuches"},
    "Vest Body Armor": {"en": "Body armour", "es": "Chalecos antibalas"},
    "Explosives": {"en": "Explosives", "es": "Explosivos"},
    "Other Weapons": {"en": "Other weapons", "es": "Otras armas"},
    "Other Ammunition & Gun Parts": {"en": "Other ammunition and gun parts", "es": "Otras municiones y partes"},
}
ROLLING_CAVEAT = {
    "en": "Each value counts deaths in the 12 months ending that month, so a change shows up "
          "gradually over a year. Recent months are provisional (about 4-6 months of reporting "
          "lag) and rise by 1-3 % between releases; predicted values adjust for pending "
          "investigations.",
    "es": "Cada valor cuenta las muertes de los 12 meses que terminan en ese mes, por lo que un "
          "cambio aparece de forma gradual durante un año. Los meses recientes son provisionales "
          "(unos 4-6 meses de rezago) y suben 1-3 % entre publicaciones; los valores predichos "
          "corrigen por investigaciones pendientes.",
}


HOMICIDE_CAVEAT = {
    "en": "Victims recorded by the state prosecutors' investigation files, not deaths certified by "
          "INEGI. Each monthly cut revises recent months, usually upward (figures quoted at a "
          "morning press conference are preliminary). A fall can also come from classification: "
          "deaths recorded as other crimes against life, or people reported missing, do not count "
          "as homicidio doloso.",
    "es": "Víctimas registradas en las carpetas de investigación de las fiscalías estatales, no "
          "defunciones certificadas por el INEGI. Cada corte mensual revisa los meses recientes, "
          "casi siempre al alza (las cifras dichas en la mañanera son preliminares). Una baja "
          "también puede venir de la clasificación: las muertes registradas como otros delitos "
          "contra la vida, o las personas desaparecidas, no cuentan como homicidio doloso.",
}
WEAPON_LABELS = {
    "firearm": {"en": "Firearm", "es": "Con arma de fuego"},
    "knife": {"en": "Bladed weapon", "es": "Con arma blanca"},
    "other": {"en": "Other means", "es": "Con otro elemento"},
    "unspecified": {"en": "Not specified", "es": "No especificado"},
}
HOMICIDE = {"crime": "homicidio_doloso"}


TRACES_CAVEAT = {
    "en": "Counts cover firearms Mexico's federal prosecutor submitted for tracing, not all "
          "recoveries (state seizures are largely missing). Traces rise when tracing expands (eTrace "
          "in all 32 states after September 2025), not only when more guns cross. Figures come by "
          "calendar year or multi-year window as published, and later reports revise earlier years; "
          "overlapping windows must not be added up.",
    "es": "Los conteos cubren las armas que la FGR envió a rastreo, no todas las recuperadas (faltan "
          "en gran parte los aseguramientos estatales). Los rastreos suben cuando se amplía el "
          "rastreo (eTrace en los 32 estados desde septiembre de 2025), no solo cuando cruzan más "
          "armas. Las cifras son por año o periodo de varios años según se publicaron y los informes "
          "posteriores revisan años anteriores; no se deben sumar periodos que se traslapan.",
}


def _atf(indicator_id: str, metric: str, name: Text, unit: Text, description: Text) -> Indicator:
    return Indicator(
        id=indicator_id, source_id="atf_mexico_traces", base="atf_mexico_traces", filters={"metric": metric},
        name=name, unit=unit, description=description, semantics="annual", default_geo="MX",
        publication_lag_months=10, caveats=TRACES_CAVEAT,
    )


def _sesnsp(indicator_id: str, name: Text, unit: Text, description: Text, **fields) -> Indicator:
    return Indicator(
        id=indicator_id, source_id="sesnsp_homicides", base="sesnsp_victims", name=name, unit=unit,
        description=description, default_geo="MX", geo_kind="mx_states", publication_lag_months=1,
        caveats=fields.pop("caveats", HOMICIDE_CAVEAT), filters=fields.pop("filters", HOMICIDE),
        model_scale=fields.pop("model_scale", "log"), **fields,
    )


# SESNSP RNID (2026 on): crimes, never victims; a new catalogue; a short history.
RNID_CAVEAT = {
    "en": "Crimes (carpetas de investigación) in SESNSP's new register (RNID, from January 2026), not victims: "
          "one carpeta can hold several victims, so these counts are lower than the 2015-2025 victims series "
          "and are never joined to it. SESNSP calls the new crime catalogue not directly comparable with the "
          "2015-2025 series. The register starts in January 2026: until enough months precede an event, a "
          "verification says the history is insufficient. Later cuts revise recent months.",
    "es": "Delitos (carpetas de investigación) del nuevo registro del SESNSP (RNID, desde enero de 2026), no "
          "víctimas: una carpeta puede tener varias víctimas, por lo que estos conteos son menores que la serie "
          "de víctimas 2015-2025 y nunca se unen a ella. El SESNSP describe el nuevo catálogo de delitos como no "
          "directamente comparable con la serie 2015-2025. El registro empieza en enero de 2026: mientras no haya "
          "suficientes meses antes de un evento, la verificación dice que la historia es insuficiente. Los cortes "
          "posteriores revisan los meses recientes.",
}
CRIMES_UNIT = {"en": "crimes (carpetas) per month", "es": "delitos (carpetas) por mes"}
# The displacement check: deaths that stop counting as homicidio doloso can be recorded as these.
HOMICIDE_CONTEXT = ("sesnsp_rnid_culpable_homicide_crimes", "sesnsp_rnid_other_life_crimes")


def _rnid(indicator_id: str, crime: str, name: Text, description: Text, **fields) -> Indicator:
    return Indicator(
        id=indicator_id, source_id="sesnsp_rnid", base="sesnsp_rnid_crimes", filters={"crime": crime}, name=name,
        unit=CRIMES_UNIT, description=description, default_geo="MX", geo_kind="mx_states",
        publication_lag_months=1, caveats=RNID_CAVEAT, model_scale=fields.pop("model_scale", "log"), **fields,
    )


def _cdc(indicator_id: str, en: str, es: str, desc_en: str, desc_es: str, **fields) -> Indicator:
    return Indicator(
        id=indicator_id,
        source_id="cdc_vsrr",
        base=indicator_id,
        name={"en": en, "es": es},
        unit=DEATHS_12M,
        description={"en": desc_en, "es": desc_es},
        semantics="rolling_12m",
        geo_kind="us_states",
        has_predicted=True,
        publication_lag_months=5,
        caveats=ROLLING_CAVEAT,
        **fields,
    )


INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in [
        Indicator(
            id="cbp_fentanyl_seizures_swb_lbs",
            model_scale="log",
            source_id="cbp_drug_seizures",
            base="cbp_drug_seizures_lbs",
            filters={"category": "Fentanyl", "region": "Southwest Border"},
            name={"en": "Fentanyl seizures at the Southwest border (ports and Border Patrol)",
                  "es": "Decomisos de fentanilo en la frontera suroeste (puertos y Patrulla Fronteriza)"},
            unit=LBS,
            description={
                "en": "Pounds of fentanyl seized by CBP's Office of Field Operations (ports of entry) "
                      "and the Border Patrol in the Southwest Border region, by calendar month. "
                      "Air and Marine Operations seizures are not included (a series of their own).",
                "es": "Libras de fentanilo decomisadas por la Oficina de Operaciones de Campo de CBP "
                      "(puertos de entrada) y la Patrulla Fronteriza en la región de la frontera "
                      "suroeste, por mes calendario. No incluye los decomisos de Operaciones Aéreas y "
                      "Marítimas (serie aparte).",
            },
            zero_fill=True,
            caveats=SEIZURE_CAVEAT,
            donors=(
                {"id": "meth_swb", "filters": {"category": "Methamphetamine"},
                 "label": {"en": "methamphetamine seized at the Southwest border",
                           "es": "metanfetamina decomisada en la frontera suroeste"}},
                {"id": "cocaine_swb", "filters": {"category": "Cocaine"},
                 "label": {"en": "cocaine seized at the Southwest border",
                           "es": "cocaína decomisada en la frontera suroeste"}},
                {"id": "fentanyl_coastal_interior", "filters": {"region": "Coastal/Interior"},
                 "label": {"en": "fentanyl seized at coastal and interior ports",
                           "es": "fentanilo decomisado en puertos costeros e interiores"}},
            ),
        ),
        Indicator(
            id="cbp_fentanyl_seizures_lbs",
            model_scale="log",
            source_id="cbp_drug_seizures",
            base="cbp_drug_seizures_lbs",
            filters={"category": "Fentanyl"},
            name={"en": "Fentanyl seizures nationwide (ports and Border Patrol)",
                  "es": "Decomisos de fentanilo en todo el país (puertos y Patrulla Fronteriza)"},
            unit=LBS,
            description={
                "en": "Pounds of fentanyl seized nationwide by CBP's ports of entry and the Border "
                      "Patrol, by month; Air and Marine Operations not included.",
                "es": "Libras de fentanilo decomisadas en todo el país por los puertos de entrada de "
                      "CBP y la Patrulla Fronteriza, por mes; sin Operaciones Aéreas y Marítimas.",
            },
            zero_fill=True,
            caveats=SEIZURE_CAVEAT,
        ),
        Indicator(
            id="cbp_fentanyl_seizure_events_swb",
            model_scale="log",
            source_id="cbp_drug_seizures",
            base="cbp_drug_seizure_events",
            filters={"category": "Fentanyl", "region": "Southwest Border"},
            name={"en": "Fentanyl seizure events at the Southwest border",
                  "es": "Eventos de decomiso de fentanilo en la frontera suroeste"},
            unit={"en": "seizure events per month", "es": "eventos de decomiso por mes"},
            description={
                "en": "Number of CBP fentanyl seizure events in the Southwest Border region.",
                "es": "Número de eventos de decomiso de fentanilo de CBP en la frontera suroeste.",
            },
            zero_fill=True,
            caveats=SEIZURE_CAVEAT,
        ),
        Indicator(
            id="cbp_drug_seizures_by_type_lbs",
            source_id="cbp_drug_seizures",
            base="cbp_drug_seizures_lbs",
            breakdown="category",
            name={"en": "Drug seizures by drug type, all CBP regions",
                  "es": "Decomisos de drogas por tipo, todas las regiones de CBP"},
            unit=LBS,
            description={
                "en": "Pounds seized by CBP nationwide, one line per drug type.",
                "es": "Libras decomisadas por CBP en todo el país, una línea por tipo de droga.",
            },
            zero_fill=True,
            caveats=SEIZURE_CAVEAT,
            value_labels=DRUG_LABELS,
        ),
        Indicator(
            id="cbp_drug_seizures_swb_by_type_lbs",
            source_id="cbp_drug_seizures",
            base="cbp_drug_seizures_lbs",
            filters={"region": "Southwest Border"},
            breakdown="category",
            name={"en": "Drug seizures by drug type, Southwest border",
                  "es": "Decomisos de drogas por tipo, frontera suroeste"},
            unit=LBS,
            description={
                "en": "Pounds seized by CBP in the Southwest Border region, one line per drug type.",
                "es": "Libras decomisadas por CBP en la frontera suroeste, una línea por tipo de droga.",
            },
            zero_fill=True,
            caveats=SEIZURE_CAVEAT,
            value_labels=DRUG_LABELS,
        ),
        _cdc("cdc_synthetic_opioid_deaths_12m",
             "Synthetic-opioid (fentanyl) overdose deaths, 12 months ending",
             "Muertes por sobredosis de opioides sintéticos (fentanilo), 12 meses",
             "Provisional deaths involving synthetic opioids other than methadone (ICD-10 T40.4, "
             "mostly illicit fentanyl) in the 12 months ending each month.",
             "Muertes provisionales con opioides sintéticos distintos de la metadona (CIE-10 "
             "T40.4, sobre todo fentanilo ilícito) en los 12 meses que terminan en cada mes.",
             # Many of these deaths involve fentanyl too (co-involvement): imperfect controls.
             donors=tuple(
                 {"id": donor, "indicator": f"cdc_{donor}_deaths_12m", "label": label}
                 for donor, label in (
                     ("psychostimulant", {"en": "psychostimulant deaths", "es": "muertes por psicoestimulantes"}),
                     ("cocaine", {"en": "cocaine deaths", "es": "muertes por cocaína"}),
                     ("heroin", {"en": "heroin deaths", "es": "muertes por heroína"}),
                 )
             )),
        _cdc("cdc_overdose_deaths_12m",
             "Drug overdose deaths (all drugs), 12 months ending",
             "Muertes por sobredosis (todas las drogas), 12 meses",
             "Provisional drug overdose deaths of all drugs in the 12 months ending each month.",
             "Muertes provisionales por sobredosis de cualquier droga en los 12 meses que "
             "terminan en cada mes."),
        _cdc("cdc_psychostimulant_deaths_12m",
             "Psychostimulant (methamphetamine) overdose deaths, 12 months ending",
             "Muertes por psicoestimulantes (metanfetamina), 12 meses",
             "Provisional deaths involving psychostimulants with abuse potential (T43.6).",
             "Muertes provisionales con psicoestimulantes con potencial de abuso (T43.6)."),
        _cdc("cdc_cocaine_deaths_12m",
             "Cocaine overdose deaths, 12 months ending",
             "Muertes por sobredosis de cocaína, 12 meses",
             "Provisional deaths involving cocaine (T40.5).",
             "Muertes provisionales con cocaína (T40.5)."),
        _cdc("cdc_heroin_deaths_12m",
             "Heroin overdose deaths, 12 months ending",
             "Muertes por sobredosis de heroína, 12 meses",
             "Provisional deaths involving heroin (T40.1).",
             "Muertes provisionales con heroína (T40.1)."),
        Indicator(
            id="cdc_synthetic_opioid_deaths_monthly",
            model_scale="count",
            source_id="cdc_wonder",
            base="cdc_synthetic_opioid_deaths_monthly",
            name={"en": "Synthetic-opioid deaths per month, by state (CDC WONDER)",
                  "es": "Muertes por opioides sintéticos por mes, por estado (CDC WONDER)"},
            unit={"en": "deaths per month", "es": "muertes por mes"},
            description={
                "en": "True monthly counts of deaths with T40.4 as a multiple cause, by state of "
                      "residence. Cells under 10 deaths are suppressed (shown as gaps).",
                "es": "Conteos mensuales de muertes con T40.4 como causa múltiple, por estado de "
                      "residencia. Las celdas con menos de 10 muertes se suprimen (huecos).",
            },
            default_geo="CA",
            geo_kind="us_states",
            publication_lag_months=6,
            caveats={
                "en": "No national total: suppressed small cells make a sum of states undercount.",
                "es": "Sin total nacional: las celdas pequeñas suprimidas hacen que la suma de "
                      "estados subestime.",
            },
        ),
        Indicator(
            id="cbp_amo_fentanyl_seizures_lbs",
            model_scale="log",
            source_id="cbp_amo_drug_seizures",
            base="cbp_amo_drug_seizures_lbs",
            filters={"category": "Fentanyl"},
            name={"en": "Fentanyl seizures by CBP Air and Marine Operations",
                  "es": "Decomisos de fentanilo de Operaciones Aéreas y Marítimas de CBP"},
            unit=LBS,
            description={
                "en": "Pounds of fentanyl seized by CBP's aircraft and vessels (all regions), by month: "
                      "the part the nationwide port and Border Patrol series leave out.",
                "es": "Libras de fentanilo decomisadas por aeronaves y embarcaciones de CBP (todas las "
                      "regiones), por mes: la parte que las series de puertos y Patrulla Fronteriza no "
                      "incluyen.",
            },
            zero_fill=True,
            caveats=SEIZURE_CAVEAT,
        ),
        Indicator(
            id="cbp_weapons_seizures_outbound",
            model_scale="count",
            source_id="cbp_weapons_seizures",
            base="cbp_weapons_seizure_events",
            filters={"region": "Southwest Border", "direction": "outbound", "seizure_type": "all"},
            name={"en": "Southbound weapons and ammunition seizure events, Southwest border",
                  "es": "Eventos de decomiso de armas y municiones hacia el sur, frontera suroeste"},
            unit={"en": "seizure events per month", "es": "eventos de decomiso por mes"},
            description={
                "en": "CBP seizure events of weapons, ammunition or gun parts leaving the US "
                      "(outbound) at the Southwest border, by month: the southbound-arms commitment.",
                "es": "Eventos de decomiso de CBP de armas, municiones o partes de armas que salen de "
                      "EE. UU. (de salida) por la frontera suroeste, por mes: el compromiso sobre armas "
                      "hacia el sur.",
            },
            better="up",
            zero_fill=True,
            caveats=WEAPONS_CAVEAT,
        ),
        Indicator(
            id="cbp_weapons_seizures_outbound_nationwide",
            model_scale="count",
            source_id="cbp_weapons_seizures",
            base="cbp_weapons_seizure_events",
            filters={"region": "all", "direction": "outbound", "seizure_type": "all"},
            name={"en": "Outbound weapons and ammunition seizure events, nationwide",
                  "es": "Eventos de decomiso de armas y municiones de salida, todo el país"},
            unit={"en": "seizure events per month", "es": "eventos de decomiso por mes"},
            description={
                "en": "CBP seizure events of weapons, ammunition or gun parts leaving the US, all "
                      "regions, by month.",
                "es": "Eventos de decomiso de CBP de armas, municiones o partes de armas que salen de "
                      "EE. UU., todas las regiones, por mes.",
            },
            better="up",
            zero_fill=True,
            caveats=WEAPONS_CAVEAT,
        ),
        Indicator(
            id="cbp_firearms_seized_outbound_swb",
            model_scale="count",
            source_id="cbp_weapons_seizures",
            base="cbp_weapons_seized_items",
            filters={"region": "Southwest Border", "direction": "outbound", "seizure_type": "weapons"},
            breakdown="category",
            name={"en": "Southbound weapons seized by category, Southwest border",
                  "es": "Armas decomisadas hacia el sur por categoría, frontera suroeste"},
            unit={"en": "items per month", "es": "piezas por mes"},
            description={
                "en": "Weapons (handguns, long arms, receivers, ...) CBP seized leaving the US at the "
                      "Southwest border, one line per category.",
                "es": "Armas (cortas, largas, receptores, ...) que CBP decomisó saliendo de EE. UU. por "
                      "la frontera suroeste, una línea por categoría.",
            },
            better="up",
            zero_fill=True,
            caveats=WEAPONS_CAVEAT,
            value_labels=WEAPON_CATEGORY_LABELS,
        ),
        Indicator(
            id="cbp_swb_encounters",
            model_scale="log",
            source_id="cbp_encounters",
            base="cbp_encounters",
            filters={"region": "Southwest Land Border"},
            name={"en": "Southwest land border encounters", "es": "Encuentros en la frontera terrestre suroeste"},
            unit={"en": "encounters per month", "es": "encuentros por mes"},
            description={
                "en": "CBP encounters (Border Patrol apprehensions and port-of-entry inadmissibles) at "
                      "the Southwest land border, by month; by state where the encounter happened.",
                "es": "Encuentros de CBP (detenciones de la Patrulla Fronteriza e inadmisibles en "
                      "puertos) en la frontera terrestre suroeste, por mes; por estado donde ocurrió.",
            },
            geo_kind="us_states",
            zero_fill=True,
            caveats=ENCOUNTERS_CAVEAT,
        ),
        Indicator(
            id="cbp_swb_encounters_by_demographic",
            source_id="cbp_encounters",
            base="cbp_encounters",
            filters={"region": "Southwest Land Border"},
            breakdown="demographic",
            name={"en": "Southwest land border encounters by demographic",
                  "es": "Encuentros en la frontera terrestre suroeste por grupo"},
            unit={"en": "encounters per month", "es": "encuentros por mes"},
            description={
                "en": "Southwest land border encounters: single adults, family units (FMUA), "
                      "accompanied minors and unaccompanied children (UAC).",
                "es": "Encuentros en la frontera terrestre suroeste: adultos solos, unidades familiares "
                      "(FMUA), menores acompañados y menores no acompañados (UAC).",
            },
            geo_kind="us_states",
            zero_fill=True,
            caveats=ENCOUNTERS_CAVEAT,
            value_labels={
                "Single Adults": {"en": "Single adults", "es": "Adultos solos"},
                "FMUA": {"en": "Family units", "es": "Unidades familiares"},
                "Accompanied Minors": {"en": "Accompanied minors", "es": "Menores acompañados"},
                "UAC": {"en": "Unaccompanied children", "es": "Menores no acompañados"},
            },
        ),
        _atf(
            "atf_mexico_us_sourced_traces", "us_sourced_firearms",
            {"en": "Firearms recovered in Mexico traced to a US source",
             "es": "Armas recuperadas en México rastreadas a origen estadounidense"},
            {"en": "firearms", "es": "armas"},
            {"en": "Firearms recovered in Mexico, submitted for tracing and found to be U.S.-sourced "
                   "(made in or legally imported into the U.S.), per year or multi-year window as "
                   "ATF and GAO published them.",
             "es": "Armas recuperadas en México, enviadas a rastreo y de origen estadounidense "
                   "(fabricadas o importadas legalmente en EE. UU.), por año o periodo de varios años "
                   "tal como los publicaron la ATF y la GAO."},
        ),
        _atf(
            "atf_mexico_traced_firearms", "firearms_recovered_in_mexico_submitted_for_tracing",
            {"en": "Firearms recovered in Mexico and submitted for tracing",
             "es": "Armas recuperadas en México y enviadas a rastreo"},
            {"en": "firearms", "es": "armas"},
            {"en": "Firearms recovered in Mexico that Mexico's federal prosecutor (FGR) submitted to "
                   "ATF for tracing, per year or multi-year window.",
             "es": "Armas recuperadas en México que la Fiscalía General de la República (FGR) envió a "
                   "la ATF para rastreo, por año o periodo de varios años."},
        ),
        _atf(
            "atf_mexico_us_sourced_share", "us_sourced_share",
            {"en": "Share of traced firearms that were US-sourced",
             "es": "Porcentaje de armas rastreadas de origen estadounidense"},
            {"en": "% of traced firearms", "es": "% de las armas rastreadas"},
            {"en": "U.S.-sourced firearms as a percentage of those traced, per year or window: derived "
                   "from the two counts where both are published, otherwise as stated (GAO, NFCTA; "
                   "the NFCTA's 74 % is on a different basis).",
             "es": "Armas de origen estadounidense como porcentaje de las rastreadas, por año o periodo: "
                   "calculado con ambos conteos donde se publican, si no tal como se declaró (GAO, "
                   "NFCTA; el 74 % de la NFCTA tiene otra base)."},
        ),
        _sesnsp(
            "sesnsp_homicides_daily_avg",
            {"en": "Intentional-homicide victims in Mexico, daily average",
             "es": "Víctimas de homicidio doloso en México, promedio diario"},
            {"en": "victims per day", "es": "víctimas por día"},
            {"en": "Victims of homicidio doloso (SESNSP) per day of each month: the government's "
                   "headline metric (86.9 a day in September 2024, the baseline of its claims).",
             "es": "Víctimas de homicidio doloso (SESNSP) por día de cada mes: la métrica que "
                   "destaca el gobierno (86.9 al día en septiembre de 2024, la base de sus cifras)."},
            transform="daily_average", context=HOMICIDE_CONTEXT,
        ),
        _sesnsp(
            "sesnsp_homicide_victims",
            {"en": "Intentional-homicide victims in Mexico per month",
             "es": "Víctimas de homicidio doloso en México por mes"},
            {"en": "victims per month", "es": "víctimas por mes"},
            {"en": "Victims of homicidio doloso recorded by the state prosecutors (SESNSP), by month.",
             "es": "Víctimas de homicidio doloso registradas por las fiscalías estatales (SESNSP), por mes."},
            context=HOMICIDE_CONTEXT,
        ),
        _sesnsp(
            "sesnsp_homicide_victims_by_weapon",
            {"en": "Intentional-homicide victims by weapon", "es": "Víctimas de homicidio doloso por arma"},
            {"en": "victims per month", "es": "víctimas por mes"},
            {"en": "Victims of homicidio doloso by the means recorded: firearm, bladed weapon, other, "
                   "not specified.",
             "es": "Víctimas de homicidio doloso según el medio registrado: arma de fuego, arma "
                   "blanca, otro elemento, no especificado."},
            breakdown="weapon", value_labels=WEAPON_LABELS,
        ),
        _sesnsp(
            "sesnsp_homicide_rate_100k",
            {"en": "Intentional-homicide rate per 100,000 people (annualised)",
             "es": "Tasa de homicidio doloso por 100 mil habitantes (anualizada)"},
            {"en": "victims per 100,000 people per year", "es": "víctimas por 100 mil habitantes al año"},
            {"en": "Victims per day of the month × days of the year ÷ CONAPO mid-year population × "
                   "100,000: the month's pace as a yearly rate, comparable across states and with "
                   "annual rates.",
             "es": "Víctimas por día del mes × días del año ÷ población a mitad de año de CONAPO × "
                   "100,000: el ritmo del mes como tasa anual, comparable entre estados y con las "
                   "tasas anuales."},
            transform="per_100k", context=HOMICIDE_CONTEXT,
        ),
        _sesnsp(
            "sesnsp_homicide_firearm_share",
            {"en": "Share of intentional-homicide victims killed with a firearm",
             "es": "Porcentaje de víctimas de homicidio doloso con arma de fuego"},
            {"en": "% of victims", "es": "% de las víctimas"},
            {"en": "Victims of homicidio doloso recorded as killed with a firearm, as a percentage of "
                   "all its victims.",
             "es": "Víctimas de homicidio doloso registradas con arma de fuego, como porcentaje de "
                   "todas sus víctimas."},
            transform="share", share_of={"weapon": "firearm"},
            caveats={
                "en": HOMICIDE_CAVEAT["en"] + " Victims whose weapon is not specified count in the "
                      "denominator only, so a state that records the weapon better shows a higher share.",
                "es": HOMICIDE_CAVEAT["es"] + " Las víctimas sin arma especificada solo cuentan en el "
                      "denominador: un estado que registra mejor el arma muestra un porcentaje mayor.",
            },
            model_scale="linear",
        ),
        _sesnsp(
            "sesnsp_feminicide_victims",
            {"en": "Feminicide victims in Mexico per month", "es": "Víctimas de feminicidio en México por mes"},
            {"en": "victims per month", "es": "víctimas por mes"},
            {"en": "Victims of feminicidio recorded by the state prosecutors (SESNSP), by month.",
             "es": "Víctimas de feminicidio registradas por las fiscalías estatales (SESNSP), por mes."},
            filters={"crime": "feminicidio"},
            model_scale="count",
        ),
        _sesnsp(
            "sesnsp_firearm_injury_victims",
            {"en": "Victims of intentional firearm injuries in Mexico per month",
             "es": "Víctimas de lesiones dolosas con arma de fuego en México por mes"},
            {"en": "victims per month", "es": "víctimas por mes"},
            {"en": "Victims of lesiones dolosas con arma de fuego (SESNSP), by month: gun violence "
                   "that did not kill.",
             "es": "Víctimas de lesiones dolosas con arma de fuego (SESNSP), por mes: violencia "
                   "armada que no mató."},
            filters={"crime": "lesiones_dolosas", "weapon": "firearm"},
        ),
        # SESNSP RNID (2026 on): crimes, not victims; the context series of the displacement check.
        _rnid(
            "sesnsp_rnid_homicide_crimes", "homicidio_doloso",
            {"en": "Intentional-homicide crimes in Mexico per month (RNID, 2026 on)",
             "es": "Delitos de homicidio doloso en México por mes (RNID, desde 2026)"},
            {"en": "Carpetas de investigación for homicidio doloso (every modalidad) in SESNSP's new register, by "
                   "month: crimes, not victims; the 2015-2025 victims series is not continued by it.",
             "es": "Carpetas de investigación por homicidio doloso (todas las modalidades) en el nuevo registro del "
                   "SESNSP, por mes: delitos, no víctimas; no continúa la serie de víctimas 2015-2025."},
            context=HOMICIDE_CONTEXT,
        ),
        _rnid(
            "sesnsp_rnid_feminicide_crimes", "feminicidio",
            {"en": "Feminicide crimes in Mexico per month (RNID, 2026 on)",
             "es": "Delitos de feminicidio en México por mes (RNID, desde 2026)"},
            {"en": "Carpetas de investigación for feminicidio (attempts not included) in SESNSP's new register, by "
                   "month: crimes, not victims.",
             "es": "Carpetas de investigación por feminicidio (sin las tentativas) en el nuevo registro del SESNSP, "
                   "por mes: delitos, no víctimas."},
            model_scale="count",
        ),
        _rnid(
            "sesnsp_rnid_culpable_homicide_crimes", "homicidio_culposo",
            {"en": "Culpable-homicide crimes in Mexico per month (RNID, 2026 on)",
             "es": "Delitos de homicidio culposo en México por mes (RNID, desde 2026)"},
            {"en": "Carpetas de investigación for homicidio culposo (traffic accidents included) in SESNSP's new "
                   "register, by month: context for intentional homicides, since a death recorded as culposo "
                   "does not count as doloso.",
             "es": "Carpetas de investigación por homicidio culposo (con accidentes de tránsito) en el nuevo registro "
                   "del SESNSP, por mes: contexto del homicidio doloso, pues una muerte registrada como culposa no "
                   "cuenta como dolosa."},
        ),
        _rnid(
            "sesnsp_rnid_other_life_crimes", "otros_delitos_que_atentan_contra_la_vida_y_la_integridad_corporal",
            {"en": "Other crimes against life and bodily integrity in Mexico per month (RNID, 2026 on)",
             "es": "Otros delitos que atentan contra la vida y la integridad corporal en México por mes (RNID, "
                   "desde 2026)"},
            {"en": "Carpetas de investigación for 'otros delitos que atentan contra la vida y la integridad "
                   "corporal' in SESNSP's new register, by month: context for intentional homicides, where deaths "
                   "recorded otherwise can land.",
             "es": "Carpetas de investigación por otros delitos que atentan contra la vida y la integridad corporal "
                   "en el nuevo registro del SESNSP, por mes: contexto del homicidio doloso, donde pueden quedar "
                   "muertes registradas de otra forma."},
        ),
    ]
}


class UnknownIndicator(KeyError):
    pass


def get_indicator(indicator_id: str) -> Indicator:
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise UnknownIndicator(indicator_id) from None


def donor_specs(spec: Indicator) -> list[tuple[dict, Indicator]]:
    """Each control series of ``spec`` with the indicator that reads it (no breakdown)."""
    specs = []
    for donor in spec.donors:
        base = INDICATORS[donor["indicator"]] if donor.get("indicator") else spec
        specs.append((donor, replace(base, id=f"{spec.id}:{donor['id']}", filters={**base.filters,
                                     **donor.get("filters", {})}, breakdown=None, donors=())))
    return specs


def available_indicators() -> list[Indicator]:
    return [i for i in INDICATORS.values() if i.status == "available"]


def registry_problems(indicators: dict[str, Indicator] | None = None) -> list[str]:
    """What is wrong between the registry and the series the sources declare (origin YAML):
    a ``base`` no source outputs, a filter or breakdown on an undeclared dimension, a
    level-counted series read without choosing every level. Empty when all is well."""
    from etl.common import declared_outputs, load_origin

    problems = []
    chosen = indicators or INDICATORS
    for spec in [*chosen.values(), *(d for s in chosen.values() if s.status == "available" for _, d in donor_specs(s))]:
        if spec.status != "available":
            continue
        try:
            outputs = declared_outputs(load_origin(spec.source_id))
        except FileNotFoundError:
            problems.append(f"{spec.id}: source {spec.source_id!r} has no origin file")
            continue
        output = outputs.get(spec.base or "")
        if output is None:
            problems.append(f"{spec.id}: base {spec.base!r} is not an output of {spec.source_id} "
                            f"({', '.join(sorted(outputs))})")
            continue
        used = {*spec.filters, *spec.share_of, *([spec.breakdown] if spec.breakdown else [])}
        unknown = used - set(output["dimensions"])
        if unknown:
            problems.append(f"{spec.id}: dimension(s) {', '.join(sorted(unknown))} not declared by {spec.base}")
        if output["aggregation"] == "levels" and set(spec.filters) != set(output["dimensions"]):
            problems.append(f"{spec.id}: {spec.base} counts distinct events per level; filter every one of "
                            f"{', '.join(output['dimensions'])}")
        if output["aggregation"] == "figures" and spec.semantics != "annual":
            problems.append(f"{spec.id}: {spec.base} holds published figures; read them with semantics='annual'")
    return problems
