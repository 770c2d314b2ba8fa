"""Verification statistics: did an indicator measurably change after an event?

``assess(series, event_date, ...)`` compares what happened after the event with an estimate of
what would have happened without it (the counterfactual), with honest uncertainty, and says
plainly whether the result is verifiable yet. Pure functions over pandas; no store, no Dash.

Methods
- ``yoy``: the post-event months against the same months a year earlier.
- ``its``: interrupted time series, segmented regression (level and slope change) with
  month-of-year terms and Newey–West (HAC) standard errors.
- ``structural``: a structural time-series counterfactual (CausalImpact-style): an
  ``UnobservedComponents`` model (local level with drift, seasonal, AR(1)) fitted on the
  pre-period and forecast over the post-period. Intervals of the average and cumulative effects
  use the *joint* covariance of the forecast errors across horizons, not the per-month variance.
- ``descriptive``: annual or multi-year figures; no inference.
Every estimate is also repeated at admissible fake dates before the event (placebo-in-time) and
the empirical rank of the real effect is reported beside the model p-value.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.statespace.structural import UnobservedComponents

from indicators import explain

VERDICTS = (
    "improved", "worsened", "changed", "no_detectable_change", "not_yet_verifiable", "confounded",
    "insufficient_history", "descriptive_only",
)
METHODS = ("auto", "yoy", "its", "structural", "descriptive")
MIN_PRE_SEASONAL = 24  # two full seasonal cycles
MIN_PRE_PLAIN = 12
MAX_POST_MONTHS = 12
MAX_PLACEBO_DATES = 24


@dataclass
class Assessment:
    method: str
    verdict: str
    explanation: str
    explanation_es: str
    event_date: dt.date
    semantics: str = "monthly"
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    relative_effect: float | None = None
    cumulative_effect: float | None = None
    cumulative_ci_low: float | None = None
    cumulative_ci_high: float | None = None
    p_value: float | None = None
    placebo_p_value: float | None = None
    placebo_n: int = 0
    n_pre: int = 0
    n_post: int = 0
    alpha: float = 0.05
    pre_start: dt.date | None = None
    pre_end: dt.date | None = None
    pre_ends_at_event: dt.date | None = None  # the previous event that ends the pre-period
    post_start: dt.date | None = None
    post_end: dt.date | None = None
    data_through: dt.date | None = None
    checkable_from: dt.date | None = None
    provisional_post_months: int = 0
    notes: list[str] = field(default_factory=list)
    notes_es: list[str] = field(default_factory=list)
    counterfactual: pd.DataFrame | None = None

    def to_json(self) -> dict:
        def iso(value):
            return value.isoformat() if isinstance(value, dt.date) else value

        def num(value):
            return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value

        body = {
            key: iso(num(getattr(self, key)))
            for key in (
                "method", "verdict", "explanation", "explanation_es", "event_date", "semantics", "effect", "ci_low",
                "ci_high", "relative_effect", "cumulative_effect", "cumulative_ci_low", "cumulative_ci_high",
                "p_value", "placebo_p_value", "placebo_n", "n_pre", "n_post", "alpha", "pre_start",
                "pre_end", "pre_ends_at_event", "post_start", "post_end", "data_through", "checkable_from",
                "provisional_post_months", "notes", "notes_es",
            )
        }
        if self.counterfactual is not None:
            frame = self.counterfactual.copy()
            frame["period"] = frame["period"].dt.strftime("%Y-%m")
            body["counterfactual"] = [
                {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
                for row in frame.to_dict("records")
            ]
        else:
            body["counterfactual"] = []
        return body


@dataclass
class _Estimate:
    effect: float
    se: float
    cumulative: float
    cumulative_se: float
    counterfactual_mean: float
    expected: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    df: float | None = None  # degrees of freedom for t intervals; None = normal


# --- series handling -------------------------------------------------------------------------

def monthly(series: pd.Series) -> pd.Series:
    """A float series on a complete monthly PeriodIndex (gaps become NaN)."""
    index = series.index
    if isinstance(index, pd.PeriodIndex):
        periods = index.asfreq("M")
    else:
        periods = pd.DatetimeIndex(index).to_period("M")
    clean = pd.Series(pd.to_numeric(series.to_numpy(), errors="coerce"), index=periods, dtype=float)
    clean = clean[~clean.index.duplicated(keep="last")].sort_index()
    if clean.empty:
        return clean
    full = pd.period_range(clean.index.min(), clean.index.max(), freq="M")
    return clean.reindex(full)


def _month(day: dt.date | pd.Period) -> pd.Period:
    return day if isinstance(day, pd.Period) else pd.Period(day, freq="M")


def post_start_month(event_date: dt.date) -> pd.Period:
    """The first full month after the event (an event on the 1st starts its own month)."""
    month = _month(event_date)
    return month if event_date.day == 1 else month + 1


# --- estimators ------------------------------------------------------------------------------

def _interval(estimate: _Estimate, alpha: float) -> tuple[float, float, float]:
    if estimate.se <= 0 or not math.isfinite(estimate.se):
        return estimate.effect, estimate.effect, float("nan")
    z = estimate.effect / estimate.se
    if estimate.df:
        crit = stats.t.ppf(1 - alpha / 2, estimate.df)
        p = 2 * stats.t.sf(abs(z), estimate.df)
    else:
        crit = stats.norm.ppf(1 - alpha / 2)
        p = 2 * stats.norm.sf(abs(z))
    return estimate.effect - crit * estimate.se, estimate.effect + crit * estimate.se, float(p)


def _crit(alpha: float, df: float | None) -> float:
    return float(stats.t.ppf(1 - alpha / 2, df) if df else stats.norm.ppf(1 - alpha / 2))


def estimate_yoy(y: pd.Series, post: pd.PeriodIndex, alpha: float, *, pre: pd.PeriodIndex | None = None,
                 **_) -> _Estimate | None:
    """Mean of y_t - y_{t-12} over the post months. Its standard error comes from the pre-period's
    own year-over-year differences (variance and first autocorrelations), because the post-window
    differences are too few and too correlated to estimate it from."""
    actual = y.reindex(post)
    last_year = y.reindex(post - 12)
    diff = actual.to_numpy() - last_year.to_numpy()
    ok = np.isfinite(diff)
    n = int(ok.sum())
    if n < 2:
        return None
    history = pre if pre is not None else post - 12
    pre_diff = (y.reindex(history).to_numpy() - y.reindex(history - 12).to_numpy())
    pre_diff = pre_diff[np.isfinite(pre_diff)]
    if len(pre_diff) >= 6:
        centred = pre_diff - pre_diff.mean()
        variance = float(np.var(centred, ddof=1))
        inflation = 1.0
        for lag in range(1, min(3, n - 1) + 1):
            rho = float(np.corrcoef(centred[:-lag], centred[lag:])[0, 1])
            if math.isfinite(rho):
                inflation += 2 * (1 - lag / n) * rho
        se = math.sqrt(variance * max(inflation, 0.25) / n)
        sd = math.sqrt(variance)
        df = len(pre_diff) - 1
    else:  # no usable pre-period: the post differences' own spread
        sd = float(np.std(diff[ok], ddof=1))
        se = sd / math.sqrt(n)
        df = n - 1
    crit = _crit(alpha, df)
    expected = last_year.to_numpy()
    return _Estimate(
        effect=float(diff[ok].mean()), se=se, cumulative=float(diff[ok].sum()), cumulative_se=se * n,
        counterfactual_mean=float(np.nanmean(expected[ok])), expected=expected,
        lower=expected - crit * sd, upper=expected + crit * sd, df=df,
    )


def _its_design(index: pd.PeriodIndex, post_start: pd.Period, seasonal: int | None) -> pd.DataFrame:
    t = np.array([(p - index[0]).n for p in index], dtype=float)
    k = np.array([(p - post_start).n for p in index], dtype=float)
    after = (k >= 0).astype(float)
    design = pd.DataFrame({"const": 1.0, "trend": t}, index=index)
    if seasonal:
        month = np.array([p.month for p in index])
        for m in range(2, 13):
            design[f"m{m}"] = (month == m).astype(float)
    design["level_change"] = after
    design["slope_change"] = after * k
    return design


def estimate_its(y: pd.Series, post: pd.PeriodIndex, alpha: float, *, pre: pd.PeriodIndex,
                 seasonal: int | None, **_) -> _Estimate | None:
    index = pre.append(post)
    design = _its_design(index, post[0], seasonal)
    values = y.reindex(index)
    ok = values.notna().to_numpy()
    if ok[: len(pre)].sum() < MIN_PRE_PLAIN or ok[len(pre):].sum() < 1:
        return None
    X, target = design[ok], values[ok]
    X = X.loc[:, (X != 0).any(axis=0)]  # a month dummy with no rows cannot be estimated
    # Feasible GLS for AR(1) errors (Prais–Winsten style), then Newey–West standard errors on
    # the whitened regression: plain OLS + HAC covered a planted effect only ~79 % of the time
    # in the simulation study at this sample size (bench/RESULTS.md).
    glsar = sm.GLSAR(target.to_numpy(), X.to_numpy(), rho=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glsar.iterative_fit(maxiter=10)
    fit = sm.OLS(glsar.wendog, glsar.wexog).fit(cov_type="HAC", cov_kwds={"maxlags": 1, "use_correction": True})
    columns = list(X.columns)
    cov = np.asarray(fit.cov_params())
    params = np.asarray(fit.params)
    post_rows = design.loc[post, columns].to_numpy()
    post_ok = values.reindex(post).notna().to_numpy()
    k_bar = float(design.loc[post, "slope_change"].to_numpy()[post_ok].mean())
    gradient = np.zeros(len(columns))
    gradient[columns.index("level_change")] = 1.0
    if "slope_change" in columns:
        gradient[columns.index("slope_change")] = k_bar
    n_post = int(post_ok.sum())
    effect = float(gradient @ params)
    se = float(math.sqrt(max(gradient @ cov @ gradient, 0.0)))
    base = post_rows.copy()
    for name in ("level_change", "slope_change"):
        if name in columns:
            base[:, columns.index(name)] = 0.0
    expected = base @ params
    mean_var = np.einsum("ij,jk,ik->i", base, cov, base)
    sigma2 = float(fit.scale) / max(1 - float(glsar.rho[0]) ** 2, 1e-6)  # marginal, not innovation, variance
    crit = _crit(alpha, fit.df_resid)
    spread = crit * np.sqrt(mean_var + sigma2)
    return _Estimate(
        effect=effect, se=se, cumulative=effect * n_post, cumulative_se=se * n_post,
        counterfactual_mean=float(expected[post_ok].mean()), expected=expected,
        lower=expected - spread, upper=expected + spread, df=float(fit.df_resid),
    )


def structural_specs(seasonal: int | None, smooth: bool) -> list[dict]:
    """Model specifications to try, richest first. A 12-month-ending series is smooth and
    trending (local linear trend); a monthly flow gets level with drift, seasonality and AR(1)
    noise. An AR coefficient the optimiser cannot pin down falls back to the next one."""
    seasonal_terms = {"seasonal": seasonal, "stochastic_seasonal": False} if seasonal else {}
    if smooth:
        return [{"level": "lltrend"}, {"level": "llevel"}]
    return [
        {"level": "lldtrend", "autoregressive": 1, **seasonal_terms},
        {"level": "lldtrend", **seasonal_terms},
        {"level": "llevel", **seasonal_terms},
    ]


def fit_structural(values: np.ndarray, seasonal: int | None, smooth: bool = False):
    """The first specification whose fit gives finite forecasts, or None."""
    for spec in structural_specs(seasonal, smooth):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the result is checked below
            result = UnobservedComponents(values, **spec).fit(disp=False, maxiter=500)
        if np.isfinite(result.params).all():
            result.verifica_spec = spec
            return result
    return None


def joint_forecast(result, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and joint covariance of the next ``horizon`` observations of a fitted state-space
    model, from the predicted state at the end of the sample (parameter uncertainty excluded).

    Cov(y_{n+i}, y_{n+j}) = Z T^{j-i} P_i Z' (+ H if i = j), with P_1 the predicted state
    covariance and P_{i+1} = T P_i T' + R Q R'. The correlation across horizons is what makes an
    average effect's interval wider than the per-month variance divided by n.
    """
    fr = result.filter_results
    Z = fr.design[:, :, 0]
    T = fr.transition[:, :, 0]
    R = fr.selection[:, :, 0]
    Q = fr.state_cov[:, :, 0]
    H = fr.obs_cov[:, :, 0]
    state = fr.predicted_state[:, -1]
    P = fr.predicted_state_cov[:, :, -1]
    RQR = R @ Q @ R.T
    means = np.empty(horizon)
    covs = []
    for i in range(horizon):
        means[i] = float((Z @ state)[0])
        covs.append(P)
        state = T @ state
        P = T @ P @ T.T + RQR
    joint = np.empty((horizon, horizon))
    for i in range(horizon):
        propagated = covs[i]
        for j in range(i, horizon):
            value = float((Z @ propagated @ Z.T)[0, 0])
            joint[i, j] = joint[j, i] = value
            propagated = T @ propagated
        joint[i, i] += float(H[0, 0])
    return means, joint


