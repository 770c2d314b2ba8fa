"""Verification statistics: did an indicator measurably change after an event?

``assess(series, event_date, ...)`` compares what happened after the event with an estimate of
what would have happened without it (the counterfactual path), with honest uncertainty, and
says whether the result is verifiable yet. Pure functions over pandas; no store, no Dash, no
prose: the engine returns an :class:`~indicators.assessment.Assessment` of codes and numbers, which
:mod:`indicators.explain` words in EN/ES where it is shown (neither module imports the other).

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
import logging
import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from indicators.assessment import Assessment

logger = logging.getLogger(__name__)

# statsmodels and scipy take about a second to import; they load on the first estimate, so the
# app starts without them (a page served from stored assessments never needs them).


def _stats():
    from scipy import stats
    return stats


def _unobserved_components(*args, **kwargs):
    from statsmodels.tsa.statespace.structural import UnobservedComponents
    return UnobservedComponents(*args, **kwargs)

VERDICTS = (
    "improved", "worsened", "changed", "too_noisy", "no_change_beyond", "began_before", "joint", "confounded",
    "inconclusive", "not_yet_verifiable", "insufficient_history", "descriptive_only", "no_data_after_event",
)
DIRECTIONAL = ("improved", "worsened", "changed")
METHODS = ("auto", "structural", "its", "count", "yoy", "descriptive")
MODEL_METHODS = ("structural", "its", "count")
SCALES = ("linear", "log", "count")
MIN_PRE = 24  # below two seasonal cycles neither model is calibrated (bench/RESULTS.md)
MAX_POST_MONTHS = 12
MAX_PLACEBO_DATES = 24
POWER = 0.80
PRE_LENGTHS = (24, 36, 48)
HOLDOUT_MONTHS = 6  # the last pre months tested for a departure that began before the event
MIN_HOLDOUT_FIT = 18
OUTLIER_LOOKBACK = 3
OUTLIER_Z = 3.0
JUMP_Z = 2.5  # a level that moved this many s.e. in the last pre months: the change began before
JUMP_LAST_Z = 1.9  # the last pre month alone this many s.e. out the effect's way: it began before
AGAINST_T = 1.0  # another pre-period length pointing the other way by this many s.e. contradicts
AGREE_T = 0.5  # a variant agrees when it points the same way and is at least half an s.e. from zero
BREAK_ALPHA = 0.05
PLACEBO_GUARD = 0.10
MIN_PLACEBO_GUARD = 9  # below this many fake dates the rank cannot reach PLACEBO_GUARD
CALIBRATE = True  # widen intervals to the placebo-in-time quantile where there are enough fake dates
NOISY_MDE = 0.50  # a relative MDE above this: "too noisy to tell" (no verdict either way)
EQUIVALENCE_MAX = 0.25  # "no change larger than X %" only for X up to this
JOINT_DAYS = 45  # another linked event this close: the result covers both
REGIME_CLOSE_MONTHS = 2  # a regime marker this close before the event cannot be told apart from it
REVISION_LIMIT = 0.02  # provisional months expected to move more than this are left out
MIN_STEP_BEFORE = 12  # months of data before a regime step needed to estimate it


@dataclass(frozen=True)
class StructuralFit:
    """A fitted specification, reused (parameters and scale fixed) at the placebo dates: the
    parameters are variances on the standardised scale of the real pre-period."""

    spec: dict
    params: np.ndarray
    centre: float = 0.0
    scale: float = 1.0
    steps: tuple[dt.date, ...] = ()
    param_names: tuple[str, ...] = ()


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
    calibration: float = 1.0  # the placebo-in-time widening of the interval (1: none)

    @property
    def t(self) -> float:
        return self.effect / self.se if self.se > 0 else math.inf

    def crit(self, alpha: float) -> float:
        return float(_stats().t.ppf(1 - alpha / 2, self.df)) * self.calibration

    def interval(self, alpha: float) -> tuple[float, float]:
        half = self.crit(alpha) * self.se
        return self.effect - half, self.effect + half

    def p_value(self) -> float:
        """Two-sided, on the calibrated scale: below alpha exactly when the interval excludes zero."""
        return float(2 * _stats().t.sf(abs(self.t) / self.calibration, self.df))

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
    steps: tuple[dt.date, ...] = ()  # regime changes: a step term from each date (fractional first month)


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

def step_matrix(periods: pd.PeriodIndex, steps: tuple[dt.date, ...] | list[dt.date]) -> np.ndarray:
    """One column per regime change: 0 before its month, the share of its month from the date on
    (a change on the 20th of a 31-day month weighs 12/31 of that month), 1 after."""
    columns = []
    for day in steps:
        month = _month(day)
        share = (month.days_in_month - day.day + 1) / month.days_in_month
        columns.append([0.0 if p < month else (share if p == month else 1.0) for p in periods])
    return np.array(columns, dtype=float).T.reshape(len(periods), len(columns))


def usable_steps(y: pd.Series, pre: pd.PeriodIndex, steps) -> tuple[dt.date, ...]:
    """The regime changes a fit on ``pre`` can estimate: dated inside it, with at least
    MIN_STEP_BEFORE observed months before (earlier ones are absorbed by the level)."""
    kept = []
    for day in sorted(steps):
        month = _month(day)
        if pre[0] < month <= pre[-1] and y.loc[pre[0]: month - 1].notna().sum() >= MIN_STEP_BEFORE:
            kept.append(day)
    return tuple(kept)


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


# A damped trend for 12-month totals forecast further ahead than this many months; None: off.
# Measured and not adopted (bench/bench_damped.py, bench/RESULTS.md): on 12-month sums with a
# steady trend it lowers coverage from 92 % to 88.5 % and power from 45.5 % to 37 %; where a fall
# levels off it narrows the MDE (45 % to 33 %) without changing coverage. On the real CDC cells it
# moves the effects by less than a third of their intervals' width (total overdose deaths after
# February 2025: +8.3 % to +3.8 %, which would read "no change larger than 22 %").
DAMP_AFTER: int | None = None


def structural_specs(seasonal: int | None, smooth: bool, horizon: int = 0) -> list[dict]:
    """Specifications to try, richest first: a 12-month-ending series is smooth and trending
    (local linear trend); a monthly flow gets level with drift, seasonality and AR(1) noise.

    With DAMP_AFTER set, a 12-month total forecast further ahead gets a damped trend first:
    ARIMA(1,1,1) without a constant, whose AR coefficient on the monthly changes is the damping
    (estimated), so the forecast change shrinks by that factor each month."""
    seasonal_terms = {"seasonal": seasonal, "stochastic_seasonal": False} if seasonal else {}
    if smooth:
        damped = [{"model": "arima", "order": (1, 1, 1)}] if DAMP_AFTER is not None and horizon > DAMP_AFTER else []
        return [*damped, {"level": "lltrend"}, {"level": "llevel"}]
    return [
        {"level": "lldtrend", "autoregressive": 1, **seasonal_terms},
        {"level": "lldtrend", **seasonal_terms},
        {"level": "llevel", **seasonal_terms},
    ]


def _unusable(result, spec: dict) -> str | None:
    """Why a fit cannot be used, or None when it can."""
    if not np.isfinite(result.params).all():
        return "parameters not finite"
    if not result.mle_retvals.get("converged", True):
        return f"did not converge (warnflag {result.mle_retvals.get('warnflag')})"
    if spec.get("autoregressive"):  # an AR(1) noise pinned at the unit circle is not identified
        names = list(result.model.param_names)
        ar = float(result.params[names.index("ar.L1")])
        if abs(ar) >= 0.98:
            return f"AR coefficient {ar:.3f} at the unit circle"
    return None


def _sarimax(*args, **kwargs):
    from statsmodels.tsa.statespace.sarimax import SARIMAX  # loaded when first needed

    return SARIMAX(*args, **kwargs)


def _structural_model(values: np.ndarray, spec: dict, exog: np.ndarray | None):
    exog = exog if exog is not None and exog.shape[1] else None
    if spec.get("model") == "arima":
        return _sarimax(values, exog=exog, order=spec["order"], trend=spec.get("trend", "n"))
    if exog is not None:
        return _unobserved_components(values, exog=exog, mle_regression=True, **spec)
    return _unobserved_components(values, **spec)


def _step_coefficients(result, n_steps: int) -> np.ndarray:
    """The regression coefficients of the step columns, in their order: named ``beta.*`` in an
    unobserved-components model (a column that is all ones at a placebo date is named
    ``beta.const``), the first parameters of an ARIMA one."""
    names = list(result.model.param_names)
    if type(result.model).__name__ == "SARIMAX":
        values = [float(v) for v in np.asarray(result.params)[:n_steps]]
    else:
        values = [float(result.params[i]) for i, name in enumerate(names) if name.startswith("beta.")]
    return np.array(values)


def damping(fit: StructuralFit | None) -> float | None:
    """The damping factor of a damped-trend fit (None for the other specifications)."""
    if fit is None or fit.spec.get("model") != "arima":
        return None
    names = list(fit.param_names)
    return float(fit.params[names.index("ar.L1")])


def fit_structural(values: np.ndarray, seasonal: int | None, smooth: bool = False, exog: np.ndarray | None = None,
                   horizon: int = 0):
    """The first specification that converges with finite, identified parameters, as
    ``(result, StructuralFit)``; ``(None, None)`` when none does (logged as a warning).

    L-BFGS (statsmodels' default) stops abnormally (warnflag 2) when a variance sits at its
    boundary (zero), which near noise-free series do; whether it reports convergence then depends
    on the last bits of the
    floating-point arithmetic, so on the CPU. A derivative-free Nelder–Mead polish from where it
    stopped settles such fits the same way everywhere; only a fit that fails both is rejected, and
    a richer specification is never dropped for a flaky flag (which once forecast a trending series
    with a no-drift model)."""
    for spec in structural_specs(seasonal, smooth, horizon):
        model = _structural_model(values, spec, exog)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the result is checked below
            result = model.fit(disp=False, maxiter=500)
            if not result.mle_retvals.get("converged", True) and np.isfinite(result.params).all():
                result = model.fit(start_params=result.params, method="nm", maxiter=4000, disp=False)
        why = _unusable(result, spec)
        if why is None:
            return result, StructuralFit(spec=spec, params=np.asarray(result.params),
                                         param_names=tuple(result.model.param_names))
        logger.info("structural specification %s not used: %s; trying the next", spec, why)
    logger.warning("no structural specification converged on %d months; the segmented regression is used",
                   len(values))
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
    d, c = float(fr.obs_intercept[0, 0]), fr.state_intercept[:, 0]  # an ARIMA drift sits in c
    state, P = fr.predicted_state[:, -1], fr.predicted_state_cov[:, :, -1]
    means, covs = np.empty(horizon), []
    for i in range(horizon):
        means[i] = float((Z @ state)[0]) + d
        covs.append(P)
        state, P = T @ state + c, T @ P @ T.T + RQR
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
    horizon, offset = _horizon(pre, post)
    future = pd.period_range(pre[-1] + 1, periods=horizon, freq="M")
    steps = usable_steps(y, pre, settings.steps) if fixed is None else fixed.steps
    # At a placebo date the real fit's steps keep their columns (the parameters are fixed); a step
    # the fake pre-period cannot estimate is switched off, before and after.
    active = np.array([day in usable_steps(y, pre, steps) for day in steps], dtype=float)
    exog = step_matrix(pre, steps) * active if steps else None
    # Fitted on a standardised scale: the optimiser fails on raw values of the order of 10^4-10^5.
    # A placebo keeps the real pre-period's scale, so its fixed variances mean the same noise.
    if fixed is None:
        centre, scale = float(np.nanmean(pre_values)), float(np.nanstd(pre_values))
        if not scale > 0:
            return None
        result, fitted = fit_structural((pre_values - centre) / scale, seasonal, settings.rolling, exog, horizon)
        if result is None:
            return None
        fit = replace(fitted, centre=centre, scale=scale, steps=steps)
    else:
        fit, centre, scale = fixed, fixed.centre, fixed.scale
        result = _structural_model((pre_values - centre) / scale, fit.spec, exog).filter(fit.params)
    means, joint = joint_forecast(result, horizon)
    if steps:  # a regime change goes on: its step stays in the forecast
        means = means + (step_matrix(future, steps) * active) @ _step_coefficients(result, len(steps))
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
    horizon, _ = _horizon(pre, post)
    periods = pre.append(pd.period_range(pre[-1] + 1, periods=horizon, freq="M"))
    months = np.array([p.month for p in periods])
    design = _its_design(np.arange(len(periods)), months, seasonal)
    steps = usable_steps(y, pre, settings.steps)
    if steps:
        design = np.column_stack([design, step_matrix(periods, steps)])
    return _ar1_regression(y, pre, post, design, settings)


def estimate_donors(y: pd.Series, donors: pd.DataFrame, pre: pd.PeriodIndex, post: pd.PeriodIndex,
                    settings: Settings) -> Estimate | None:
    """The control-series counterfactual: a regression of the series on series assumed
    unaffected by the event (other drugs, other regions), with an intercept, a linear trend (two
    trending series are not related just because both trend), the dated regime steps and AR(1)
    errors, fitted on the pre-period and carried over the post window with the donors' own
    values. ``donors`` must be observed in every month from the pre-period to the post window."""
    horizon, _ = _horizon(pre, post)
    periods = pre.append(pd.period_range(pre[-1] + 1, periods=horizon, freq="M"))
    columns = donors.reindex(periods)  # usable_donors: observed in every one of these months
    if columns.empty or columns.isna().any().any() or y.reindex(pre).notna().sum() < MIN_PRE + columns.shape[1]:
        return None
    design = np.column_stack([np.ones(len(periods)), np.arange(len(periods), dtype=float),
                              columns.to_numpy(dtype=float)])
    steps = usable_steps(y, pre, settings.steps)
    if steps:
        design = np.column_stack([design, step_matrix(periods, steps)])
    return _ar1_regression(y, pre, post, design, settings)


def usable_donors(donors: dict[str, pd.Series], scale: str, pre: pd.PeriodIndex, post: pd.PeriodIndex) -> pd.DataFrame:
    """The control series on the model's scale (logs for log and count models) that are observed
    and vary over every month from the pre-period to the end of the post window."""
    periods = pd.period_range(pre[0], post[-1], freq="M")
    kept = {}
    for key, series in donors.items():
        values = monthly(series).reindex(periods)
        if scale in ("log", "count"):
            values = np.log(values.where(values >= 0) + 0.5)
        if values.notna().all() and values.std() > 0:
            kept[key] = values
    return pd.DataFrame(kept, index=periods)


def _ar1_regression(y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, design: np.ndarray,
                    settings: Settings) -> Estimate | None:
    """Fit ``design`` (rows: the pre-period, then every month to the end of the post window) on
    the pre-period with AR(1) errors (Cochrane–Orcutt, ``GLSAR.iterative_fit``) and forecast."""
    values = y.reindex(pre).to_numpy()
    ok = np.isfinite(values)
    if ok.sum() < MIN_HOLDOUT_FIT or not np.nanstd(values) > 0:
        return None
    horizon, offset = _horizon(pre, post)
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
    steps = np.arange(len(pre), len(pre) + horizon) - last
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


def estimate_count(y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings) -> Estimate | None:
    """Counts too low for a Gaussian model (under about 100 a month): a quasi-Poisson regression
    (log link; trend, month-of-year and regime-step terms; the dispersion estimated from the
    Pearson residuals, never below 1) fitted on the pre-period and extended over the post window.

    The effect is on the log scale: log(observed / expected) of the post months' (weighted)
    total, so exp(effect) - 1 is the relative change. Its variance adds the counts' own
    (over-dispersed Poisson) noise, phi * sum(w^2 mu) / (sum w mu)^2, to the coefficients'
    uncertainty (delta method)."""
    values = y.reindex(pre).to_numpy()
    ok = np.isfinite(values)
    if ok.sum() < MIN_HOLDOUT_FIT or not np.nanstd(values) > 0 or (values[ok] < 0).any():
        return None
    seasonal = settings.seasonal if ok.sum() >= MIN_PRE else None
    horizon, offset = _horizon(pre, post)
    periods = pre.append(pd.period_range(pre[-1] + 1, periods=horizon, freq="M"))
    months = np.array([p.month for p in periods])
    design = _its_design(np.arange(len(periods)) / 12.0, months, seasonal)
    steps = usable_steps(y, pre, settings.steps)
    if steps:
        design = np.column_stack([design, step_matrix(periods, steps)])
    X_pre = design[: len(pre)][ok]
    keep = (X_pre != 0).any(axis=0)
    design, X_pre = design[:, keep], X_pre[:, keep]
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = sm.GLM(values[ok], X_pre, family=sm.families.Poisson()).fit(maxiter=100)
    if not fitted.converged:
        logger.warning("count model did not converge on %d months", int(ok.sum()))
        return None
    beta = np.asarray(fitted.params)
    df = max(int(ok.sum()) - X_pre.shape[1], 1)
    mu_pre = np.exp(X_pre @ beta)
    pearson = (values[ok] - mu_pre) / np.sqrt(mu_pre)
    phi = max(float(np.sum(pearson**2)) / df, 1.0)
    # Months that move together (autocorrelated extra noise) make sums vary more than independent
    # months would: the variance of a sum grows by (1 + rho) / (1 - rho) for AR(1) errors, rho the
    # lag-1 autocorrelation of the Pearson residuals (never below 0).
    rho = float(np.clip(np.corrcoef(pearson[:-1], pearson[1:])[0, 1], 0.0, 0.9)) if ok.sum() > 3 else 0.0
    phi *= (1 + rho) / (1 - rho)
    cov_beta = np.asarray(fitted.cov_params()) * phi
    X_post = design[len(pre) + offset:]
    mu = np.exp(X_post @ beta)
    actual = y.reindex(post).to_numpy()
    observed_ok = np.isfinite(actual)
    if not observed_ok.any():
        return None
    if settings.weighting == "ramp":
        weights = np.arange(1, len(actual) + 1) * observed_ok
    else:
        weights = observed_ok.astype(float)
    weights = weights / weights.sum()
    expected_total = float(weights @ mu)
    observed_total = float(weights @ np.where(observed_ok, actual, 0.0))
    # Half a count keeps the log finite when nothing was counted.
    effect = math.log((observed_total + 0.5 / observed_ok.sum()) / (expected_total + 0.5 / observed_ok.sum()))
    gradient = (weights * mu) @ X_post / expected_total
    variance = phi * float(weights**2 @ mu) / expected_total**2 + float(gradient @ cov_beta @ gradient)
    band = np.sqrt(phi / mu + np.einsum("ij,jk,ik->i", X_post, cov_beta, X_post))
    pre_z = np.full(len(pre), np.nan)
    pre_z[ok] = (values[ok] - mu_pre) / np.sqrt(phi * mu_pre)
    n = int(observed_ok.sum())
    estimate = Estimate(effect=effect, se=math.sqrt(variance), df=df, observed=observed_total,
                        counterfactual=expected_total, expected=np.log(mu), band_sd=band, n_post=n, pre_z=pre_z)
    estimate.cumulative, estimate.cumulative_se = None, None
    return estimate


def _estimate(method: str, y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings,
              fixed: StructuralFit | None = None) -> Estimate | None:
    if method == "structural":
        return estimate_structural(y, pre, post, settings, fixed)
    if method == "count":
        return estimate_count(y, pre, post, settings)
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


def _not_against(primary: Estimate, variant: Estimate | None) -> bool | None:
    """Another pre-period length contradicts the estimate only when it points the other way by
    at least AGAINST_T s.e. (a shorter one is simply less precise)."""
    if variant is None or not math.isfinite(variant.t):
        return None
    return not (np.sign(variant.effect) != np.sign(primary.effect) and abs(variant.t) >= AGAINST_T)


def _check(code: str, passed: bool | None, variant: Estimate | None, alpha: float, **detail) -> dict:
    body = {"check": code, "passed": passed, **detail}
    if variant is not None:
        low, high = variant.interval(alpha)
        body.update(effect=variant.effect, ci_low=low, ci_high=high, t=variant.t)
    return body


def placebo_rank(y: pd.Series, pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings, method: str,
                 primary: Estimate) -> tuple[float | None, int, list[float]]:
    """Studentised placebo-in-time: the rank of |t| of the real estimate among the same estimate
    (same pre length, gap and post length) at fake dates inside the history before the event.
    The structural model keeps the real fit's parameters and is re-filtered at each fake date."""
    history = y.loc[: pre[-1]]
    usable = history.dropna()
    if usable.empty:
        return None, 0, []
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
        return None, len(t_values), t_values
    exceed = sum(value >= abs(primary.t) for value in t_values)
    return (1 + exceed) / (1 + len(t_values)), len(t_values), t_values


def placebo_calibration(t_values: list[float], estimate: Estimate, alpha: float) -> float:
    """How much to widen the model's interval so that it is at least as wide as the fake event
    dates say it must be: the ceil((1 − alpha)(n + 1))-th smallest placebo |t| over the model's
    critical value, when above 1; never narrows. At alpha 0.05 that rank exists from 19 fake dates
    and, with at most MAX_PLACEBO_DATES (24) of them, is always the largest |t|. The fake dates'
    windows overlap one another and, for the latest ones, the real pre-period, so this is an
    empirical allowance for misfit, not an exact conformal guarantee (bench/RESULTS.md)."""
    n = len(t_values)
    rank = math.ceil((1 - alpha) * (n + 1))
    if rank > n:
        return 1.0
    quantile = sorted(t_values)[rank - 1]
    model = float(_stats().t.ppf(1 - alpha / 2, estimate.df))
    return max(1.0, quantile / model)


def _recent_jump(estimate: Estimate, pre: pd.PeriodIndex) -> tuple[pd.Period, float] | None:
    """The month among the last OUTLIER_LOOKBACK pre months from which the standardised one-step
    errors add up furthest from zero (their sum over sqrt(months), a CUSUM from that month), and
    that statistic: a level that moved just before the event."""
    z = estimate.pre_z[-OUTLIER_LOOKBACK:]
    best = None
    for i in range(len(z)):
        tail = z[i:][np.isfinite(z[i:])]
        if not len(tail):
            continue
        stat = float(tail.sum() / math.sqrt(len(tail)))
        if best is None or abs(stat) > abs(best[1]):
            best = (pre[len(pre) - len(z) + i], stat)
    return best


BEND_MONTHS = (3, 6, 9, 12)  # where a bend may have begun: months before the event month
BEND_T_ROLLING = 2.0  # the same for 12-month totals (on their first differences, bench/RESULTS.md)
BEND_T = 1.8  # a slope change this many s.e. the effect's way, with the step gone: it began before


def bend_test(y: pd.Series, window: Window, post: pd.PeriodIndex, settings: Settings,
              effect_sign: float, step_from: pd.Period | None = None) -> dict | None:
    """Did the series bend before the event, rather than step after it? A trend that changed
    some months before the event keeps departing through the post window, which a step does
    not: a segmented regression over the pre-period and the post window together (the left-out
    months excluded; trend, month-of-year, regime steps, AR(1) errors) with a change of slope
    from k months before the event (k in BEND_MONTHS, the one that fits best the effect's way)
    and a step from the first post month. When the slope change is BEND_T s.e. the effect's way
    and the step is no longer significant that way, the change began before the event; the step
    is then the event's own effect. For 12-month totals both regressors are summed over 12 months
    (a monthly step is a ramp in the totals), and the step at the last post month is the effect."""
    from statsmodels.regression.linear_model import GLSAR

    pre = window.pre
    periods = pd.period_range(pre[0], post[-1], freq="M")
    values = y.reindex(periods).to_numpy().copy()
    # With linked events close after this one the step starts after the last of them; the months
    # between are left out like the event month.
    step_from = max(step_from or post[0], post[0])
    inside = np.array([p in pre or (p in post and p >= step_from) for p in periods])
    ok = np.isfinite(values) & inside
    if ok.sum() < MIN_PRE + 3:
        return None
    months = np.array([p.month for p in periods])
    t = np.arange(len(periods), dtype=float)
    base = _its_design(t, months, settings.seasonal if not settings.rolling else None)
    steps = usable_steps(y, pre, settings.steps)
    if steps:
        base = np.column_stack([base, step_matrix(periods, steps)])
    def monthly_to_series(column: np.ndarray) -> np.ndarray:
        """A monthly regressor as the series sees it: summed over 12 months for 12-month totals."""
        if not settings.rolling:
            return column
        return np.convolve(column, np.ones(12))[: len(column)]

    step = monthly_to_series(np.array([p >= step_from for p in periods], dtype=float))
    best = None
    for k in BEND_MONTHS:
        start = window.event_month - k
        if start <= pre[0] + MIN_STEP_BEFORE:
            continue
        hinge = monthly_to_series(np.array([max((p - start).n, 0) for p in periods], dtype=float))
        X = np.column_stack([base, hinge, step])
        target, use = values, ok
        if settings.rolling:
            # A 12-month total integrates its months' noise, so its residuals wander and any hinge
            # fits them. Its month-to-month change is the monthly value minus the one a year
            # earlier: the same regression on first differences has well-behaved errors.
            target = np.r_[np.nan, np.diff(values)]
            X = np.vstack([np.full(X.shape[1], np.nan), np.diff(X, axis=0)])
            X[:, 0] = 1.0  # the trend's difference is the constant; the level drops out
            use = ok & np.r_[False, ok[:-1]] & np.isfinite(target)
        X = X[use]
        keep = (X != 0).any(axis=0) & (np.nanstd(X, axis=0) > 0) | (np.arange(X.shape[1]) == 0)
        X = X[:, keep]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if settings.rolling:  # y_t - y_{t-12} noise is over-differenced: plain OLS errors are conservative
                from statsmodels.regression.linear_model import OLS

                fitted = OLS(target[use], X).fit()
            else:
                fitted = GLSAR(target[use], X, rho=1).iterative_fit(maxiter=10)
        tvalues, params, bse = np.asarray(fitted.tvalues), np.asarray(fitted.params), np.asarray(fitted.bse)
        t_hinge, t_step = float(tvalues[-2]), float(tvalues[-1])
        if not (np.isfinite(t_hinge) and np.isfinite(t_step)):
            continue
        if best is None or t_hinge * effect_sign > best["t_hinge"] * effect_sign:
            best = {"months": k, "start": start, "t_hinge": t_hinge, "t_step": t_step,
                    "step": float(params[-1]), "step_se": float(bse[-1]), "df": float(fitted.df_resid)}
    return best


def outlying_months(pre: pd.PeriodIndex, estimate: Estimate) -> list[pd.Period]:
    """Months among the last OUTLIER_LOOKBACK of the pre-period whose one-step error is extreme."""
    tail = estimate.pre_z[-OUTLIER_LOOKBACK:]
    return [pre[len(pre) - len(tail) + i] for i, z in enumerate(tail) if np.isfinite(z) and abs(z) > OUTLIER_Z]


def robustness(y: pd.Series, window: Window, post: pd.PeriodIndex, settings: Settings, method: str,
               primary: Estimate, kept: Estimate | None = None,
               flagged: list[pd.Period] = (), detected: bool = True,
               other_y: pd.Series | None = None,
               placebo: tuple[float | None, int] = (None, 0)) -> tuple[list[dict], float | None, int]:
    """Checks of every tested cell; each is ``passed`` True/False, or None when the data do not
    allow it. ``kept``: the estimate with the ``flagged`` outlying months kept in.

    For a detected change (``detected``) all of them: a placebo rank, a departure before the
    event, the outlier choice, other pre-period lengths and the other model must agree. For a
    non-detection only the ones that can say something about it: whether the series had already
    broken away before the event (at the stricter two-sided 5 % level, since nothing is being
    confirmed) and whether the answer depends on left-out outlying months. The break check says
    which way the series departed (``same_way``: the way of the effect)."""
    alpha, pre = settings.alpha, window.pre
    checks = []
    p_placebo, n_placebo = placebo  # made once by assess, which widens the interval from them
    if detected:
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
        largest = max(stats_break, key=abs)
        # Bends and level shifts have tests of their own (bend_test, _recent_jump), which use the
        # post window's shape too; this one guards the rest at the two-sided BREAK_ALPHA level.
        towards = bool(np.sign(largest) == np.sign(primary.effect))
        # Against the effect's way a departure must be clear (z 2.58) to cast doubt on it.
        level = BREAK_ALPHA if towards or not detected else BREAK_ALPHA / 5
        departed = abs(largest) >= float(_stats().norm.ppf(1 - level / 2))
        checks.append(_check("recent_break", not departed, recent, alpha, months=HOLDOUT_MONTHS, cusum=cusum,
                             same_way=towards))

    # The primary leaves out outlying months just before the event (they would pull the
    # counterfactual); the verdict must not depend on that choice.
    if kept is not None:
        if detected:
            agree = _agrees(primary, kept)
        else:  # a non-detection must stay one with the months kept in
            low, high = kept.interval(alpha)
            agree = bool(low <= 0 <= high)
        checks.append(_check("outlier", agree, kept, alpha, months=[f"{p}" for p in flagged]))
    else:
        checks.append({"check": "outlier", "passed": True, "months": []})
    if not detected:
        return checks, p_placebo, n_placebo

    for length in PRE_LENGTHS:
        if length == len(pre):
            continue
        other_pre = pd.period_range(pre[-1] - length + 1, pre[-1], freq="M")
        n_usable = int(y.reindex(other_pre).notna().sum())
        if n_usable < MIN_PRE or (length > len(pre) and n_usable <= int(y.reindex(pre).notna().sum())):
            checks.append({"check": "pre_length", "passed": None, "months": length})
            continue
        variant = _estimate(method, y, other_pre, post, settings)
        checks.append(_check("pre_length", _not_against(primary, variant), variant, alpha, months=length))

    if method == "count":  # the other model: a segmented regression of log(count + 1/2)
        other, variant = "its", _estimate("its", other_y, pre, post, settings)
    else:
        other = "its" if method == "structural" else "structural"
        variant = _estimate(other, y, pre, post, settings)
    checks.append(_check("other_method", _agrees(primary, variant), variant, alpha, method=other))
    return checks, p_placebo, n_placebo


# --- step 5: verdict -------------------------------------------------------------------------

@dataclass
class Evidence:
    """What the verdict is decided from (relative numbers are fractions: -0.2 = 20 % lower)."""

    excludes_zero: bool
    effect: float
    rel_low: float | None
    rel_high: float | None
    mde_relative: float | None
    checks: list[dict]
    measurement_change: bool = False
    close_marker: bool = False  # a regime marker within REGIME_CLOSE_MONTHS before the event
    began: str | None = None  # marker | regime_month | recent_break: the change began before
    joint: bool = False


def decide(evidence: Evidence, better: str) -> tuple[str, list[str]]:
    """The verdict and its reasons, in this order:

    1. a measurement change inside the window: ``confounded``;
    2. a change detected that began before the event (a dated regime change, a first month of a
       new level, a departure under way): ``began_before``; a regime marker too close to the event
       to tell apart, with no such evidence: ``confounded``;
    3. a change detected (the interval excludes zero): ``inconclusive`` if the series is too noisy
       for a detection to mean much (relative MDE over NOISY_MDE) or a check disagrees; ``joint``
       if another linked event is within JOINT_DAYS; else ``improved``/``worsened``/``changed``;
    4. no change detected: ``too_noisy`` when the relative MDE exceeds NOISY_MDE; ``no_change_beyond``
       when the whole relative interval lies within ±EQUIVALENCE_MAX and the series did not break
       before the event; else ``inconclusive`` (the interval is neither narrow nor hopelessly wide).
    """
    failed = [check["check"] for check in evidence.checks if check["passed"] is False]
    failed = sorted(set(failed), key=failed.index)
    if evidence.measurement_change:
        return "confounded", ["measurement_change"]  # or a dated regime change after the event
    if evidence.excludes_zero and evidence.began:
        return "began_before", [evidence.began]
    if evidence.close_marker:
        return "confounded", ["regime_marker"]
    noisy = evidence.mde_relative is None or evidence.mde_relative > NOISY_MDE
    if evidence.excludes_zero:
        if evidence.mde_relative is not None and evidence.mde_relative > NOISY_MDE:
            return "inconclusive", ["noisy_detection", *failed]
        if failed:
            return "inconclusive", failed
        if evidence.joint:
            return "joint", []
        if better in ("up", "down"):
            return ("improved" if ("up" if evidence.effect > 0 else "down") == better else "worsened"), []
        return "changed", []
    if noisy:
        return "too_noisy", failed
    bound = max(abs(evidence.rel_low), abs(evidence.rel_high)) if evidence.rel_high is not None else math.inf
    if bound <= EQUIVALENCE_MAX and not failed:
        return "no_change_beyond", []
    return "inconclusive", failed or ["wide"]


# --- the assessment --------------------------------------------------------------------------

def _event_items(events) -> list[tuple[dt.date, str, str]]:
    """(date, id, title) from (date, id) or (date, id, title) tuples."""
    items = []
    for item in events:
        day, event_id = item[0], item[1]
        items.append((day, event_id, item[2] if len(item) > 2 and item[2] else event_id))
    return sorted(items)


def named_events(items: list[tuple[dt.date, object]]) -> dict[str, str]:
    """Events named by title ("Title (2026-01-15); …") in each language, for a note."""
    def title(value, lang: str) -> str:
        return value.get(lang) or value.get("en", "") if isinstance(value, dict) else str(value)
    return {"events": "; ".join(f"{title(t, 'en')} ({d:%Y-%m-%d})" for d, t in items),
            "events_es": "; ".join(f"{title(t, 'es')} ({d:%Y-%m-%d})" for d, t in items)}


def _transform(y: pd.Series, scale: str) -> tuple[pd.Series, str, str | None]:
    """The series on the model's scale: log for positive flows; counts stay counts (their model
    has a log link). A series with zeros or negatives cannot go on the log scale."""
    finite = y.dropna()
    if scale == "log":
        if len(finite) and (finite > 0).all():
            return np.log(y), "log", None
        return y, "linear", "log_impossible"
    if scale == "count":
        if len(finite) and (finite >= 0).all() and np.allclose(finite, finite.round()):
            return y, "count", None
        return y, "linear", "count_impossible"
    return y, "linear", None


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
    scale: str = "linear",
    provisional: pd.Index | None = None,
    revision_pattern: dict[int, float] | None = None,
    measurement_changes: tuple[dt.date, ...] | list[dt.date] = (),
    regime_markers: tuple[dict, ...] | list[dict] = (),
    previous_event: dt.date | None = None,
    later_events: tuple[tuple, ...] | list[tuple] = (),
    nearby_events: tuple[tuple, ...] | list[tuple] = (),
    min_post_months: int | None = None,
    publication_lag_months: int = 1,
    robust: bool = True,
    donors: dict[str, pd.Series] | None = None,
    donor_labels: dict[str, dict[str, str]] | None = None,
) -> Assessment:
    """Estimate the change in ``series`` after ``event_date``; see the module docstring.

    ``better``: the direction the commitment aims at ("down", "up" or "ambiguous"). ``semantics``:
    "monthly", "rolling_12m" (each value sums the 12 months ending there) or "annual". ``scale``:
    "linear", "log" (positive flows: effects in %) or "count" (low counts: quasi-Poisson).
    ``provisional``: months the publisher may still revise; with ``revision_pattern`` (months
    before the newest month -> expected relative revision, from the stored vintages) those
    expected to move more than REVISION_LIMIT are left out. ``regime_markers``: dated regime
    changes ({"date", "id"}) entered as step terms. ``previous_event`` ends the pre-period;
    ``later_events`` (date, id[, title]) inside the post window are named; ``nearby_events``
    (date, id[, title]) within JOINT_DAYS make the result a joint one. ``as_of`` drops later
    months and dates the "not yet verifiable" answer. ``min_post_months`` defaults to 3 (6 for
    12-month-ending series). ``robust=False`` skips the robustness checks (simulations only).
    ``donors``: control series the event should not move (other drugs, other regions; key → series,
    ``donor_labels`` key → {"en", "es"}), for the control-series check: shown, never deciding.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
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
    min_post = min_post_months or max(6 if rolling else 3, post_months or 0)
    window = plan_window(y, event_date, pre_months, post_months or MAX_POST_MONTHS, previous_event, notes)
    pre = window.pre
    result.n_pre = int(y.reindex(pre).notna().sum())
    result.pre_start, result.pre_end = pre[0].start_time.date(), pre[-1].start_time.date()
    result.pre_ends_at_event, result.n_left_out = window.previous_event, window.left_out
    result.post_start = window.post_start.start_time.date()

    # Provisional months expected to move are left out before anything is estimated from them.
    if provisional is not None and data_through is not None:
        flagged_months = {_month(p) for p in provisional}
        if revision_pattern:
            moving = [p for p in y.index if p in flagged_months and pd.notna(y[p]) and p >= window.post_start
                      and abs(revision_pattern.get((data_through - p).n, 0.0)) > REVISION_LIMIT]
            if moving:
                y = y.copy()
                y.loc[moving] = np.nan
                result.provisional_left_out = [f"{p}" for p in moving]
                largest = max(abs(revision_pattern.get((data_through - p).n, 0.0)) for p in moving)
                notes.append({"code": "provisional_left_out", "n": len(moving), "first": f"{min(moving)}",
                              "last": f"{max(moving)}", "limit": REVISION_LIMIT, "largest": largest})

    joint = [{"date": d.isoformat(), "id": event_id, "title": title}
             for d, event_id, title in _event_items(nearby_events)
             if d != event_date and abs((d - event_date).days) <= JOINT_DAYS]
    result.joint_events = joint
    if joint:
        notes.append({"code": "joint", **named_events([(as_date(e["date"]), e["title"]) for e in joint])})
    post = available_post(y, window)
    n_available = 0 if post is None else int(y.reindex(post).notna().sum())
    if n_available < min_post:
        needed = window.post_start + min_post - 1
        if result.provisional_left_out:  # the months exist but are still moving
            needed = max(needed, max(_month(p) for p in result.provisional_left_out))
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
        result.provisional_post_months = sum(p in flagged and pd.notna(y.get(p)) for p in post)
        if result.provisional_post_months:
            notes.append({"code": "provisional", "n": result.provisional_post_months})
    inside = [(d, title) for d, _, title in _event_items(later_events) if post[0] <= _month(d) <= post[-1]]
    if inside:
        notes.append({"code": "later_events", **named_events(inside)})

    if method == "yoy":
        return _year_over_year(result, y, post, notes)
    if result.n_pre < MIN_PRE:
        result.method = "structural" if method == "auto" else method
        result.verdict = "insufficient_history"
        notes.append({"code": "insufficient", "n": result.n_pre, "needed": MIN_PRE})
        return _finish(result, notes)
    if not np.nanstd(y.reindex(pre).to_numpy()) > 0:
        result.method = "structural" if method == "auto" else method
        result.verdict = "insufficient_history"
        notes.append({"code": "constant_pre"})
        return _finish(result, notes)

    # The model's scale: log for positive flows, a count model for low counts.
    ym, used_scale, why = _transform(y, "linear" if rolling else scale)
    if why:
        notes.append({"code": why})
    if method == "auto":
        chosen = "count" if used_scale == "count" else "structural"
    else:
        chosen = method
    if chosen == "count" and used_scale != "count":
        chosen = "its"
    if used_scale == "count" and chosen != "count":  # a Gaussian model of counts: on log(count + 1/2)
        ym, used_scale = np.log(y + 0.5), "log"
    result.method, result.scale = chosen, used_scale
    other_y = np.log(y + 0.5) if chosen == "count" else None

    # Dated regime changes: the ones inside the pre-period are step terms; one within
    # REGIME_CLOSE_MONTHS before the event cannot be told apart from it.
    labels = {m.get("id", ""): m.get("label") for m in regime_markers}
    markers = sorted((as_date(m["date"]), m.get("id", "")) for m in regime_markers)
    steps = usable_steps(ym, pre, [d for d, _ in markers])
    result.regime_steps = [{"date": d.isoformat(), "id": i} for d, i in markers if d in steps]
    if result.regime_steps:
        notes.append({"code": "regime_steps", "markers": "; ".join(
            f"{(labels.get(m['id']) or {}).get('en', m['id'])} ({m['date']})" for m in result.regime_steps),
            "markers_es": "; ".join(f"{(labels.get(m['id']) or {}).get('es', m['id'])} ({m['date']})"
                                    for m in result.regime_steps)})
    close = [(d, i) for d, i in markers if d < event_date and (_month(event_date) - _month(d)).n <= REGIME_CLOSE_MONTHS]
    after = [(d, i) for d, i in markers if event_date <= d and _month(d) <= post[-1]]
    if after:  # a regime change inside the post window: whatever changed cannot be the event's alone
        notes.append({"code": "regime_after", "date": after[0][0].isoformat(),
                      "marker": labels.get(after[0][1]) or after[0][1]})
    settings = Settings(seasonal=seasonal, rolling=rolling, alpha=alpha, weighting="last" if rolling else "mean",
                        steps=steps)
    estimate = _estimate(chosen, ym, pre, post, settings)
    if estimate is None and chosen == "structural":
        notes.append({"code": "fallback_its"})
        chosen = result.method = "its"
        estimate = _estimate(chosen, ym, pre, post, settings)
    if estimate is None or not estimate.se > 0:
        result.verdict = "insufficient_history"
        notes.append({"code": "not_estimable"})
        return _finish(result, notes)
    phi = damping(estimate.fit)
    if phi is not None:
        notes.append({"code": "damped", "phi": phi, "after": DAMP_AFTER})

    # The estimate the data would give without the regime changes close to the event: what a
    # reader sees ("fell 85 %"), and whether the change shows before the event.
    close_steps = tuple(d for d, _ in close if d in steps)
    naive = estimate
    if close_steps:
        kept_steps = tuple(d for d in steps if d not in close_steps)
        naive = _estimate(chosen, ym, pre, post, replace(settings, steps=kept_steps))
        naive = naive if naive is not None and naive.se > 0 else estimate
    began, began_at = None, None
    if close:
        # A dated regime change came first, within REGIME_CLOSE_MONTHS: monthly data cannot
        # separate the two, so a change detected is not the event's (a partial first month
        # cannot show more than that).
        naive_low, naive_high = naive.interval(alpha)
        if not (naive_low <= 0 <= naive_high):
            began, began_at = "marker", close[0][0]
            result.began_label = labels.get(close[0][1]) or {"en": close[0][1], "es": close[0][1]}
        notes.append({"code": "regime_close", "date": close[0][0].isoformat(),
                      "marker": labels.get(close[0][1]) or close[0][1]})

    # Outlying months just before the event: left out as outliers, unless the months after the
    # event carry on at their level, which makes them the first months of a new regime.
    flagged, kept, modelled = outlying_months(pre, estimate), None, ym
    if flagged and began is None:
        cleaned = ym.copy()
        cleaned.loc[flagged] = np.nan
        without = _estimate(chosen, cleaned, pre, post, settings)
        first = flagged[0]
        z_first = estimate.pre_z[len(pre) - (pre[-1] - first).n - 1]
        if without is not None and without.se > 0:
            low, high = without.interval(alpha)
            carries_on = not (low <= 0 <= high) and np.sign(without.effect) == np.sign(z_first)
            if carries_on:  # a regime began at the first flagged month: a step from it
                start = first.start_time.date()
                stepped = _estimate(chosen, ym, pre, post, replace(settings, steps=(*steps, start)))
                if stepped is not None and stepped.se > 0:
                    naive, estimate = without, stepped
                    began, began_at = "regime_month", start
                    notes.append({"code": "regime_detected", "month": f"{first}"})
            else:
                kept, estimate, modelled = estimate, without, cleaned
                notes.append({"code": "outlier_excluded", "months": ", ".join(f"{p}" for p in flagged)})

    # Placebo-in-time: the same estimate at fake dates before the event; where there are enough of
    # them, the interval is widened to what they show (never narrowed).
    placebo: tuple[float | None, int] = (None, 0)
    if robust:
        p_placebo, n_placebo, placebo_t = placebo_rank(modelled, pre, post, settings, chosen, estimate)
        placebo = (p_placebo, n_placebo)
        factor = placebo_calibration(placebo_t, estimate, alpha) if CALIBRATE else 1.0
        result.interval_calibration = factor
        if factor > 1.0:
            same = naive is estimate
            estimate = replace(estimate, calibration=factor)
            naive = estimate if same else replace(naive, calibration=factor)
            notes.append({"code": "calibrated", "n": n_placebo, "factor": factor})
    _fill_numbers(result, estimate, alpha, nonnegative=bool((y.dropna() >= 0).all()), post=post, y=y)
    low, high = estimate.interval(alpha)
    excludes = not (low <= 0 <= high)
    naive_low, naive_high = naive.interval(alpha)
    naive_excludes = not (naive_low <= 0 <= naive_high)
    checks: list[dict] = []
    if robust:
        checks, result.placebo_p_value, result.placebo_n = robustness(
            modelled, window, post, settings, chosen, estimate, kept, flagged if kept is not None else (),
            detected=excludes, other_y=other_y, placebo=placebo)
    result.checks = checks
    if robust and donors:
        # On the primary's data (outlying months it left out stay out); counts on log(count + 1/2).
        donor_y = np.log(modelled + 0.5) if chosen == "count" else modelled
        donor_check = _donor_check(donors, donor_labels or {}, donor_y, used_scale, pre, post, settings, estimate,
                                   excludes)
        checks.append(donor_check)
        if donor_check["reading"] != "not_possible":
            notes.append({"code": f"donors_{donor_check['reading']}",
                          **{k: donor_check[k] for k in ("names", "names_es", "rel", "rel_low", "rel_high")}})
    if checks and excludes and result.placebo_n < MIN_PLACEBO_GUARD:
        notes.append({"code": "placebo_unavailable", "n": result.placebo_n, "needed": MIN_PLACEBO_GUARD})
    if began is None and excludes:
        brk = next((c for c in checks if c["check"] == "recent_break"), None)
        jump = _recent_jump(estimate, pre)
        broke = brk is not None and brk["passed"] is False and brk.get("same_way")
        fires = jump is not None and np.sign(jump[1]) == np.sign(estimate.effect) and (broke or abs(jump[1]) >= JUMP_Z)
        last_z = float(estimate.pre_z[-1]) if len(estimate.pre_z) else math.nan
        last_month = False
        if not fires and math.isfinite(last_z) and np.sign(last_z) == np.sign(estimate.effect) \
                and abs(last_z) >= JUMP_LAST_Z:
            jump, fires, last_month = (pre[-1], last_z), True, True  # the month before was already out
        if fires:
            # The series had moved the effect's way in the last pre months: the event's own
            # effect is what remains once a step from the month it moved is allowed for.
            start = jump[0].start_time.date()
            stepped = _estimate(chosen, modelled, pre, post, replace(settings, steps=(*steps, start)))
            if stepped is not None and stepped.se > 0:
                naive, estimate = estimate, replace(stepped, calibration=estimate.calibration)
                _fill_numbers(result, estimate, alpha, nonnegative=bool((y.dropna() >= 0).all()), post=post, y=y)
                naive_excludes = True
                began = "recent_break" if broke else ("last_month" if last_month else "regime_month")
                began_at = start
        elif broke:
            began, began_at = "recent_break", (pre[-HOLDOUT_MONTHS]).start_time.date()
    if began is None and excludes:
        step_from = max((post_start_month(as_date(e["date"])) for e in joint), default=None)
        # Counts: the bend is tested on log(count + 1/2), the count model's scale.
        bend = bend_test(other_y if chosen == "count" else modelled, window, post, settings,
                         float(np.sign(estimate.effect)), step_from)
        if bend is not None:
            checks.append({"check": "bend", "passed": None, **{k: (f"{v}" if k == "start" else v)
                                                                for k, v in bend.items()}})
            crit = float(_stats().t.ppf(1 - alpha / 2, max(bend["df"], 1)))
            # For 12-month totals the step must not be significant either way: there a bend and a
            # step that offset each other fit the differences' noise too easily.
            step_t = abs(bend["t_step"]) if rolling else bend["t_step"] * np.sign(estimate.effect)
            if bend["t_hinge"] * np.sign(estimate.effect) >= (BEND_T_ROLLING if rolling else BEND_T) and step_t < crit:
                began, began_at = "bend", bend["start"].start_time.date()
                naive = estimate
                # The event's own effect: the step once the bend is allowed for.
                factor = min(len(post), 12) if rolling else 1  # 12-month totals: the ramp at the last month
                own, own_se = bend["step"] * factor, bend["step_se"] * factor
                n_obs = estimate.n_post
                estimate = replace(
                    estimate, effect=own, se=own_se, df=bend["df"], counterfactual=estimate.observed - own,
                    expected=estimate.expected + (estimate.effect - own),  # the path the own effect implies
                    cumulative=None if rolling else own * n_obs, cumulative_se=None if rolling else own_se * n_obs)
                notes.append({"code": "own_effect_bend", "months": bend["months"]})
                _fill_numbers(result, estimate, alpha, nonnegative=bool((y.dropna() >= 0).all()), post=post, y=y)
                naive_excludes = True
        if began is not None and brk is not None and broke:
            checks.remove(brk)  # it is the verdict's reason, not a disagreement
            checks.append({**brk, "passed": None, "became": "began_before"})
    own_low, own_high = estimate.interval(alpha)
    if began in ("bend", "regime_month", "last_month") and not (own_low <= 0 <= own_high) \
            and np.sign(estimate.effect) == np.sign(naive.effect):
        # Part began before, but the event's own effect, with that allowed for, still stands.
        notes.append({"code": "began_partly", "month": f"{_month(began_at)}"})
        began, began_at, excludes = None, None, True
    if began is not None and (naive_excludes or excludes):
        rel = _relative(naive, alpha, used_scale)
        result.total_change, result.total_change_low, result.total_change_high = rel
        direction_source = naive if naive_excludes else estimate
        result.change_direction = "down" if direction_source.effect < 0 else "up"
        result.began_by, result.began_at = began, began_at
    confounders = [d for d in measurement_changes if pre[0] <= _month(d) <= post[-1]]
    if confounders:
        notes.append({"code": "confounded", "date": min(confounders).isoformat()})
    if excludes and joint:
        result.change_direction = "down" if estimate.effect < 0 else "up"
    evidence = Evidence(
        excludes_zero=excludes or (began is not None and naive_excludes), effect=estimate.effect,
        rel_low=result.relative_ci_low, rel_high=result.relative_ci_high, mde_relative=result.mde_relative,
        checks=checks, measurement_change=bool(confounders) or bool(after), close_marker=bool(close), began=began,
        joint=bool(joint),
    )
    result.verdict, result.reasons = decide(evidence, better)
    if result.verdict == "no_change_beyond":
        bound = max(abs(result.relative_ci_low), abs(result.relative_ci_high))
        result.equivalence_bound = math.ceil(bound * 100 - 1e-9) / 100  # the next whole percent
    return _finish(result, notes)


DONOR_READINGS = ("same_change", "other_answer", "no_change", "cannot_tell", "not_possible")


def _donor_check(donors: dict[str, pd.Series], labels: dict[str, dict[str, str]], y: pd.Series, scale: str,
                 pre: pd.PeriodIndex, post: pd.PeriodIndex, settings: Settings, primary: Estimate,
                 detected: bool) -> dict:
    """The control-series check: the effect against a regression on the donors (on the model's
    scale). Its reading: ``same_change`` (a detection, and the controls also find a change that
    way, clear of zero), ``no_change`` (no detection, and the controls' interval lies within
    ±EQUIVALENCE_MAX too), ``other_answer`` (the controls find otherwise), ``cannot_tell`` (no
    detection, and the controls' interval is too wide to say either), ``not_possible`` (no control
    covers the window). Shown beside the verdict, never deciding it: no control is perfect."""
    frame = usable_donors(donors, scale, pre, post)
    names = {"names": ", ".join((labels.get(k) or {}).get("en", k) for k in frame),
             "names_es": ", ".join((labels.get(k) or {}).get("es", k) for k in frame)}
    variant = estimate_donors(y, frame, pre, post, settings) if frame.shape[1] else None
    if variant is None or not variant.se > 0:
        return {"check": "donors", "passed": None, "reading": "not_possible", "donors": list(frame),
                "offered": list(donors), **names}
    low, high = variant.interval(settings.alpha)
    log_scale = scale in ("log", "count")
    rel, rel_low, rel_high = _relative(variant, settings.alpha, "log" if log_scale else "linear")
    clear = not (low <= 0 <= high)
    if detected:
        reading = "same_change" if clear and np.sign(variant.effect) == np.sign(primary.effect) else "other_answer"
    elif clear:
        reading = "other_answer"
    else:
        narrow = rel_low is not None and rel_high is not None and max(abs(rel_low), abs(rel_high)) <= EQUIVALENCE_MAX
        reading = "no_change" if narrow else "cannot_tell"
    return _check("donors", None, variant, settings.alpha, reading=reading, donors=list(frame),
                  offered=list(donors), rel=rel, rel_low=rel_low, rel_high=rel_high, **names)


def as_date(value) -> dt.date:
    """A date from a date or its ISO text (timeline and marker dates come as either)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _observed_level(y: pd.Series, post: pd.PeriodIndex, rolling: bool) -> float:
    actual = y.reindex(post).to_numpy()
    ok = np.isfinite(actual)
    return float(actual[ok][-1]) if rolling else float(actual[ok].mean())


