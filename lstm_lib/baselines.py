"""The forecasters a practitioner tries before a recurrent network, with the networks' interface.

Each maps windows ``X`` (N, T, 1) of a univariate series to the next value (N, 1) through
``forward(X)``, as a ``Sequential`` does, so ``one_step_predict`` and ``closed_loop_predict`` take
them unchanged:

* ``Persistence()``:        y_hat_{t+1} = y_t
* ``SeasonalNaive(m)``:     y_hat_{t+1} = y_{t+1-m}   (the value one season of m steps earlier)
* ``LinearAR(p).fit(X, y)``: y_hat_{t+1} = c + phi_1 y_t + ... + phi_p y_{t+1-p}, by least squares
"""
import numpy as np

from .checks import float_array, nonempty, positive_int


def _windows(X, name="X", min_steps=1):
    """``X`` as a float64 (N, T, 1) array with T >= ``min_steps``."""
    X = nonempty(float_array(X, name, np, np.float64), name)
    if X.ndim != 3 or X.shape[2] != 1:
        raise ValueError(f"{name} must have shape (N, T, 1) (windows of a univariate series), "
                         f"got {tuple(X.shape)}")
    if X.shape[1] < min_steps:
        raise ValueError(f"{name} must hold windows of at least {min_steps} steps, got T = {X.shape[1]}")
    return X


class Persistence:
    """Tomorrow equals today: ``forward(X)`` (N, T, 1) -> ``X[:, -1]`` (N, 1)."""

    input_size = output_size = 1

    def forward(self, X):
        return _windows(X)[:, -1].copy()


class SeasonalNaive:
    """The value one season earlier: ``forward(X)`` (N, T, 1) -> ``X[:, -period]`` (N, 1), T >= period."""

    input_size = output_size = 1

    def __init__(self, period):
        self.period = positive_int(period, "period")

    def forward(self, X):
        return _windows(X, min_steps=self.period)[:, -self.period].copy()


class LinearAR:
    """Linear autoregression of order ``p`` with intercept, fitted by ordinary least squares.

    y_hat_{t+1} = c + sum_{k=1..p} phi_k y_{t+1-k}. After ``fit``: ``intercept`` c (float) and ``phi``
    (p,), ``phi[0]`` the weight of the newest value y_t.
    """

    input_size = output_size = 1

    def __init__(self, p):
        self.p = positive_int(p, "p")
        self.intercept = self.phi = None

    def _design(self, X):
        """[1, y_t, y_{t-1}, ..., y_{t+1-p}] per window -> (N, p + 1)."""
        lags = _windows(X, min_steps=self.p)[:, ::-1][:, :self.p, 0]
        return np.hstack([np.ones((len(lags), 1)), lags])

    def fit(self, X, y):
        """Least squares on windows ``X`` (N, T, 1), T >= p, and next values ``y`` (N, 1) -> self."""
        A = self._design(X)
        y = float_array(y, "y", np, np.float64)
        if y.shape != (len(A), 1):
            raise ValueError(f"y must have shape ({len(A)}, 1) (one next value per window), got {tuple(y.shape)}")
        if len(A) < self.p + 1:
            raise ValueError(f"X must hold at least p + 1 = {self.p + 1} windows to fit AR({self.p}), "
                             f"got {len(A)}")
        coef = np.linalg.lstsq(A, y[:, 0], rcond=None)[0]
        self.intercept, self.phi = float(coef[0]), coef[1:]
        return self

    def forward(self, X):
        """Windows (N, T, 1), T >= p -> predictions (N, 1)."""
        if self.phi is None:
            raise ValueError("LinearAR must be fitted (call fit(X, y)) before forward")
        return (self._design(X) @ np.concatenate([[self.intercept], self.phi]))[:, None]