def estimate_structural(y: pd.Series, post: pd.PeriodIndex, alpha: float, *, pre: pd.PeriodIndex,
                        seasonal: int | None, fitted=None, smooth: bool = False, **_) -> _Estimate | None:
    pre_values = y.reindex(pre).to_numpy()
    if np.isfinite(pre_values).sum() < MIN_PRE_PLAIN:
        return None
    # Fit on a standardised scale: the optimiser fails on raw values of the order of 10^4-10^5.
    centre = float(np.nanmean(pre_values))
    scale = float(np.nanstd(pre_values)) or 1.0
    standardised = (pre_values - centre) / scale
    if fitted is None:
        result = fit_structural(standardised, seasonal, smooth)
        if result is None:
            return None
    else:  # placebo: the real pre-period's parameters, re-filtered on the fake pre-period
        result = UnobservedComponents(standardised, **fitted.verifica_spec).filter(fitted.params)
        result.verifica_spec = fitted.verifica_spec
    means, joint = joint_forecast(result, len(post))
    if not (np.isfinite(means).all() and np.isfinite(joint).all()):
        return None
    # The forecast covariance treats the fitted variances as known. A small-sample allowance for
    # estimating them: scale by n / (n - k) and use t(n - k) critical values, k = fitted parameters.
    # Without it, 95 % intervals covered a planted effect ~93 % of the time and flagged ~9 % of
    # no-effect series (bench/RESULTS.md); drawing parameters from the Laplace approximation
    # instead exploded on real series whose variance components are weakly identified.
    n_fit = int(np.isfinite(standardised).sum())
    k = len(result.params)
    df = max(n_fit - k, 1)
    joint = joint * (n_fit / df)
    means = centre + scale * means
    joint = joint * scale**2
    actual = y.reindex(post).to_numpy()
    ok = np.isfinite(actual)
    if not ok.any():
        return None
    n = int(ok.sum())
    weights = ok.astype(float) / n
    effect = float(weights @ (np.where(ok, actual, 0.0) - means * ok))
    variance = float(weights @ joint @ weights)
    se = math.sqrt(max(variance, 0.0))
    spread = _crit(alpha, df) * np.sqrt(np.clip(np.diag(joint), 0.0, None))
    estimate = _Estimate(
        effect=effect, se=se, cumulative=effect * n, cumulative_se=se * n,
        counterfactual_mean=float(means[ok].mean()), expected=means,
        lower=means - spread, upper=means + spread, df=df,
    )
    estimate.fitted = result  # type: ignore[attr-defined]  # reused by the placebo dates
    return estimate


