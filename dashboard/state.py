"""One explorer view's state, parsed from an address in one place and written back to one
canonical address.

The explorer's layout (first load, Back/Forward), its callback (the controls), every export of a
view (``/api/indicators/<id>.<fmt>``) and every page linking into the explorer (scorecard,
overview, timeline, sources) go through ``ExplorerState``: a parameter means the same thing, with
the same default and the same complaint when it is wrong, wherever it is read.

The state is a plain value and reading an address is a pure function: what the store offers (an
indicator's geographies, the timeline's events, the geographies with a population) is read by the
data door (:func:`dashboard.queries.view_choices`) and handed in as a
:class:`~indicators.service.ViewChoices`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from urllib.parse import parse_qsl, urlencode

from dashboard import queries
from dashboard.i18n import normalise_lang, t
from indicators.catalogue import EVENT_TYPES
from indicators.registry import INDICATORS
from indicators.service import ViewChoices
from indicators.transforms import TRANSFORMS
from indicators.verification import METHODS

DEFAULT_INDICATOR = "cbp_fentanyl_seizures_swb_lbs"
DEFAULT_START = dt.date(2024, 1, 1)

# Every parameter an explorer address may carry, in the order a canonical address writes them.
PARAMS = ("indicator", "geo", "from", "to", "as_of", "transform", "base", "log", "compare", "vs", "revision",
          "events", "unconfirmed", "all_events", "event", "method", "lang")


@dataclass(frozen=True)
class Problem:
    """Something in an address that could not be used: ``code`` names it, the rest are its words."""

    code: str
    name: str = ""
    value: str = ""
    extra: str = ""

    def english(self) -> str:
        """The API's one-line error (the API speaks English)."""
        value = self.value[:20]
        messages = {
            "unknown_params": lambda: f"unknown parameter(s): {self.value}; use {self.extra}",
            "not_month": lambda: f"{self.name}={value!r} is not a month (YYYY-MM)",
            "not_date": lambda: f"{self.name}={value!r} is not a date (YYYY-MM-DD)",
            "range": lambda: f"from={self.value} is after to={self.extra}",
            "geo": lambda: f"{self.name}={value!r} has no data for {self.extra}; see /api/indicators",
            "indicator": lambda: f"{self.name}={value!r} is not an indicator with data; see /api/indicators",
            "event": lambda: f"unknown event {self.value!r} ({self.name}=); see /api/events.json",
            "choice": lambda: f"{self.name}={value!r}; use one of {self.extra}",
            "transform": lambda: f"{self.name}={value!r} is not available for this view: {t(self.extra, 'en')}",
        }
        return messages[self.code]()

    def words(self, lang: str) -> str:
        """The explorer's notice line, in the page's language."""
        if self.code == "unknown_params":
            return t("url_unknown_param", lang, names=self.value)
        if self.code == "indicator" and self.name == "indicator":
            return t("url_bad_indicator", lang, value=self.value,
                     default=INDICATORS[DEFAULT_INDICATOR].name.get(lang) or INDICATORS[DEFAULT_INDICATOR].name["en"])
        if self.code == "geo" and self.name == "geo":
            return t("url_bad_geo", lang, value=self.value, default=INDICATORS[self.extra].default_geo)
        if self.code == "transform":
            return t("url_bad_transform", lang, value=self.value, why=t(self.extra, lang))
        return t("url_bad_value", lang, name=self.name, value=self.value)


def _available(indicator: str | None) -> bool:
    spec = INDICATORS.get(indicator or "")
    return spec is not None and spec.status == "available"


