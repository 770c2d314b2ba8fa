"""Geography codes that travel across sources: US, US states (USPS codes), CDC's special codes,
Mexico and its states (ISO 3166-2 codes, joined to INEGI's two-digit entity keys)."""

from __future__ import annotations

US_STATES: dict[str, tuple[str, str]] = {
    # code: (FIPS, name)
    "AL": ("01", "Alabama"), "AK": ("02", "Alaska"), "AZ": ("04", "Arizona"),
    "AR": ("05", "Arkansas"), "CA": ("06", "California"), "CO": ("08", "Colorado"),
    "CT": ("09", "Connecticut"), "DE": ("10", "Delaware"), "DC": ("11", "District of Columbia"),
    "FL": ("12", "Florida"), "GA": ("13", "Georgia"), "HI": ("15", "Hawaii"),
    "ID": ("16", "Idaho"), "IL": ("17", "Illinois"), "IN": ("18", "Indiana"),
    "IA": ("19", "Iowa"), "KS": ("20", "Kansas"), "KY": ("21", "Kentucky"),
    "LA": ("22", "Louisiana"), "ME": ("23", "Maine"), "MD": ("24", "Maryland"),
    "MA": ("25", "Massachusetts"), "MI": ("26", "Michigan"), "MN": ("27", "Minnesota"),
    "MS": ("28", "Mississippi"), "MO": ("29", "Missouri"), "MT": ("30", "Montana"),
    "NE": ("31", "Nebraska"), "NV": ("32", "Nevada"), "NH": ("33", "New Hampshire"),
    "NJ": ("34", "New Jersey"), "NM": ("35", "New Mexico"), "NY": ("36", "New York"),
    "NC": ("37", "North Carolina"), "ND": ("38", "North Dakota"), "OH": ("39", "Ohio"),
    "OK": ("40", "Oklahoma"), "OR": ("41", "Oregon"), "PA": ("42", "Pennsylvania"),
    "RI": ("44", "Rhode Island"), "SC": ("45", "South Carolina"), "SD": ("46", "South Dakota"),
    "TN": ("47", "Tennessee"), "TX": ("48", "Texas"), "UT": ("49", "Utah"),
    "VT": ("50", "Vermont"), "VA": ("51", "Virginia"), "WA": ("53", "Washington"),
    "WV": ("54", "West Virginia"), "WI": ("55", "Wisconsin"), "WY": ("56", "Wyoming"),
    "PR": ("72", "Puerto Rico"),
}

# Codes with meanings of their own. CDC's "NY" is New York State *without* New York City ("YC");
# a source that adds the two together is published under "NYS" so the meanings never mix.
SPECIAL_GEOS: dict[str, dict[str, str]] = {
    "US": {"en": "United States", "es": "Estados Unidos"},
    "MX": {"en": "Mexico", "es": "México"},
    "GU": {"en": "Guam", "es": "Guam"},
    "MP": {"en": "Northern Mariana Islands", "es": "Islas Marianas del Norte"},
    "VI": {"en": "U.S. Virgin Islands", "es": "Islas Vírgenes de EE. UU."},
    "YC": {"en": "New York City", "es": "Ciudad de Nueva York"},
    "NY": {"en": "New York (excl. New York City)", "es": "Nueva York (sin la Ciudad de Nueva York)"},
    "NYS": {"en": "New York State (incl. New York City)", "es": "Estado de Nueva York (con la ciudad)"},
}

MX_STATES: dict[str, tuple[str, str]] = {
    # ISO 3166-2 code: (INEGI cve_ent, official short name)
    "MX-AGU": ("01", "Aguascalientes"), "MX-BCN": ("02", "Baja California"),
    "MX-BCS": ("03", "Baja California Sur"), "MX-CAM": ("04", "Campeche"),
    "MX-COA": ("05", "Coahuila"), "MX-COL": ("06", "Colima"), "MX-CHP": ("07", "Chiapas"),
    "MX-CHH": ("08", "Chihuahua"), "MX-CMX": ("09", "Ciudad de México"), "MX-DUR": ("10", "Durango"),
    "MX-GUA": ("11", "Guanajuato"), "MX-GRO": ("12", "Guerrero"), "MX-HID": ("13", "Hidalgo"),
    "MX-JAL": ("14", "Jalisco"), "MX-MEX": ("15", "Estado de México"), "MX-MIC": ("16", "Michoacán"),
    "MX-MOR": ("17", "Morelos"), "MX-NAY": ("18", "Nayarit"), "MX-NLE": ("19", "Nuevo León"),
    "MX-OAX": ("20", "Oaxaca"), "MX-PUE": ("21", "Puebla"), "MX-QUE": ("22", "Querétaro"),
    "MX-ROO": ("23", "Quintana Roo"), "MX-SLP": ("24", "San Luis Potosí"), "MX-SIN": ("25", "Sinaloa"),
    "MX-SON": ("26", "Sonora"), "MX-TAB": ("27", "Tabasco"), "MX-TAM": ("28", "Tamaulipas"),
    "MX-TLA": ("29", "Tlaxcala"), "MX-VER": ("30", "Veracruz"), "MX-YUC": ("31", "Yucatán"),
    "MX-ZAC": ("32", "Zacatecas"),
}
INEGI_TO_CODE = {cve: code for code, (cve, _name) in MX_STATES.items()}
INEGI_TO_CODE["00"] = "MX"

FIPS_TO_CODE = {fips: code for code, (fips, _name) in US_STATES.items()}
NAME_TO_CODE = {name: code for code, (_fips, name) in US_STATES.items()}


def geo_name(code: str, lang: str = "en", source_id: str | None = None) -> str:
    """A geography's name; CDC VSRR's "NY" (without New York City) is named so only for it."""
    if code == "NY" and source_id != "cdc_vsrr":
        return US_STATES["NY"][1]
    if code in SPECIAL_GEOS:
        return SPECIAL_GEOS[code][lang if lang in ("en", "es") else "en"]
    if code in US_STATES:
        return US_STATES[code][1]
    if code in MX_STATES:
        return MX_STATES[code][1]
    return code
