"""Interface strings, by the key the code names: the gettext catalogues in ``locale/`` (read by
``catalogues``), one per language; data texts carry their own {"en", "es"} pairs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from catalogues import DEFAULT, N_, NC_, Message, gettext, has, keys, languages, normalise


class _Strings(Mapping[str, Message]):
    """Every interface string: ``STRINGS[key][lang]``, ``key in STRINGS``."""

    def __getitem__(self, key: str) -> Message:
        if not has(key):
            raise KeyError(key)
        return Message(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and has(key)

    def __iter__(self) -> Iterator[str]:
        return iter(keys())

    def __len__(self) -> int:
        return len(keys())


STRINGS = _Strings()


def __getattr__(name: str):
    if name == "LANGUAGES":  # the interface languages, as the catalogues present say
        return tuple(languages())
    raise AttributeError(name)


# Keys the code builds at run time (``t("type_" + kind, lang)``) or passes through a variable
# (``for key in (...)``): marked here so that ``pybabel extract`` finds every key the interface uses.
RUNTIME_KEYS = (
    N_("brief_col_on"), N_("brief_col_release"), N_("brief_col_source"),
    N_("brief_link"),
    N_("brief_status_then"),
    N_("cadence_annual"), N_("cadence_irregular"), N_("cadence_monthly"),
    N_("card_direction"), N_("card_frequency"), N_("card_geographies"), N_("card_lag"), N_("card_unit"),
    N_("changes_cause_calendar"), N_("changes_cause_method"), N_("changes_cause_new_data"),
    N_("changes_cause_release_date"), N_("changes_cause_restoration"), N_("changes_cause_revision"),
    N_("changes_cause_timeline"), N_("changes_cause_withdrawal"),
    N_("changes_col_after"), N_("changes_col_before"), N_("changes_col_kind"), N_("changes_col_what"),
    N_("changes_kind_claim"), N_("changes_kind_commitment"), N_("changes_kind_verdict"),
    N_("changes_method_code"), N_("changes_method_engine"),
    N_("changes_months_gone"),
    N_("changes_new_months"),
    N_("changes_permalink"), N_("changes_published"), N_("changes_redated"), N_("changes_restored"),
    N_("changes_revisions"), N_("changes_withdrawn"),
    N_("changes_revision_completed"), N_("changes_revision_provisional"),
    N_("check_bend"), N_("check_donors"), N_("check_failed"), N_("check_na"), N_("check_outlier"), N_("check_passed"),
    N_("check_placebo"),
    N_("check_other_method"),
    N_("check_pre_length"),
    N_("check_recent_break"),
    N_("claim_col_claim"), N_("claim_col_independent"), N_("claim_col_period"), N_("claim_col_value"),
    N_("claim_col_who"),
    N_("claim_reading_holds"), N_("claim_reading_matters"), N_("claim_reading_unknown"),
    N_("claim_reason_change_off"), N_("claim_reason_change_within"), N_("claim_reason_different_basis"),
    N_("claim_reason_higher_than_independent"), N_("claim_reason_lower_than_independent"), N_("claim_reason_matches"),
    N_("claim_reason_no_independent_series"), N_("claim_reason_no_release_in_force"),
    N_("claim_reason_not_loaded_yet"), N_("claim_reason_not_published_yet"),
    N_("claim_reason_rnid_crimes_not_victims"), N_("claim_reason_within_tolerance"),
    N_("claim_status_consistent"), N_("claim_status_inconsistent"), N_("claim_status_not_checkable"),
    N_("claims_sort_claim"), N_("claims_sort_difference"), N_("claims_sort_period_end"), N_("claims_sort_stated_on"),
    N_("claims_sort_status"),
    N_("commitment_col_commitment"), N_("commitment_col_evidence"), N_("commitment_col_party"),
    N_("commitment_col_target"),
    N_("commitment_party_MX"), N_("commitment_party_US"), N_("commitment_party_both"),
    N_("commitment_quote_lang"),
    N_("commitment_role_against"), N_("commitment_role_for"), N_("commitment_role_none"),
    N_("commitment_role_pending"), N_("commitment_role_unclear"), N_("commitment_role_unmeasured"),
    N_("commitment_status_mixed"), N_("commitment_status_no_change"), N_("commitment_status_no_measurable_change"),
    N_("commitment_status_not_measurable"), N_("commitment_status_off_track"), N_("commitment_status_on_track"),
    N_("commitment_status_target_undefined"), N_("commitment_status_too_early"),
    N_("commitment_theme_cartels"), N_("commitment_theme_cooperation"), N_("commitment_theme_demand"),
    N_("commitment_theme_fentanyl"), N_("commitment_theme_finance"), N_("commitment_theme_firearms"),
    N_("commitment_theme_precursors"),
    N_("confidence_high"), N_("confidence_low"), N_("confidence_medium"),
    N_("direction_ambiguous"), N_("direction_down"), N_("direction_none"), N_("direction_up"),
    N_("donors_cannot_tell"),
    N_("donors_no_change"),
    N_("donors_not_possible"),
    N_("donors_other_answer"),
    N_("donors_same_change"),
    N_("expected"),
    N_("interval"),
    N_("nav_claims"), N_("nav_commitments"), N_("nav_overview"), N_("nav_scorecard"), N_("nav_sources"),
    N_("overview_before"), N_("overview_change"), N_("overview_failing"), N_("overview_latest"),
    N_("overview_overdue"), N_("overview_state"), N_("overview_static"),
    N_("overview_import_only"),
    N_("overview_latest_release"),
    N_("overview_next_due"),
    N_("overview_on_time"),
    N_("q_value"),
    N_("run_kind_build"), N_("run_kind_import"), N_("run_kind_refresh"), N_("run_kind_snapshot"),
    N_("size_column"), N_("size_page"), N_("size_wide"),
    N_("timeline_confidence_confirmed"), N_("timeline_confidence_not_found"), N_("timeline_confidence_single"),
    N_("timeline_confidence_uncertain"),
    N_("timeline_filter_confidence"), N_("timeline_filter_party"), N_("timeline_filter_types"),
    N_("transform_already_rate"),
    N_("transform_annual"), N_("transform_index"), N_("transform_level"), N_("transform_per100k"),
    N_("transform_yoy"),
    N_("transform_no_log"), N_("transform_no_population"),
    N_("transform_share_yoy"),
    N_("type_action"), N_("type_commitment"), N_("type_meeting"), N_("type_statement"),
    N_("type_measurement_change"),
    N_("unit_per100k"),
    N_("unit_per100k_12m"),
)


# The flags observations carry (etl), as readers see them.
FLAG_LABELS: dict[str, Message] = {
    "provisional": Message("flag_provisional"),
    "rolling_12m": Message("flag_rolling_12m"),
    "low_quality": Message("flag_low_quality"),
    "underreported": Message("flag_underreported"),
    "suppressed": Message("flag_suppressed"),
    "missing": Message("flag_missing"),
    "projection": Message("flag_projection"),
    "annual": Message("flag_annual"),
    "window": Message("flag_window"),
    "claim": Message("flag_claim"),
    "derived": Message("flag_derived"),
    "quantity_missing": Message("flag_quantity_missing"),
}


def flag_text(flags: str | None, lang: str) -> str:
    """"provisional,rolling_12m" → "provisional (may be revised) · 12-month total"."""
    names = [f for f in str(flags or "").split(",") if f]
    return " · ".join(pick(FLAG_LABELS.get(name), lang) or name for name in names)


def t(key: str, lang: str, **values: str) -> str:
    """The interface string ``key`` in ``lang`` (English for a language without it), formatted."""
    text = gettext(key, lang)
    return text.format(**values) if values else text


def pick(pair: Mapping[str, str] | None, lang: str) -> str:
    """The text of a data field {"en": ..., "es": ...} in the language, falling back to English."""
    if not pair:
        return ""
    return pair.get(lang) or pair.get("en", "")


def normalise_lang(lang: str | None) -> str:
    return normalise(lang)


def lang_query(lang: str, sep: str = "?") -> str:
    """``?lang=es`` (or ``&lang=es``) to keep a link in the page's language; nothing for English."""
    return "" if lang == DEFAULT else f"{sep}lang={lang}"


# How a release date was known, as the loaders record it (in English): the other languages' pages and
# downloads say it in their words (the catalogues' "release_basis" context, the English note as key).
# A test fails on a note in the store without its translation.
BASIS_NOTES = (
    NC_("release_basis", "estimated: the month of the newest report the figures cite (as_of)"),
    NC_("release_basis", "estimated: mid-month after the last data month (CBP uploads in the following month)"),
    NC_("release_basis", "release date in the file name"),
    NC_("release_basis", "estimated: mid-month, five months after the last 12-month-ending month"),
    NC_("release_basis", "estimated: six months after the last data month (WONDER exports carry no date)"),
    NC_("release_basis", "the newest statement the table records (fecha_publicacion)"),
    NC_("release_basis", "estimated: CONAPO's 2020-2070 projections were released mid-2023"),
    NC_("release_basis", "estimated: the 20th of the month after the last data month (SESNSP's usual release day)"),
)
BASIS: dict[str, Message] = {note: Message(note, "release_basis") for note in BASIS_NOTES}


def basis_text(note: str, lang: str) -> str:
    """How a release date was known, in the language (the recorded English when untranslated)."""
    return gettext(note, lang, "release_basis") if has(note, "release_basis") else note