@dataclass(frozen=True)
class ExplorerState:
    indicator: str = DEFAULT_INDICATOR
    geo: str | None = None  # None: the indicator's default geography
    start: dt.date | None = DEFAULT_START
    end: dt.date | None = None
    as_of: dt.date | None = None  # the data as known on this date (None: the latest releases)
    transform: str = "level"  # level | yoy | index | per100k
    base: str | None = None  # index = 100 at this event (None: the tested event, else the first month)
    log: bool = False
    compare: str | None = None  # a second geography of the same indicator
    vs: str | None = None  # a second indicator, on a second axis
    revision: dt.date | None = None  # overlay the series as known on this date (revision view)
    event_types: tuple[str, ...] = field(default=tuple(EVENT_TYPES))
    unconfirmed: bool = True
    all_events: bool = False  # every timeline event, not only those linked to the indicator
    event: str | None = None  # the event tested
    method: str = "auto"
    lang: str = "en"

    # --- from an address -------------------------------------------------------------------

    @staticmethod
    def _query(query: Mapping[str, str] | str) -> dict[str, str]:
        if isinstance(query, str):
            query = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True))
        # A repeated parameter (Dash Pages hands over a list): the last one counts, as in a form.
        query = {k: (v[-1] if isinstance(v, list) and v else v) for k, v in query.items()}
        return {k: v if isinstance(v, str) else str(v) for k, v in query.items()}

    @classmethod
    def indicator_in(cls, query: Mapping[str, str] | str) -> str:
        """The indicator an address shows (the default when it names none with data): the one
        whose :class:`ViewChoices` :meth:`parse` needs."""
        name = cls._query(query).get("indicator") or DEFAULT_INDICATOR
        return name if _available(name) else DEFAULT_INDICATOR

    @classmethod
    def parse(cls, query: Mapping[str, str] | str, choices: ViewChoices, *,
              allowed: tuple[str, ...] | set[str] = PARAMS,
              indicator: str | None = None) -> tuple[ExplorerState, list[Problem]]:
        """The state an address asks for, and what in it could not be used (each bad value falls
        back to its default, so the page can still draw something while it says what it ignored).
        ``choices``: what the store offers, with the geographies of the address's indicator
        (:meth:`indicator_in`, or ``indicator``). ``indicator`` comes from an API path;
        ``allowed`` limits the parameters (the data API takes fewer than an image)."""
        query = cls._query(query)
        problems: list[Problem] = []
        unknown = sorted(set(query) - set(allowed))
        if unknown:
            problems.append(Problem("unknown_params", value=", ".join(unknown), extra=", ".join(sorted(allowed))))
        get = {k: query.get(k) for k in allowed if k in query}
        values: dict = {"lang": normalise_lang(get.get("lang"))}

        name = indicator or get.get("indicator") or DEFAULT_INDICATOR
        if indicator is None and not _available(name):
            problems.append(Problem("indicator", "indicator", name))
            name = DEFAULT_INDICATOR
        values["indicator"] = name
        geos = choices.geos.get(name, ()) if _available(name) else ()
        spec = INDICATORS.get(name)
        geo = get.get("geo") or None
        if geo and spec is not None and _available(name) and geo not in geos:
            problems.append(Problem("geo", "geo", geo, name))
            geo = None
        values["geo"] = geo

        for key, attr, parse, code in (("from", "start", queries.parse_month, "not_month"),
                                       ("to", "end", queries.parse_month, "not_month"),
                                       ("as_of", "as_of", queries.parse_date, "not_date"),
                                       ("revision", "revision", queries.parse_date, "not_date")):
            if key in get:
                try:
                    values[attr] = parse(get[key], key)
                except queries.BadQuery:
                    problems.append(Problem(code, key, str(get[key])))
        if "from" in get and get["from"] == "":
            values["start"] = None  # an explicit empty start: every month
        start = values.get("start", None if "from" in get else DEFAULT_START)  # the start in effect
        if start and values.get("end") and start > values["end"]:
            problems.append(Problem("range", "from", start.isoformat()[:7], str(get["to"])))
            values.pop("end")

        if "events" in get:
            kinds = [k for k in (get["events"] or "").split(",") if k]
            for kind in kinds:
                if kind not in EVENT_TYPES:
                    problems.append(Problem("choice", "events", kind, ", ".join(EVENT_TYPES)))
            values["event_types"] = tuple(k for k in EVENT_TYPES if k in kinds)
        for key in ("unconfirmed", "all_events", "log"):
            if key in get:
                if get[key] not in ("0", "1"):
                    problems.append(Problem("choice", key, str(get[key]), "0, 1"))
                else:
                    values[key] = get[key] == "1"
        for key in ("event", "base"):
            if get.get(key):
                if get[key] in choices.events:
                    values[key] = get[key]
                else:
                    problems.append(Problem("event", key, get[key]))
        if "method" in get:
            if get["method"] in METHODS:
                values["method"] = get["method"]
            else:
                problems.append(Problem("choice", "method", str(get["method"]), ", ".join(METHODS)))
        if get.get("compare"):
            if get["compare"] in geos:
                values["compare"] = get["compare"]
            else:
                problems.append(Problem("geo", "compare", get["compare"], name))
        if get.get("vs"):
            if _available(get["vs"]) and get["vs"] != name:
                values["vs"] = get["vs"]
            else:
                problems.append(Problem("indicator", "vs", get["vs"]))
        if "transform" in get:
            transform = get["transform"]
            if transform not in TRANSFORMS:
                problems.append(Problem("choice", "transform", str(transform), ", ".join(TRANSFORMS)))
            else:
                values["transform"] = transform
        state = cls(**values)
        why = state.transform_unavailable(state.transform, choices.population)
        if why:
            problems.append(Problem("transform", "transform", state.transform, why))
            state = replace(state, transform="level")
        if state.log and state.transform in ("yoy",):
            problems.append(Problem("transform", "log", "1", "transform_no_log"))
            state = replace(state, log=False)
        return state, problems

    def normalised(self, population: Collection[str]) -> ExplorerState:
        """The state with combinations the address could not carry dropped (what a control
        change can produce): a log scale under a % change, the indicator compared with itself,
        the geography compared with itself, an end before the start, a transform the view
        cannot take (``population``: the geographies with a population)."""
        state = self
        if state.transform_unavailable(state.transform, population):
            state = replace(state, transform="level")
        if state.log and state.transform == "yoy":
            state = replace(state, log=False)
        if state.vs == state.indicator:
            state = replace(state, vs=None)
        if state.compare and state.compare == state.geo:
            state = replace(state, compare=None)
        if state.start and state.end and state.start > state.end:
            state = replace(state, end=None)
        return state

    @classmethod
    def from_controls(cls, **controls) -> ExplorerState:
        """The state the explorer's controls show (values as Dash sends them)."""
        def flag(value) -> bool:
            return bool(value)
        return cls(
            indicator=controls["indicator"] or DEFAULT_INDICATOR,
            geo=controls.get("geo") or None,
            start=queries.parse_month(controls.get("start"), "from"),
            end=queries.parse_month(controls.get("end"), "to"),
            as_of=queries.parse_date(controls.get("as_of"), "as_of"),
            transform=controls.get("transform") or "level",
            base=controls.get("base") or None,
            log=flag(controls.get("log")),
            compare=controls.get("compare") or None,
            vs=controls.get("vs") or None,
            revision=queries.parse_date(controls.get("revision"), "revision"),
            event_types=tuple(k for k in EVENT_TYPES if k in (controls.get("event_types") or [])),
            unconfirmed=flag(controls.get("unconfirmed")),
            all_events=flag(controls.get("all_events")),
            event=controls.get("event") or None,
            method=controls.get("method") or "auto",
            lang=normalise_lang(controls.get("lang")),
        )

    # --- what is possible ------------------------------------------------------------------

    def transform_unavailable(self, transform: str, population: Collection[str]) -> str | None:
        """Why a transform cannot be applied to this view (an i18n key), or None. ``population``:
        the geographies with a population (:attr:`ViewChoices.population`)."""
        spec = INDICATORS.get(self.indicator)
        if spec is None or transform == "level":
            return None
        if spec.semantics == "annual":
            return "transform_annual"
        if transform == "per100k":
            if not spec.takes_per_100k:  # an average per day, a share, a rate already
                return "transform_already_rate"
            if (self.geo or spec.default_geo) not in population:
                return "transform_no_population"
        if transform == "yoy" and spec.transform == "share":
            return "transform_share_yoy"
        return None

    # --- to an address ---------------------------------------------------------------------

    def params(self, *, keep_lang: bool = True) -> dict[str, str]:
        """The canonical parameters, in a fixed order: the indicator, geography (once resolved) and
        start always, everything else only when it is not its default."""
        out: dict[str, str] = {"indicator": self.indicator}
        if self.geo:
            out["geo"] = self.geo
        # Written even when it is the default: a permalink must not change meaning with a default.
        out["from"] = self.start.isoformat()[:7] if self.start else ""
        if self.end:
            out["to"] = self.end.isoformat()[:7]
        if self.as_of:
            out["as_of"] = self.as_of.isoformat()
        if self.transform != "level":
            out["transform"] = self.transform
        if self.base and self.transform == "index":
            out["base"] = self.base
        if self.log:
            out["log"] = "1"
        if self.compare:
            out["compare"] = self.compare
        if self.vs:
            out["vs"] = self.vs
        if self.revision:
            out["revision"] = self.revision.isoformat()
        if set(self.event_types) != set(EVENT_TYPES):
            out["events"] = ",".join(self.event_types)
        if not self.unconfirmed:
            out["unconfirmed"] = "0"
        if self.all_events:
            out["all_events"] = "1"
        if self.event:
            out["event"] = self.event
            if self.method != "auto":
                out["method"] = self.method
        if keep_lang and self.lang != "en":
            out["lang"] = self.lang
        return out

    def search(self) -> str:
        """``?indicator=…``: the explorer address of this view."""
        return "?" + urlencode(self.params(), safe=",")

    def href(self) -> str:
        return "/" + self.search()

    def export_query(self) -> str:
        """The parameters of ``/api/indicators/<id>.<fmt>`` for this view (the indicator is in the path)."""
        params = self.params()
        params.pop("indicator")
        return urlencode(params, safe=",")

    def series_query(self, geo: str | None = None, indicator: str | None = None,
                     as_of: dt.date | str | None = "same") -> queries.SeriesQuery:
        return queries.SeriesQuery(indicator or self.indicator, geo if geo is not None else self.geo, self.start,
                                   self.end, self.as_of if as_of == "same" else as_of)

    def with_(self, **changes) -> ExplorerState:
        return replace(self, **changes)


FIELD_NAMES = tuple(f.name for f in fields(ExplorerState))