def _relative(estimate: Estimate, alpha: float, scale: str) -> tuple[float | None, float | None, float | None]:
    """The relative effect and its interval (fractions) of an estimate on the given scale."""
    half = estimate.crit(alpha) * estimate.se
    if scale in ("log", "count"):
        return (math.expm1(estimate.effect), math.expm1(estimate.effect - half), math.expm1(estimate.effect + half))
    c = estimate.counterfactual
    if not c > 0:
        return None, None, None
    return (estimate.effect / c, estimate.observed / (c + half) - 1,
            estimate.observed / (c - half) - 1 if c - half > 0 else None)


def _fill_numbers(result: Assessment, estimate: Estimate, alpha: float, *, nonnegative: bool,
                  post: pd.PeriodIndex, y: pd.Series) -> None:
    """The estimate in the reader's units. On the linear scale the effect is a difference of
    levels. On the log scale (and for counts) the model's effect d is a log ratio: the relative
    effect exp(d) - 1 and its interval are exact transforms, and the level numbers follow from
    the observed post level (counterfactual level = observed × exp(-d)); the MDE is the smallest
    rise exp(m) - 1 the test finds with 80 % power (a fall of 1 - exp(-m) is found as often)."""
    low, high = estimate.interval(alpha)
    half = estimate.crit(alpha) * estimate.se
    result.p_value = estimate.p_value()
    rel = _relative(estimate, alpha, result.scale)
    result.relative_effect, result.relative_ci_low, result.relative_ci_high = rel
    spread = estimate.crit(alpha) * estimate.band_sd
    if result.scale in ("log", "count"):
        observed = _observed_level(y, post, result.semantics == "rolling_12m")
        d, m = estimate.effect, estimate.mde(alpha)
        counterfactual = observed * math.exp(-d)
        result.observed, result.counterfactual_value = observed, counterfactual
        result.effect = observed - counterfactual
        result.ci_low, result.ci_high = observed * -math.expm1(-(d - half)), observed * -math.expm1(-(d + half))
        result.mde_relative = math.expm1(m)  # the rise found with 80 % power; the fall is below
        result.mde_relative_fall = -math.expm1(-m)
        result.mde = counterfactual * result.mde_relative
        if result.semantics != "rolling_12m":
            n = estimate.n_post
            result.cumulative_effect = result.effect * n
            result.cumulative_ci_low, result.cumulative_ci_high = result.ci_low * n, result.ci_high * n
        expected = np.exp(estimate.expected)
        lower, upper = np.exp(estimate.expected - spread), np.exp(estimate.expected + spread)
    else:
        result.effect, result.ci_low, result.ci_high = estimate.effect, low, high
        result.observed, result.counterfactual_value = estimate.observed, estimate.counterfactual
        result.mde = estimate.mde(alpha)
        if estimate.counterfactual > 0:
            result.mde_relative = result.mde / estimate.counterfactual
        if estimate.cumulative is not None:
            half_total = estimate.crit(alpha) * estimate.cumulative_se
            result.cumulative_effect = estimate.cumulative
            result.cumulative_ci_low = estimate.cumulative - half_total
            result.cumulative_ci_high = estimate.cumulative + half_total
        expected, lower, upper = estimate.expected, estimate.expected - spread, estimate.expected + spread
    if nonnegative:  # counts and weights cannot go below zero
        lower = np.clip(lower, 0.0, None)
    result.counterfactual = pd.DataFrame({
        "period": post.to_timestamp(), "actual": y.reindex(post).to_numpy(), "expected": expected,
        "lower": lower, "upper": upper,
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
    if len(before) and not len(after):  # the newest figure predates the event
        result.verdict = "no_data_after_event"
    return _finish(result, notes)


def _finish(result: Assessment, notes: list[dict]) -> Assessment:
    result.note_codes = notes
    return result
