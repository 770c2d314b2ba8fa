"""Verification statistics: did an indicator measurably change after an event?

``assess(series, event_date, ...)`` compares what happened after the event with an estimate of
what would have happened without it (the counterfactual path), with honest uncertainty, and
says whether the result is verifiable yet. Pure functions over pandas; no store, no Dash, no
prose: the engine returns codes and numbers, :mod:`indicators.explain` words them in EN/ES.

The steps, each a function below: **window** (pre-period, left-out months, post window) →
**availability** (enough post months published?) → **estimate** (counterfactual path forecast
for exactly the post-window months) → **robustness** (only when the interval excludes zero) →
**verdict**.

One definition of the effect for every method: actual − counterfactual path, averaged over the
post months of a monthly flow; for a 12-month-ending series (``rolling_12m``), the difference
between the observed and the counterfactual 12-month total at the last post month.

Methods
- ``structural`` (the default): a CausalImpact-style ``UnobservedComponents`` model (local level
  with drift, seasonal, AR(1)) fitted on the pre-period and forecast from the month after it,
  through any left-out months, to the end of the post window. The interval uses the joint
  covariance of the forecast errors across horizons and t critical values whose degrees of
  freedom deduct the fitted parameters and the observations used to initialise diffuse states.
- ``its``: a segmented-regression counterfactual: trend and month-of-year terms fitted on the
  pre-period with AR(1) errors (Cochrane–Orcutt iterations, ``GLSAR.iterative_fit``), extended
  through the post window; its forecast covariance adds the coefficient uncertainty to the
  AR(1) forecast errors.
- ``yoy``: post months against the same months a year earlier; descriptive only (it includes
  any trend already under way, so it gives no verdict).
- ``descriptive``: annual figures; no inference.

Before a directional verdict the estimate must survive the robustness checks: a studentised
placebo-in-time rank, a test for a departure in the last pre-event months, a re-estimate without
outlying months just before the event, other pre-period lengths and the other model. When they
disagree the verdict is ``inconclusive``. Every property is measured in bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from indicators import explain

# statsmodels and scipy take about a second to import; they load on the first estimate, so the
# app starts without them (a page served from stored assessments never needs them).


def _stats():
    from scipy import stats
    return stats


def _unobserved_components(*args, **kwargs):
    from statsmodels.tsa.statespace.structural import UnobservedComponents
    return UnobservedComponents(*args, **kwargs)

VERDICTS = (
    "improved", "worsened", "changed", "inconclusive", "no_detectable_change", "not_yet_verifiable",
    "confounded", "insufficient_history", "descriptive_only",
)
METHODS = ("auto", "structural", "its", "yoy", "descriptive")
MODEL_METHODS = ("structural", "its")
MIN_PRE = 24  # below two seasonal cycles neither model is calibrated (bench/RESULTS.md)
MAX_POST_MONTHS = 12
MAX_PLACEBO_DATES = 24
POWER = 0.80
PRE_LENGTHS = (24, 36, 48)
HOLDOUT_MONTHS = 6  # the last pre months tested for a departure that began before the event
MIN_HOLDOUT_FIT = 18
OUTLIER_LOOKBACK = 3
OUTLIER_Z = 3.0
AGREE_T = 1.0  # a variant agrees when it points the same way and is at least one s.e. from zero
BREAK_ALPHA = 0.10
BREAK_SAME_T = 1.0  # a departure the same way as the effect, at least this many s.e., is a break
PLACEBO_GUARD = 0.10
MIN_PLACEBO_GUARD = 9  # below this many fake dates the rank cannot reach PLACEBO_GUARD


@dataclass
class Assessment:
    method: str
    verdict: str
    event_date: dt.date
    explanation: str = ""
    explanation_es: str = ""
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
    cumulative_effect: float | None = None
    cumulative_ci_low: float | None = None
    cumulative_ci_high: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    placebo_p_value: float | None = None
    placebo_n: int = 0
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
    reasons: list[str] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    note_codes: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    notes_es: list[str] = field(default_factory=list)
    counterfactual: pd.DataFrame | None = None

    JSON_FIELDS = (
        "method", "verdict", "explanation", "explanation_es", "event_date", "semantics", "unit", "effect",
        "ci_low", "ci_high", "observed", "counterfactual_value", "relative_effect", "relative_ci_low",
        "relative_ci_high", "mde", "mde_relative", "cumulative_effect", "cumulative_ci_low",
        "cumulative_ci_high", "p_value", "q_value", "placebo_p_value", "placebo_n", "n_pre", "n_post",
        "n_left_out", "alpha", "pre_start", "pre_end", "pre_ends_at_event", "post_start", "post_end",
        "total_start", "total_post_months", "data_through", "checkable_from", "expected_publication",
        "provisional_post_months", "reasons", "checks", "note_codes", "notes", "notes_es",
    )

    def to_json(self) -> dict:
        body = {key: _plain(getattr(self, key)) for key in self.JSON_FIELDS}
        rows = []
        if self.counterfactual is not None:
            frame = self.counterfactual.copy()
            frame["period"] = frame["period"].dt.strftime("%Y-%m")
            rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        body["counterfactual"] = rows
        return body


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class StructuralFit:
    """A fitted specification, reused (parameters and scale fixed) at the placebo dates: the
    parameters are variances on the standardised scale of the real pre-period."""

    spec: dict
    params: np.ndarray
    centre: float = 0.0
    scale: float = 1.0


@dataclass
class Estimate:
    """One counterfactual comparison. ``expected``/``band_sd`` cover the post-window months."""

    effect: float
    se: float
    df: float
    observed: float
    counterfactual: float
    expected: np.ndarray
    band_sd: np.ndarray
    n_post: int
    pre_z: np.ndarray  # standardised one-step errors aligned with the pre-period (NaN: none)
    cumulative: float | None = None
    cumulative_se: float | None = None
    fit: StructuralFit | None = None

    @property
    def t(self) -> float:
        return self.effect / self.se if self.se > 0 else math.inf

    def crit(self, alpha: float) -> float:
        return float(_stats().t.ppf(1 - alpha / 2, self.df))

    def interval(self, alpha: float) -> tuple[float, float]:
        half = self.crit(alpha) * self.se
        return self.effect - half, self.effect + half

    def p_value(self) -> float:
        return float(2 * _stats().t.sf(abs(self.t), self.df))

    def mde(self, alpha: float) -> float:
        """Smallest true effect found with probability POWER at level alpha (two-sided)."""
        return (self.crit(alpha) + float(_stats().t.ppf(POWER, self.df))) * self.se


@dataclass(frozen=True)
class Window:
    event_month: pd.Period
    pre: pd.PeriodIndex
    post_start: pd.Period
    post_all: pd.PeriodIndex
    previous_event: dt.date | None  # when it ends the pre-period

    @property
    def left_out(self) -> int:
        """Months neither in the pre-period nor in the post window (event month included)."""
        return (self.post_start - self.pre[-1]).n - 1


@dataclass
class Settings:
    """What every estimate of one assessment shares."""

    seasonal: int | None
    rolling: bool
    alpha: float
    weighting: str = "mean"  # mean (monthly flows) | last (12-month totals) | ramp (the break test)


# --- series handling -------------------------------------------------------------------------

def monthly(series: pd.Series) -> pd.Series:
    """A float series on a complete monthly PeriodIndex (gaps become NaN)."""
    index = series.index
    periods = index.asfreq("M") if isinstance(index, pd.PeriodIndex) else pd.DatetimeIndex(index).to_period("M")
    clean = pd.Series(pd.to_numeric(series.to_numpy(), errors="coerce"), index=periods, dtype=float)
    clean = clean[~clean.index.duplicated(keep="last")].sort_index()
    if clean.empty:
        return clean
    return clean.reindex(pd.period_range(clean.index.min(), clean.index.max(), freq="M"))


def _month(day: dt.date | pd.Period) -> pd.Period:
    return day if isinstance(day, pd.Period) else pd.Period(day, freq="M")


def post_start_month(event_date: dt.date) -> pd.Period:
    """The first full month after the event (an event on the 1st starts its own month)."""
    month = _month(event_date)
    return month if event_date.day == 1 else month + 1


# --- the estimators --------------------------------------------------------------------------

def _summarise(actual: np.ndarray, means: np.ndarray, joint: np.ndarray, df: float, settings: Settings,
               pre_z: np.ndarray, fit: StructuralFit | None = None) -> Estimate | None:
    """Effect = actual − counterfactual path: the average over observed post months, or, for a
    12-month-ending series, the difference of the totals at the last observed post month. The
    break test weights months by their distance from the start (a departure that grows)."""
    ok = np.isfinite(actual)
    if not ok.any() or not (np.isfinite(means).all() and np.isfinite(joint).all()):
        return None
    n = int(ok.sum())
    rolling = settings.weighting == "last"
    if rolling:
        weights = np.zeros(len(actual))
        weights[np.flatnonzero(ok)[-1]] = 1.0
    elif settings.weighting == "ramp":
        ramp = np.arange(1, len(actual) + 1) * ok
        weights = ramp / ramp.sum()
    else:
        weights = ok / n
    observed = float(weights @ np.where(ok, actual, 0.0))
    counterfactual = float(weights @ means)
    se = math.sqrt(max(float(weights @ joint @ weights), 0.0))
    estimate = Estimate(
        effect=observed - counterfactual, se=se, df=df, observed=observed, counterfactual=counterfactual,
        expected=means, band_sd=np.sqrt(np.clip(np.diag(joint), 0.0, None)), n_post=n, pre_z=pre_z, fit=fit,
    )
    if not rolling:
        estimate.cumulative, estimate.cumulative_se = estimate.effect * n, se * n
    return estimate


def _horizon(pre: pd.PeriodIndex, post: pd.PeriodIndex) -> tuple[int, int]:
    """Months to forecast from the end of the pre-period, and where the post window starts in
    them: the left-out months between are forecast too, never skipped."""
    return (post[-1] - pre[-1]).n, (post[0] - pre[-1]).n - 1


def structural_specs(seasonal: int | None, smooth: bool) -> list[dict]:
    """Specifications to try, richest first: a 12-month-ending series is smooth and trending
    (local linear trend); a monthly flow gets level with drift, seasonality and AR(1) noise."""
    seasonal_terms = {"seasonal": seasonal, "stochastic_seasonal": False} if seasonal else {}
    if smooth:
        return [{"level": "lltrend"}, {"level": "llevel"}]
    return [
        {"level": "lldtrend", "autoregressive": 1, **seasonal_terms},
        {"level": "lldtrend", **seasonal_terms},
        {"level": "llevel", **seasonal_terms},
    ]


def _usable(result, spec: dict) -> bool:
    if not np.isfinite(result.params).all() or not result.mle_retvals.get("converged", True):
        return False
    if spec.get("autoregressive"):  # an AR coefficient pinned at the unit circle is not identified
        names = list(result.model.param_names)
        return abs(float(result.params[names.index("ar.L1")])) < 0.98
    return True


def fit_structural(values: np.ndarray, seasonal: int | None, smooth: bool = False):
    """The first specification that converges with finite, identified parameters, as
    ``(result, StructuralFit)``; ``(None, None)`` when none does."""
    for spec in structural_specs(seasonal, smooth):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the result is checked below
            result = _unobserved_components(values, **spec).fit(disp=False, maxiter=500)
        if _usable(result, spec):
            return result, StructuralFit(spec=spec, params=np.asarray(result.params))
    return None, None


def joint_forecast(result, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and joint covariance of the next ``horizon`` observations of a fitted state-space
    model, from the predicted state at the end of the sample (parameters treated as known).

    Cov(y_{n+i}, y_{n+j}) = Z T^{j-i} P_i Z' (+ H if i = j), with P_1 the predicted state
    covariance and P_{i+1} = T P_i T' + R Q R'.
    """
    fr = result.filter_results
    Z, T = fr.design[:, :, 0], fr.transition[:, :, 0]
    RQR = fr.selection[:, :, 0] @ fr.state_cov[:, :, 0] @ fr.selection[:, :, 0].T
    H = float(fr.obs_cov[0, 0, 0])
    state, P = fr.predicted_state[:, -1], fr.predicted_state_cov[:, :, -1]
    means, covs = np.empty(horizon), []
    for i in range(horizon):
        means[i] = float((Z @ state)[0])
        covs.append(P)
        state, P = T @ state, T @ P @ T.T + RQR
    joint = np.empty((horizon, horizon))
    for i in range(horizon):
        propagated = covs[i]
        for j in range(i, horizon):
            joint[i, j] = joint[j, i] = float((Z @ propagated @ Z.T)[0, 0])
            propagated = T @ propagated
        joint[i, i] += H
    return means, joint


