"""The result of a verification: codes and numbers, no words.

:mod:`indicators.verification` makes an :class:`Assessment`; :mod:`indicators.explain` words one
(``sentence``, ``notes``, ``headline``) in the reader's language when it is shown. Neither of the
two imports the other: both import this module. A stored result (the scorecard's cells, plain
JSON from :meth:`Assessment.to_json`) becomes an Assessment again with :meth:`Assessment.from_json`,
so it is worded by the same functions as one just computed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd


@dataclass
class Assessment:
    method: str
    verdict: str
    event_date: dt.date
    semantics: str = "monthly"
    unit: dict[str, str] | None = None
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    observed: float | None = None
    counterfactual_value: float | None = None
    relative_effect: float | None = None
    relative_ci_low: float | None = None
    relative_ci_high: float | None = None
    mde: float | None = None
    mde_relative: float | None = None
    mde_relative_fall: float | None = None  # log scale: the fall found with 80 % power (1 - exp(-m))
    cumulative_effect: float | None = None
    cumulative_ci_low: float | None = None
    cumulative_ci_high: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    placebo_p_value: float | None = None
    placebo_n: int = 0
    interval_calibration: float | None = None  # the placebo-in-time widening (1: none; None: not tried)
    n_pre: int = 0
    n_post: int = 0
    n_left_out: int = 0
    alpha: float = 0.05
    pre_start: dt.date | None = None
    pre_end: dt.date | None = None
    pre_ends_at_event: dt.date | None = None  # the previous event that ends the pre-period
    post_start: dt.date | None = None
    post_end: dt.date | None = None
    total_start: dt.date | None = None  # rolling_12m: first month of the 12-month total compared
    total_post_months: int | None = None  # rolling_12m: how many of its months are after the event
    data_through: dt.date | None = None
    checkable_from: dt.date | None = None
    expected_publication: dt.date | None = None
    provisional_post_months: int = 0
    provisional_left_out: list[str] = field(default_factory=list)  # post months left out (expected to move)
    scale: str = "linear"  # linear | log (effects in %) | count (quasi-Poisson regression)
    equivalence_bound: float | None = None  # no_change_beyond: the whole interval lies inside ±this
    began_at: dt.date | None = None  # began_before: when the change began
    began_by: str | None = None  # began_before: marker | regime_month | last_month | recent_break | bend
    began_label: dict[str, str] | None = None  # began_before by a marker: its EN/ES name
    change_direction: str | None = None  # began_before / joint: "down" or "up" (the change detected)
    total_change: float | None = None  # began_before: relative change including what began before
    total_change_low: float | None = None
    total_change_high: float | None = None
    joint_events: list[dict] = field(default_factory=list)  # events within JOINT_DAYS the result covers
    regime_steps: list[dict] = field(default_factory=list)  # dated regime changes entered as step terms
    reasons: list[str] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    note_codes: list[dict] = field(default_factory=list)  # {"code": …, values}: explain.notes words them
    counterfactual: pd.DataFrame | None = None

    JSON_FIELDS = (
        "method", "verdict", "event_date", "semantics", "unit", "effect", "ci_low", "ci_high", "observed",
        "counterfactual_value", "relative_effect", "relative_ci_low", "relative_ci_high", "mde", "mde_relative",
        "mde_relative_fall", "cumulative_effect", "cumulative_ci_low", "cumulative_ci_high", "p_value", "q_value",
        "placebo_p_value", "placebo_n", "interval_calibration", "n_pre", "n_post", "n_left_out", "alpha",
        "pre_start", "pre_end", "pre_ends_at_event", "post_start", "post_end", "total_start", "total_post_months",
        "data_through", "checkable_from", "expected_publication", "provisional_post_months", "provisional_left_out",
        "scale", "equivalence_bound", "began_at", "began_by", "began_label", "change_direction", "total_change",
        "total_change_low", "total_change_high", "joint_events", "regime_steps", "reasons", "checks", "note_codes",
    )

    def to_json(self) -> dict:
        body = {key: plain(getattr(self, key)) for key in self.JSON_FIELDS}
        rows = []
        if self.counterfactual is not None:
            frame = self.counterfactual.copy()
            frame["period"] = frame["period"].dt.strftime("%Y-%m")
            rows = [{k: plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        body["counterfactual"] = rows
        return body

    @classmethod
    def from_json(cls, body: dict) -> Assessment:
        """The assessment :meth:`to_json` gave (a stored scorecard cell): its dates dates again;
        keys that are not fields (a cell's ``expected_direction``, ``geo``, ``event``) are ignored."""
        values = {}
        for item in fields(cls):
            if item.name not in body:
                continue
            value = body[item.name]
            if item.name in DATE_FIELDS and isinstance(value, str):
                value = dt.date.fromisoformat(value[:10])
            elif item.name == "counterfactual":
                value = _frame(value)
            values[item.name] = value
        return cls(**values)


DATE_FIELDS = frozenset(item.name for item in fields(Assessment) if str(item.type).startswith("dt.date"))


def _frame(rows: list[dict] | None) -> pd.DataFrame | None:
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["period"] = pd.PeriodIndex(frame["period"], freq="M").to_timestamp()
    return frame.astype({name: float for name in frame.columns if name != "period"})


def plain(value):
    """A value as plain JSON: dates in ISO, non-finite floats as None."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
