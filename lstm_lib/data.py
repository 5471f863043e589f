"""Time-series data helpers: the sine curve, the memory task, sliding windows, the split, prediction."""
import numpy as np

from .backend import to_numpy
from .checks import float_array, nonempty, positive_int, predictor, real


def sine_data(n=50, start=-10.0, stop=10.0):
    """The tutorial's series: ``x = linspace(start, stop, n)``, ``y = sin(x)`` -> (x, y), each (n,)."""
    x = np.linspace(real(start, "start"), real(stop, "stop"), positive_int(n, "n"))
    return x, np.sin(x)


def memory_task(lag, n, rng):
    """The memory task of chapter 2: a bit b in {-1, +1} at t = 1, then ``lag - 1`` steps of N(0, 1) noise.

    Returns ``X`` (n, lag, 1) and the target ``y`` (n, 1) = b, which only memory over ``lag`` steps can
    recover. ``rng`` is a ``numpy.random.Generator`` (bits first, then the noise are drawn from it).
    """
    lag, n = positive_int(lag, "lag"), positive_int(n, "n")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    bits = rng.choice([-1.0, 1.0], size=n)
    X = rng.normal(size=(n, lag, 1))
    X[:, 0, 0] = bits
    return X, bits[:, None]


def create_dataset(ts, look_back):
    """Sliding windows of a series ``ts`` (N,) or (N, D) and the value after each window.

    Returns ``X`` (N - look_back, look_back, D) with ``X[k] = ts[k : k + look_back]`` and
    ``y`` (N - look_back, D) with ``y[k] = ts[k + look_back]`` (a 1-D series has D = 1).
    """
    ts = float_array(ts, "ts", np)
    if ts.ndim == 1:
        ts = ts[:, None]
    if ts.ndim != 2:
        raise ValueError(f"ts must have shape (N,) or (N, D), got {tuple(ts.shape)}")
    look_back = positive_int(look_back, "look_back")
    if look_back >= len(ts):
        raise ValueError(f"look_back must be smaller than the series length {len(ts)}, got {look_back}")
    n = len(ts) - look_back
    X = np.stack([ts[k:k + look_back] for k in range(n)])
    return X, ts[look_back:].copy()


def split_data(X, y, train_ratio=0.5):
    """First ``int(len(y) * train_ratio)`` samples for training, the rest for testing, in order.

    Returns ``X_train, y_train, X_test, y_test``.
    """
    real(train_ratio, "train_ratio", 0, 1)
    if len(X) != len(y):
        raise ValueError(f"X and y must hold the same number of samples, got {len(X)} and {len(y)}")
    n = int(len(y) * train_ratio)
    if n == 0 or n == len(y):
        raise ValueError(f"train_ratio={train_ratio} leaves an empty split of {len(y)} samples")
    return X[:n], y[:n], X[n:], y[n:]


def one_step_predict(model, X):
    """Predict the next value after each window of ``X`` (N, T, D) from true inputs -> (N, O) numpy."""
    return to_numpy(model.forward(X))


def closed_loop_predict(model, window, n_steps):
    """Generate ``n_steps`` values, feeding each prediction back as the newest input.

    ``window`` (look_back,) or (look_back, D) seeds the loop; returns (n_steps, D) numpy. Only the
    first prediction sees true data: later ones build on the model's own output.
    """
    predictor(model)
    w = nonempty(float_array(window, "window", np), "window")
    if w.ndim == 1:
        w = w[:, None]
    if w.ndim != 2:
        raise ValueError(f"window must have shape (look_back,) or (look_back, D), got {tuple(w.shape)}")
    size = getattr(model, "input_size", None)
    if size is not None and w.shape[1] != size:
        raise ValueError(f"window must have shape (look_back, {size}) for a model with input size {size}, "
                         f"got {tuple(np.shape(window))}")
    out = np.empty((positive_int(n_steps, "n_steps"), w.shape[1]))
    for k in range(len(out)):
        pred = to_numpy(model.forward(w[None]))
        if pred.shape != (1, w.shape[1]):
            raise ValueError(f"model must map (1, T, {w.shape[1]}) to (1, {w.shape[1]}) for closed-loop "
                             f"prediction, got output shape {pred.shape}")
        out[k] = pred[0]
        w = np.concatenate([w[1:], pred])
    return out


def horizon_forecasts(model, series, targets, horizons, look_back):
    """Closed-loop forecasts of each target value made each horizon ahead: ``F`` (K, M) numpy.

    ``F[k, m]`` forecasts ``series[targets[k]]`` from the ``look_back`` true values ending
    ``horizons[m]`` steps before it, at ``targets[k] - horizons[m]``, feeding the model's own predictions
    back for the steps in between (``closed_loop_predict``). Horizon 1 is the one-step forecast. Every
    horizon scores the same targets. series (N,); targets (K,) and horizons (M,) integer arrays, h >= 1.
    """
    series = float_array(series, "series", np)
    if series.ndim != 1:
        raise ValueError(f"series must have shape (N,), got {tuple(series.shape)}")
    look_back = positive_int(look_back, "look_back")
    targets, horizons = np.asarray(targets), np.asarray(horizons)
    for name, a in (("targets", targets), ("horizons", horizons)):
        if a.ndim != 1 or len(a) == 0 or a.dtype.kind not in "iu":
            raise ValueError(f"{name} must be a non-empty 1-D array of integers, got {a!r}")
    if horizons.min() < 1:
        raise ValueError(f"horizons must be >= 1, got {horizons.min()}")
    if targets.max() >= len(series) or targets.min() - horizons.max() - look_back + 1 < 0:
        raise ValueError(f"targets must lie in {look_back + horizons.max() - 1}..{len(series) - 1} (a full "
                         f"window before the longest horizon), got {targets.min()}..{targets.max()}")
    paths = {}   # origin (the last true value) -> forecasts 1..max(horizons) steps after it
    F = np.empty((len(targets), len(horizons)))
    for k, j in enumerate(targets):
        for m, h in enumerate(horizons):
            o = int(j - h)
            if o not in paths:
                paths[o] = closed_loop_predict(model, series[o - look_back + 1:o + 1], int(horizons.max()))[:, 0]
            F[k, m] = paths[o][h - 1]
    return F
