"""The information limits in bench/limits.py are what they claim: the oracle's standard error
is the spread of its estimates, and the least favourable bend is the one closest to the step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bench.limits import _regressors, discrimination, oracle_effect
from bench.simulation import Design, simulate


def test_the_oracle_standard_error_is_the_spread_of_its_estimates():
    design = Design()
    estimates, errors = zip(*(oracle_effect(simulate(seed, design).to_numpy(), design) for seed in range(400)), strict=True)
    assert abs(np.mean(estimates)) < 3 * errors[0] / np.sqrt(len(estimates))
    assert 0.88 < np.std(estimates) / errors[0] < 1.12


def test_the_oracle_sees_a_planted_step():
    design = replace(Design(), effect=-2.0)
    estimates = [oracle_effect(simulate(seed, design).to_numpy(), design)[0] for seed in range(200)]
    assert abs(np.mean(estimates) - design.effect * design.sigma) < 1.0


def test_the_least_favourable_bend_is_the_closest_one():
    design = replace(Design(), effect=-2.0)
    distance, slope = discrimination(design, 6)
    for other in (slope - 0.05, slope + 0.05, -0.25):
        assert discrimination(design, 6, slope=other)[0] > distance
    assert distance > 0.5  # a bend is never exactly a step


def test_the_oracle_regressors_have_full_rank():
    X = _regressors(np.arange(49, dtype=float))
    assert np.linalg.matrix_rank(X) == X.shape[1]