def estimate_structural(y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings,
                        fixed: StructuralFit | None = None) -> Estimate | None:
    pre_values = y.reindex(pre).to_numpy()
    usable = np.isfinite(pre_values)
    if usable.sum() < MIN_HOLDOUT_FIT:
        return None
    seasonal = settings.seasonal if usable.sum() >= MIN_PRE else None
    # Fitted on a standardised scale: the optimiser fails on raw values of the order of 10^4-10^5.
    # A placebo keeps the real pre-period's scale, so its fixed variances mean the same noise.
    if fixed is None:
        centre, scale = float(np.nanmean(pre_values)), float(np.nanstd(pre_values))
        if not scale > 0:
            return None
        result, fitted = fit_structural((pre_values - centre) / scale, seasonal, settings.rolling)
        if result is None:
            return None
        fit = replace(fitted, centre=centre, scale=scale)
    else:
        fit, centre, scale = fixed, fixed.centre, fixed.scale
        result = _unobserved_components((pre_values - centre) / scale, **fit.spec).filter(fit.params)
    horizon, offset = _horizon(pre, post)
    means, joint = joint_forecast(result, horizon)
    # Small-sample allowance for the estimated variances: scale by n / (n - k) and use t(n - k),
    # n counting only observations after the diffuse initialisation.
    n_fit = int(usable.sum()) - int(result.loglikelihood_burn)
    df = max(n_fit - len(fit.params), 1)
    joint = joint * (n_fit / df) * scale**2
    means = centre + scale * means
    pre_z = np.asarray(result.filter_results.standardized_forecasts_error[0], dtype=float).copy()
    pre_z[: int(result.loglikelihood_burn)] = np.nan  # errors of the diffuse start are not comparable
    return _summarise(y.reindex(post).to_numpy(), means[offset:], joint[offset:, offset:], df, settings,
                      pre_z, fit)


