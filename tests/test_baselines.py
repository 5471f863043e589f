"""The baseline forecasters: exact on the series they describe, and usable wherever a model is."""
import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib.baselines import LinearAR, Persistence, SeasonalNaive


def ar2_series(n, c, phi, seed=0):
    """y_t = c + phi[0] y_{t-1} + phi[1] y_{t-2} + e_t, e_t ~ N(0, 1), from y_0 = y_1 = 0."""
    e = np.random.default_rng(seed).normal(size=n)
    y = np.zeros(n)
    for t in range(2, n):
        y[t] = c + phi[0] * y[t - 1] + phi[1] * y[t - 2] + e[t]
    return y


def test_persistence_and_seasonal_naive():
    X = np.arange(24.0).reshape(2, 12, 1)
    np.testing.assert_array_equal(Persistence().forward(X), [[11.0], [23.0]])
    np.testing.assert_array_equal(SeasonalNaive(11).forward(X), [[1.0], [13.0]])
    np.testing.assert_array_equal(SeasonalNaive(1).forward(X), Persistence().forward(X))


def test_linear_ar_recovers_a_noise_free_recursion():
    # a damped oscillation (complex roots): the sunspot cycle's linear caricature (Yule 1927)
    y = np.zeros(60)
    y[:2] = 1.0, 2.0
    for t in range(2, 60):
        y[t] = 0.5 + 1.6 * y[t - 1] - 0.9 * y[t - 2]
    X, target = ll.create_dataset(y, 5)
    ar = LinearAR(2).fit(X, target)
    np.testing.assert_allclose([ar.intercept, *ar.phi], [0.5, 1.6, -0.9], atol=1e-9)
    np.testing.assert_allclose(ar.forward(X), target, atol=1e-9)


def test_linear_ar_estimates_a_noisy_ar2():
    y = ar2_series(5000, 1.0, (0.6, -0.3))
    X, target = ll.create_dataset(y, 3)
    ar = LinearAR(3).fit(X, target)
    np.testing.assert_allclose(ar.phi, [0.6, -0.3, 0.0], atol=0.05)
    # the least-squares solution: the residual is orthogonal to every column of the design matrix
    A = np.column_stack([np.ones(len(X)), X[:, ::-1, 0]])
    resid = target[:, 0] - ar.forward(X)[:, 0]
    np.testing.assert_allclose(A.T @ resid, 0.0, atol=1e-8 * len(X))


def test_closed_loop_runs_the_ar_recursion():
    y = np.sin(np.linspace(0, 12, 80)) + 0.1 * np.random.default_rng(3).normal(size=80)
    X, target = ll.create_dataset(y, 6)
    ar = LinearAR(3).fit(X, target)
    out = ll.closed_loop_predict(ar, y[:6], 5)[:, 0]
    w = list(y[:6])
    for k in range(5):
        w.append(ar.intercept + ar.phi @ np.array(w[::-1][:3]))
        assert out[k] == pytest.approx(w[-1], rel=1e-12)


def test_baselines_reject_bad_input(msg):
    with pytest.raises(ValueError, match=msg("X", "(N, T, 1)", "(4, 3)")):
        Persistence().forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=msg("X", "at least 11 steps", "T = 5")):
        SeasonalNaive(11).forward(np.zeros((2, 5, 1)))
    with pytest.raises(ValueError, match=msg(None, "fitted")):
        LinearAR(2).forward(np.zeros((2, 5, 1)))
    with pytest.raises(ValueError, match=msg("y", "(3, 1)", "(3,)")):
        LinearAR(2).fit(np.zeros((3, 5, 1)), np.zeros(3))
    with pytest.raises(ValueError, match=msg("X", "p + 1 = 3", "got 2")):
        LinearAR(2).fit(np.zeros((2, 5, 1)), np.zeros((2, 1)))
    with pytest.raises(TypeError, match=msg("p", "integer")):
        LinearAR(2.0)
    with pytest.raises(ValueError, match=msg("X", "NaN")):
        Persistence().forward(np.full((1, 2, 1), np.nan))
    with pytest.raises(ValueError, match=msg("X", "empty")):
        Persistence().forward(np.zeros((0, 2, 1)))