ESTIMATORS = {"yoy": estimate_yoy, "its": estimate_its, "structural": estimate_structural}


# --- the assessment --------------------------------------------------------------------------

def _choose_method(method: str, n_pre: int, has_last_year: bool, seasonal: int | None) -> str | None:
    if method != "auto":
        return method
    needed = MIN_PRE_SEASONAL if seasonal else MIN_PRE_PLAIN
    if n_pre >= needed:
        return "structural"
    if n_pre >= MIN_PRE_PLAIN:
        return "its"
    return "yoy" if has_last_year else None


def _placebo(y: pd.Series, method: str, pre: pd.PeriodIndex, n_post: int, pre_months: int,
             seasonal: int | None, alpha: float, real: _Estimate, smooth: bool) -> tuple[float | None, int]:
    """Empirical rank of |real effect| among the same estimate at fake dates before the event."""
    history = y.loc[: pre[-1]].dropna()
    if history.empty:
        return None, 0
    first = history.index[0]
    needed = MIN_PRE_SEASONAL if (seasonal and method != "yoy") else MIN_PRE_PLAIN
    candidates = []
    fake = first + needed
    while fake + (n_post - 1) <= pre[-1]:
        candidates.append(fake)
        fake += 1
    if len(candidates) > MAX_PLACEBO_DATES:  # evenly spaced subset, newest kept
        picks = np.linspace(0, len(candidates) - 1, MAX_PLACEBO_DATES).round().astype(int)
        candidates = [candidates[i] for i in sorted(set(picks))]
    effects = []
    for fake in candidates:
        fake_pre = pd.period_range(max(first, fake - pre_months), fake - 1, freq="M")
        fake_post = pd.period_range(fake, fake + n_post - 1, freq="M")
        kwargs = {"pre": fake_pre, "seasonal": seasonal, "smooth": smooth}
        if method == "structural":
            kwargs["fitted"] = getattr(real, "fitted", None)
        estimate = ESTIMATORS[method](y, fake_post, alpha, **kwargs)
        if estimate is not None and math.isfinite(estimate.effect):
            effects.append(abs(estimate.effect))
    if len(effects) < 5:
        return None, len(effects)
    exceed = sum(e >= abs(real.effect) for e in effects)
    return (1 + exceed) / (1 + len(effects)), len(effects)


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
    provisional: pd.Index | None = None,
    measurement_changes: tuple[dt.date, ...] | list[dt.date] = (),
    previous_event: dt.date | None = None,
    min_post_months: int | None = None,
    publication_lag_months: int = 1,
    placebo: bool = True,
) -> Assessment:
    """Estimate the change in ``series`` after ``event_date``; see the module docstring.

    ``better`` is the direction the commitment aims at ("down", "up" or "ambiguous").
    ``semantics`` is "monthly", "rolling_12m" (each value sums the 12 months ending there) or
    "annual". ``previous_event``: the pre-period ends there, so this estimate does not absorb the
    earlier event's window. ``as_of`` drops months after that date and dates the "not yet
    verifiable" answer. ``min_post_months`` defaults to 3 (6 for 12-month-ending series).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    y = monthly(series)
    today = as_of or dt.date.today()
    if as_of is not None and not y.empty:
        y = y.loc[: _month(as_of)]
    notes = explain.Notes()
    post_start = post_start_month(event_date)
    event_month = _month(event_date)
    data_through = y.dropna().index.max() if y.notna().any() else None

    if semantics == "annual" or method == "descriptive":
        return _descriptive(y, event_date, post_start, data_through, notes, alpha)

    rolling = semantics == "rolling_12m"
    if rolling:
        seasonal = None  # a 12-month sum has no seasonal pattern left
        notes.add("rolling")
    min_post = min_post_months or (6 if rolling else 3)
    window = post_months or MAX_POST_MONTHS
    if post_months is not None:
        min_post = max(min_post, post_months)

    # Pre-period: months before the event month; it ends at the previous event when there is one
    # with enough history before it.
    pre_end = event_month - 1
    ended_at = None
    if previous_event is not None and _month(previous_event) < event_month:
        candidate_end = _month(previous_event) - 1
        candidate = y.loc[candidate_end - pre_months + 1: candidate_end].dropna()
        if len(candidate) >= (MIN_PRE_SEASONAL if seasonal else MIN_PRE_PLAIN):
            notes.add("previous_event", date=previous_event.isoformat(),
                      gap=(pre_end - candidate_end).n)
            pre_end = candidate_end
            ended_at = previous_event
        else:
            notes.add("previous_event_kept", date=previous_event.isoformat())
    pre = pd.period_range(pre_end - pre_months + 1, pre_end, freq="M")
    n_pre = int(y.reindex(pre).notna().sum())
    post_all = pd.period_range(post_start, post_start + window - 1, freq="M")
    available = [p for p in post_all if p in y.index and pd.notna(y.get(p))]
    n_available = len(available)
    base = Assessment(
        method=method, verdict="", explanation="", explanation_es="", event_date=event_date,
        semantics=semantics, n_pre=n_pre, alpha=alpha,
        pre_start=pre[0].start_time.date(), pre_end=pre[-1].start_time.date(), pre_ends_at_event=ended_at,
        post_start=post_start.start_time.date(),
        data_through=data_through.start_time.date() if data_through else None,
    )

    if n_available < min_post:
        needed = post_start + min_post - 1
        expected_on = (needed + 1 + publication_lag_months - 1).end_time.date()
        base.verdict = "not_yet_verifiable"
        base.checkable_from = needed.start_time.date()
        base.n_post = n_available
        notes.add("lag_overdue" if expected_on <= today else "lag", needed=f"{needed}", expected=f"{expected_on:%Y-%m}")
        return _finish(base, notes)

    post = pd.period_range(post_start, available[-1], freq="M")
    base.post_end = post[-1].start_time.date()
    base.n_post = int(y.reindex(post).notna().sum())
    if provisional is not None:
        flagged = {_month(p) for p in provisional}
        base.provisional_post_months = sum(p in flagged for p in post)
        if base.provisional_post_months:
            notes.add("provisional", n=base.provisional_post_months)

    has_last_year = bool(y.reindex(post - 12).notna().sum() >= 2)
    chosen = _choose_method(method, n_pre, has_last_year, seasonal)
    if chosen is None or (chosen != "yoy" and n_pre < MIN_PRE_PLAIN) or (chosen == "yoy" and not has_last_year):
        base.method = chosen or method
        base.verdict = "insufficient_history"
        notes.add("insufficient", n=n_pre)
        return _finish(base, notes)
    if chosen == "structural" and seasonal and n_pre < MIN_PRE_SEASONAL:
        seasonal = None
        notes.add("no_seasonal")
    base.method = chosen

    estimate = ESTIMATORS[chosen](y, post, alpha, pre=pre, seasonal=seasonal, smooth=rolling)
    if estimate is None and chosen == "structural":
        notes.add("fallback_its")
        chosen = base.method = "its"
        estimate = estimate_its(y, post, alpha, pre=pre, seasonal=seasonal)
    if estimate is None:
        base.verdict = "insufficient_history"
        notes.add("insufficient", n=n_pre)
        return _finish(base, notes)
    low, high, p = _interval(estimate, alpha)
    base.effect, base.ci_low, base.ci_high, base.p_value = estimate.effect, low, high, p
    crit = (high - estimate.effect) / estimate.se if estimate.se > 0 else 0.0
    base.cumulative_effect = estimate.cumulative
    base.cumulative_ci_low = estimate.cumulative - crit * estimate.cumulative_se
    base.cumulative_ci_high = estimate.cumulative + crit * estimate.cumulative_se
    if estimate.counterfactual_mean:
        base.relative_effect = estimate.effect / abs(estimate.counterfactual_mean)
    base.counterfactual = pd.DataFrame({
        "period": post.to_timestamp(),
        "actual": y.reindex(post).to_numpy(),
        "expected": estimate.expected,
        "lower": estimate.lower,
        "upper": estimate.upper,
    })
    if placebo:
        base.placebo_p_value, base.placebo_n = _placebo(y, chosen, pre, len(post), pre_months, seasonal,
                                                        alpha, estimate, rolling)
    if chosen == "yoy":
        notes.add("yoy")

    window_start, window_end = pre[0], post[-1]
    inside = [d for d in measurement_changes if window_start <= _month(d) <= window_end]
    if inside:
        base.verdict = "confounded"
        notes.add("confounded", date=min(inside).isoformat())
    elif low > 0 or high < 0:
        direction = "up" if base.effect > 0 else "down"
        if better in ("up", "down"):
            base.verdict = "improved" if direction == better else "worsened"
        else:
            base.verdict = "changed"
    else:
        base.verdict = "no_detectable_change"
    return _finish(base, notes)


def _descriptive(y: pd.Series, event_date: dt.date, post_start: pd.Period, data_through, notes,
                 alpha: float) -> Assessment:
    before = y.loc[: post_start - 1].dropna()
    after = y.loc[post_start:].dropna()
    result = Assessment(
        method="descriptive", verdict="descriptive_only", explanation="", explanation_es="",
        event_date=event_date, n_pre=len(before), n_post=len(after), alpha=alpha,
        data_through=data_through.start_time.date() if data_through is not None else None,
    )
    if len(before) and len(after):
        result.effect = float(after.mean() - before.iloc[-1])
    notes.add("annual")
    return _finish(result, notes)


def _finish(result: Assessment, notes: explain.Notes) -> Assessment:
    result.notes, result.notes_es = notes.english, notes.spanish
    result.explanation, result.explanation_es = explain.sentence(result)
    return result