def _its_design(positions: np.ndarray, months: np.ndarray, seasonal: int | None) -> np.ndarray:
    columns = [np.ones(len(positions)), positions.astype(float)]
    if seasonal:
        columns += [(months == m).astype(float) for m in range(2, 13)]
    return np.column_stack(columns)


def estimate_its(y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings) -> Estimate | None:
    """Segmented regression: the pre-period's trend (and month-of-year terms) with AR(1) errors,
    extended over the post window. Forecast covariance = coefficient part + AR(1) part."""
    values = y.reindex(pre).to_numpy()
    ok = np.isfinite(values)
    if ok.sum() < MIN_HOLDOUT_FIT or not np.nanstd(values) > 0:
        return None
    seasonal = settings.seasonal if ok.sum() >= MIN_PRE else None
    horizon, offset = _horizon(pre, post)
    periods = pre.append(pd.period_range(pre[-1] + 1, periods=horizon, freq="M"))
    months = np.array([p.month for p in periods])
    design = _its_design(np.arange(len(periods)), months, seasonal)
    X_pre = design[: len(pre)][ok]
    keep = (X_pre != 0).any(axis=0)  # a month dummy with no rows cannot be estimated
    design, X_pre = design[:, keep], X_pre[:, keep]
    from statsmodels.regression.linear_model import GLSAR

    model = GLSAR(values[ok], X_pre, rho=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.iterative_fit(maxiter=10)
    rho = float(np.clip(model.rho[0], -0.98, 0.98))
    beta, cov_beta, sigma2 = np.asarray(fitted.params), np.asarray(fitted.cov_params()), float(fitted.scale)
    # The AR(1) error is carried forward from the last observed pre month.
    last = int(np.flatnonzero(ok)[-1])
    x_last = design[last]
    residual_last = values[last] - x_last @ beta
    steps = np.arange(len(pre), len(periods)) - last
    decay = rho**steps
    X_future = design[len(pre):]
    means = X_future @ beta + decay * residual_last
    gradient = X_future - np.outer(decay, x_last)
    # AR(1) forecast errors s_i, s_j steps ahead: sigma2 * sum_{k=1..min(s_i,s_j)} rho^(s_i-k) rho^(s_j-k).
    ar = np.empty((horizon, horizon))
    for i in range(horizon):
        for j in range(i, horizon):
            k = np.arange(1, min(steps[i], steps[j]) + 1)
            ar[i, j] = ar[j, i] = sigma2 * float(np.sum(rho ** (steps[i] - k) * rho ** (steps[j] - k)))
    joint = gradient @ cov_beta @ gradient.T + ar
    df = max(int(ok.sum()) - X_pre.shape[1] - 1, 1)
    residuals = np.full(len(pre), np.nan)
    residuals[ok] = values[ok] - X_pre @ beta
    pre_z = np.full(len(pre), np.nan)
    if sigma2 > 0:  # one-step errors only where the month before was observed too
        pre_z[1:] = (residuals[1:] - rho * residuals[:-1]) / math.sqrt(sigma2)
    return _summarise(y.reindex(post).to_numpy(), means[offset:], joint[offset:, offset:], df, settings,
                      pre_z)


def _estimate(method: str, y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings,
              fixed: StructuralFit | None = None) -> Estimate | None:
    if method == "structural":
        return estimate_structural(y, pre, post, settings, fixed)
    return estimate_its(y, pre, post, settings)


def describe_yoy(y: pd.Series, post: pd.PeriodIndex) -> tuple[float, float, np.ndarray] | None:
    """Mean of y_t − y_{t−12} over the post months, the mean of last year's values, and last
    year's path. Descriptive: it contains any trend already under way."""
    actual, last_year = y.reindex(post).to_numpy(), y.reindex(post - 12).to_numpy()
    ok = np.isfinite(actual) & np.isfinite(last_year)
    if ok.sum() < 2:
        return None
    return float((actual - last_year)[ok].mean()), float(last_year[ok].mean()), last_year


# --- step 1: window --------------------------------------------------------------------------

def plan_window(y: pd.Series, event_date: dt.date, pre_months: int, window_months: int,
                previous_event: dt.date | None, notes: list[dict]) -> Window:
    """Pre-period: the ``pre_months`` before the event month, ending instead before a previous
    linked event when there is enough history before it. Post window: from the first full month
    after the event."""
    event_month = _month(event_date)
    pre_end, ended_at = event_month - 1, None
    if previous_event is not None and _month(previous_event) < event_month:
        candidate_end = _month(previous_event) - 1
        if y.loc[candidate_end - pre_months + 1: candidate_end].notna().sum() >= MIN_PRE:
            pre_end, ended_at = candidate_end, previous_event
        else:
            notes.append({"code": "previous_event_kept", "date": previous_event.isoformat()})
    post_start = post_start_month(event_date)
    window = Window(
        event_month=event_month, pre=pd.period_range(pre_end - pre_months + 1, pre_end, freq="M"),
        post_start=post_start, post_all=pd.period_range(post_start, periods=window_months, freq="M"),
        previous_event=ended_at,
    )
    if window.left_out:
        notes.append({"code": "left_out", "n": window.left_out, "first": f"{pre_end + 1}",
                      "last": f"{post_start - 1}"})
    if ended_at is not None:
        notes.append({"code": "previous_event", "date": ended_at.isoformat()})
    return window


# --- step 2: availability --------------------------------------------------------------------

def available_post(y: pd.Series, window: Window) -> pd.PeriodIndex | None:
    published = [p for p in window.post_all if p in y.index and pd.notna(y.get(p))]
    return pd.period_range(window.post_start, published[-1], freq="M") if published else None


# --- step 4: robustness ----------------------------------------------------------------------

def _agrees(primary: Estimate, variant: Estimate | None) -> bool | None:
    if variant is None or not math.isfinite(variant.t):
        return None
    return bool(np.sign(variant.effect) == np.sign(primary.effect) and abs(variant.t) >= AGREE_T)


def _check(code: str, passed: bool | None, variant: Estimate | None, alpha: float, **detail) -> dict:
    body = {"check": code, "passed": passed, **detail}
    if variant is not None:
        low, high = variant.interval(alpha)
        body.update(effect=variant.effect, ci_low=low, ci_high=high, t=variant.t)
    return body


def placebo_rank(y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings, method: str,
                 primary: Estimate) -> tuple[float | None, int]:
    """Studentised placebo-in-time: the rank of |t| of the real estimate among the same estimate
    (same pre length, gap and post length) at fake dates inside the history before the event.
    The structural model keeps the real fit's parameters and is re-filtered at each fake date."""
    history = y.loc[: pre[-1]]
    usable = history.dropna()
    if usable.empty:
        return None, 0
    gap = (post[0] - pre[-1]).n - 1
    n_post = len(post)
    candidates = []
    fake_start = usable.index[0] + MIN_PRE + gap
    while fake_start + n_post - 1 <= pre[-1]:
        candidates.append(fake_start)
        fake_start += 1
    if len(candidates) > MAX_PLACEBO_DATES:  # evenly spaced, newest kept
        picks = np.linspace(0, len(candidates) - 1, MAX_PLACEBO_DATES).round().astype(int)
        candidates = [candidates[i] for i in sorted(set(picks))]
    t_values = []
    for start in candidates:
        fake_pre_end = start - gap - 1
        fake_pre = pd.period_range(max(usable.index[0], fake_pre_end - len(pre) + 1), fake_pre_end, freq="M")
        if history.reindex(fake_pre).notna().sum() < MIN_PRE:
            continue
        fake_post = pd.period_range(start, periods=n_post, freq="M")
        estimate = _estimate(method, y, fake_pre, fake_post, settings, primary.fit)
        if estimate is not None and math.isfinite(estimate.t):
            t_values.append(abs(estimate.t))
    if len(t_values) < 5:
        return None, len(t_values)
    exceed = sum(value >= abs(primary.t) for value in t_values)
    return (1 + exceed) / (1 + len(t_values)), len(t_values)


def outlying_months(pre: pd.PeriodIndex, estimate: Estimate) -> list[pd.Period]:
    """Months among the last OUTLIER_LOOKBACK of the pre-period whose one-step error is extreme."""
    tail = estimate.pre_z[-OUTLIER_LOOKBACK:]
    return [pre[len(pre) - len(tail) + i] for i, z in enumerate(tail) if np.isfinite(z) and abs(z) > OUTLIER_Z]


def robustness(y: pd.Series, window: Window, post: pd.PeriodIndex, settings: Settings, method: str,
               primary: Estimate, kept: Estimate | None = None,
               flagged: list[pd.Period] = ()) -> tuple[list[dict], float | None, int]:
    """Checks a directional verdict must pass; each is ``passed`` True/False, or None when the
    data do not allow it. ``kept``: the estimate with the ``flagged`` outlying months kept in."""
    alpha, pre = settings.alpha, window.pre
    checks = []
    p_placebo, n_placebo = placebo_rank(y, pre, post, settings, method, primary)
    guard = None if p_placebo is None or n_placebo < MIN_PLACEBO_GUARD else p_placebo <= PLACEBO_GUARD
    checks.append({"check": "placebo", "passed": guard, "p": p_placebo, "n": n_placebo})

    # A departure already under way: fit on the history before the last HOLDOUT_MONTHS pre months
    # and compare them with what that fit forecasts.
    # Two statistics: the departure of the held-out months from the earlier fit's forecast
    # (weighted towards the latest months), and the CUSUM of the primary fit's standardised
    # one-step errors over the same months (Brown-Durbin-Evans), which follows a drift sooner.
    holdout = pre[-HOLDOUT_MONTHS:]
    holdout_pre = pd.period_range(holdout[0] - len(pre), holdout[0] - 1, freq="M")
    recent = None
    if y.reindex(holdout_pre).notna().sum() >= MIN_PRE:  # the primary's specification, seasonal terms included
        recent = _estimate(method, y, holdout_pre, holdout, replace(settings, weighting="ramp"))
    tail_z = primary.pre_z[-HOLDOUT_MONTHS:]
    tail_z = tail_z[np.isfinite(tail_z)]
    cusum = float(tail_z.sum() / math.sqrt(len(tail_z))) if len(tail_z) else math.nan
    stats_break = [value for value in (recent.t if recent is not None else math.nan, cusum) if math.isfinite(value)]
    if not stats_break:
        checks.append(_check("recent_break", None, None, alpha))
    else:
        crit = float(_stats().norm.ppf(1 - BREAK_ALPHA / 2))
        same_way = [v for v in stats_break if np.sign(v) == np.sign(primary.effect)]
        departed = (max(abs(v) for v in stats_break) >= crit
                    or max((abs(v) for v in same_way), default=0) >= BREAK_SAME_T)
        checks.append(_check("recent_break", not departed, recent, alpha, months=HOLDOUT_MONTHS, cusum=cusum))

    # The primary leaves out outlying months just before the event (they would pull the
    # counterfactual); the verdict must not depend on that choice.
    if kept is not None:
        checks.append(_check("outlier", _agrees(primary, kept), kept, alpha, months=[f"{p}" for p in flagged]))
    else:
        checks.append({"check": "outlier", "passed": True, "months": []})

    for length in PRE_LENGTHS:
        if length == len(pre):
            continue
        other_pre = pd.period_range(pre[-1] - length + 1, pre[-1], freq="M")
        n_usable = int(y.reindex(other_pre).notna().sum())
        if n_usable < MIN_PRE or (length > len(pre) and n_usable <= int(y.reindex(pre).notna().sum())):
            checks.append({"check": "pre_length", "passed": None, "months": length})
            continue
        variant = _estimate(method, y, other_pre, post, settings)
        checks.append(_check("pre_length", _agrees(primary, variant), variant, alpha, months=length))

    other = "its" if method == "structural" else "structural"
    variant = _estimate(other, y, pre, post, settings)
    checks.append(_check("other_method", _agrees(primary, variant), variant, alpha, method=other))
    return checks, p_placebo, n_placebo


# --- step 5: verdict -------------------------------------------------------------------------

def decide(low: float, high: float, effect: float, better: str, checks: list[dict],
           confounded_by: list[dt.date]) -> tuple[str, list[str]]:
    if confounded_by:
        return "confounded", ["measurement_change"]
    if low <= 0 <= high:
        return "no_detectable_change", []
    failed = [check["check"] for check in checks if check["passed"] is False]
    if failed:
        return "inconclusive", sorted(set(failed), key=failed.index)
    if better in ("up", "down"):
        return ("improved" if ("up" if effect > 0 else "down") == better else "worsened"), []
    return "changed", []


# --- the assessment --------------------------------------------------------------------------

def assess(
    series: pd.Series,
    event_date: dt.date,
    *,
    pre_months: int = 36,
    post_months: int | None = None,
    method: str = "auto",
    seasonal: int | None = 12,
    alpha: float = 0.05,
    as_of: dt.date | None = None,
    better: str = "down",
    semantics: str = "monthly",
    unit: dict[str, str] | None = None,
    provisional: pd.Index | None = None,
    measurement_changes: tuple[dt.date, ...] | list[dt.date] = (),
    previous_event: dt.date | None = None,
    later_events: tuple[tuple[dt.date, str], ...] | list[tuple[dt.date, str]] = (),
    min_post_months: int | None = None,
    publication_lag_months: int = 1,
    robust: bool = True,
) -> Assessment:
    """Estimate the change in ``series`` after ``event_date``; see the module docstring.

    ``better``: the direction the commitment aims at ("down", "up" or "ambiguous"). ``semantics``:
    "monthly", "rolling_12m" (each value sums the 12 months ending there) or "annual".
    ``previous_event`` ends the pre-period; ``later_events`` (date, id) inside the post window
    are named. ``as_of`` drops later months and dates the "not yet verifiable" answer.
    ``min_post_months`` defaults to 3 (6 for 12-month-ending series). ``robust=False`` skips the
    robustness checks (a significant result is then reported without them: simulations only).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    y = monthly(series)
    if as_of is not None and not y.empty:
        y = y.loc[: _month(as_of)]
    today = as_of or dt.date.today()
    notes: list[dict] = []
    data_through = y.dropna().index.max() if y.notna().any() else None
    result = Assessment(method=method, verdict="", event_date=event_date, semantics=semantics, unit=unit,
                        alpha=alpha, data_through=data_through.start_time.date() if data_through else None)
    if semantics == "annual" or method == "descriptive":
        return _descriptive(result, y, event_date, notes)

    rolling = semantics == "rolling_12m"
    if rolling:
        seasonal = None  # a 12-month sum has no seasonal pattern left
        notes.append({"code": "rolling"})
    min_post = max(min_post_months or (6 if rolling else 3), post_months or 0)
    window = plan_window(y, event_date, pre_months, post_months or MAX_POST_MONTHS, previous_event, notes)
    pre = window.pre
    result.n_pre = int(y.reindex(pre).notna().sum())
    result.pre_start, result.pre_end = pre[0].start_time.date(), pre[-1].start_time.date()
    result.pre_ends_at_event, result.n_left_out = window.previous_event, window.left_out
    result.post_start = window.post_start.start_time.date()

    post = available_post(y, window)
    n_available = 0 if post is None else int(y.reindex(post).notna().sum())
    if n_available < min_post:
        needed = window.post_start + min_post - 1
        expected_on = (needed + publication_lag_months).end_time.date()
        result.verdict, result.n_post = "not_yet_verifiable", n_available
        result.checkable_from, result.expected_publication = needed.start_time.date(), expected_on
        notes.append({"code": "lag_overdue" if expected_on <= today else "lag", "needed": f"{needed}",
                      "expected": f"{expected_on:%Y-%m}"})
        return _finish(result, notes)
    result.post_end, result.n_post = post[-1].start_time.date(), n_available
    if rolling:
        result.total_start = (post[-1] - 11).start_time.date()
        result.total_post_months = min(12, len(post))
    if provisional is not None:
        flagged = {_month(p) for p in provisional}
        result.provisional_post_months = sum(p in flagged for p in post)
        if result.provisional_post_months:
            notes.append({"code": "provisional", "n": result.provisional_post_months})
    inside = sorted((d, event_id) for d, event_id in later_events if post[0] <= _month(d) <= post[-1])
    if inside:
        named = ", ".join(f"{event_id} ({d:%Y-%m-%d})" for d, event_id in inside)
        notes.append({"code": "later_events", "events": named})

    if method == "yoy":
        return _year_over_year(result, y, post, notes)
    chosen = "structural" if method == "auto" else method
    result.method = chosen
    if result.n_pre < MIN_PRE:
        result.verdict = "insufficient_history"
        notes.append({"code": "insufficient", "n": result.n_pre, "needed": MIN_PRE})
        return _finish(result, notes)
    if not np.nanstd(y.reindex(pre).to_numpy()) > 0:
        result.verdict = "insufficient_history"
        notes.append({"code": "constant_pre"})
        return _finish(result, notes)
    settings = Settings(seasonal=seasonal, rolling=rolling, alpha=alpha, weighting="last" if rolling else "mean")
    estimate = _estimate(chosen, y, pre, post, settings)
    if estimate is None and chosen == "structural":
        notes.append({"code": "fallback_its"})
        chosen = result.method = "its"
        estimate = _estimate(chosen, y, pre, post, settings)
    if estimate is None or not estimate.se > 0:
        result.verdict = "insufficient_history"
        notes.append({"code": "not_estimable"})
        return _finish(result, notes)
    flagged, kept, modelled = outlying_months(pre, estimate), None, y
    if flagged:
        cleaned = y.copy()
        cleaned.loc[flagged] = np.nan
        without = _estimate(chosen, cleaned, pre, post, settings)
        if without is not None and without.se > 0:
            kept, estimate, modelled = estimate, without, cleaned
            notes.append({"code": "outlier_excluded", "months": ", ".join(f"{p}" for p in flagged)})

    _fill_numbers(result, estimate, alpha, nonnegative=bool((y.dropna() >= 0).all()), post=post, y=y)
    checks: list[dict] = []
    if robust and not (result.ci_low <= 0 <= result.ci_high):
        checks, result.placebo_p_value, result.placebo_n = robustness(modelled, window, post, settings, chosen,
                                                                      estimate, kept, flagged)
    result.checks = checks
    if checks and result.placebo_n < MIN_PLACEBO_GUARD:
        notes.append({"code": "placebo_unavailable", "n": result.placebo_n, "needed": MIN_PLACEBO_GUARD})
    confounders = [d for d in measurement_changes if pre[0] <= _month(d) <= post[-1]]
    if confounders:
        notes.append({"code": "confounded", "date": min(confounders).isoformat()})
    result.verdict, result.reasons = decide(result.ci_low, result.ci_high, result.effect, better, checks,
                                            confounders)
    return _finish(result, notes)


def _fill_numbers(result: Assessment, estimate: Estimate, alpha: float, *, nonnegative: bool,
                  post: pd.PeriodIndex, y: pd.Series) -> None:
    low, high = estimate.interval(alpha)
    result.effect, result.ci_low, result.ci_high = estimate.effect, low, high
    result.p_value = estimate.p_value()
    result.observed, result.counterfactual_value = estimate.observed, estimate.counterfactual
    result.mde = estimate.mde(alpha)
    if estimate.counterfactual > 0:
        c, half = estimate.counterfactual, estimate.crit(alpha) * estimate.se
        result.relative_effect = estimate.effect / c
        result.mde_relative = result.mde / c
        # actual = observed is fixed; the interval of the counterfactual maps monotonically onto
        # the ratio, so the relative interval is exact given the effect's interval (unbounded
        # above when the counterfactual's interval reaches zero).
        result.relative_ci_low = estimate.observed / (c + half) - 1
        result.relative_ci_high = estimate.observed / (c - half) - 1 if c - half > 0 else None
    if estimate.cumulative is not None:
        half = estimate.crit(alpha) * estimate.cumulative_se
        result.cumulative_effect = estimate.cumulative
        result.cumulative_ci_low, result.cumulative_ci_high = estimate.cumulative - half, estimate.cumulative + half
    spread = estimate.crit(alpha) * estimate.band_sd
    lower = estimate.expected - spread
    if nonnegative:  # counts and weights cannot go below zero
        lower = np.clip(lower, 0.0, None)
    result.counterfactual = pd.DataFrame({
        "period": post.to_timestamp(), "actual": y.reindex(post).to_numpy(), "expected": estimate.expected,
        "lower": lower, "upper": estimate.expected + spread,
    })


def _year_over_year(result: Assessment, y: pd.Series, post: pd.PeriodIndex, notes: list[dict]) -> Assessment:
    result.verdict = "descriptive_only"
    described = describe_yoy(y, post)
    notes.append({"code": "yoy"})
    if described is None:
        return _finish(result, notes)
    effect, last_year_mean, last_year = described
    result.effect = effect
    if last_year_mean > 0:
        result.relative_effect = effect / last_year_mean
    result.counterfactual = pd.DataFrame({
        "period": post.to_timestamp(), "actual": y.reindex(post).to_numpy(), "expected": last_year,
        "lower": np.full(len(post), np.nan), "upper": np.full(len(post), np.nan),
    })
    return _finish(result, notes)


def _descriptive(result: Assessment, y: pd.Series, event_date: dt.date, notes: list[dict]) -> Assessment:
    post_start = post_start_month(event_date)
    before, after = y.loc[: post_start - 1].dropna(), y.loc[post_start:].dropna()
    result.method, result.verdict = "descriptive", "descriptive_only"
    result.n_pre, result.n_post = len(before), len(after)
    if len(before) and len(after):
        result.effect = float(after.mean() - before.iloc[-1])
    notes.append({"code": "annual"})
    return _finish(result, notes)


def _finish(result: Assessment, notes: list[dict]) -> Assessment:
    result.note_codes = notes
    explain.render(result)
    return result
