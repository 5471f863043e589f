"""Input validation shared by every public entry point.

Each check raises ``TypeError`` or ``ValueError`` whose message names the argument, what was expected
and what was given; nothing is silently broadcast, truncated or cast from non-numeric data. Numbers
may be Python or numpy scalars; ``bool`` is never taken for a number.
"""
import math
import numbers

import numpy as np

from .backend import get_array_module


class NonFiniteError(ValueError):
    """An array that must be finite holds NaN or infinite values."""


def positive_int(value, name):
    """``value`` as an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r} of type {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def real(value, name, low=-math.inf, high=math.inf, *, include_low=False):
    """``value`` as a finite float with ``low < value < high`` (``low <= value`` with ``include_low``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    v = float(value)
    if not (math.isfinite(v) and (low <= v if include_low else low < v) and v < high):
        if high < math.inf:
            where = f" in {'[' if include_low else '('}{low:g}, {high:g})"
        elif low > -math.inf:
            where = f" {'>=' if include_low else '>'} {low:g}"
        else:
            where = ""
        raise ValueError(f"{name} must be a finite number{where}, got {value!r}")
    return v


def choice(value, name, options):
    """``value`` if it is one of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        error = ValueError if isinstance(value, str) else TypeError
        raise error(f"{name} must be one of {sorted(options)}, got {value!r}")
    return value


def float_dtype(dtype, name="dtype"):
    """``dtype`` as a numpy floating dtype (float16, float32, float64)."""
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    if dt is None or dt.kind != "f":
        raise TypeError(f"{name} must be a floating dtype such as numpy.float32 or numpy.float64, "
                        f"got {dtype!r}")
    return dt


def trainable(model, name="model"):
    """``model`` if it is a layer or a ``Sequential`` (forward, backward, params, grads, theta, dtheta)."""
    missing = [a for a in ("forward", "backward", "params", "grads", "theta", "dtheta") if not hasattr(model, a)]
    if missing:
        raise TypeError(f"{name} must be a layer or a Sequential, got {type(model).__name__} "
                        f"(it has no {', '.join(missing)})")
    return model


def predictor(model, name="model"):
    """``model`` if it has a callable ``forward`` (a layer, a ``Sequential``, a baseline forecaster)."""
    if not callable(getattr(model, "forward", None)):
        raise TypeError(f"{name} must have a forward(X) method (a layer, a Sequential or a forecaster of "
                        f"lstm_lib.baselines), got {type(model).__name__}")
    return model


def float_array(x, name, xp=None, dtype=None):
    """``x`` as a finite floating array of module ``xp`` (default: x's own) and ``dtype``.

    Raises TypeError for non-numeric data and NonFiniteError (a ValueError) for NaN or infinite entries.
    """
    if xp is None:
        xp = get_array_module(x)
    if not hasattr(x, "dtype"):
        try:
            x = np.asarray(x)
        except (ValueError, TypeError) as err:
            raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}: {err}") from None
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array, got dtype {x.dtype}")
    x = xp.asarray(x, dtype=dtype if dtype is not None else (x.dtype if x.dtype.kind == "f" else np.float64))
    if not bool(xp.isfinite(x).all()):
        raise NonFiniteError(f"{name} contains NaN or infinite values")
    return x


def nonempty(x, name):
    """Require at least one element in ``x``."""
    if x.size == 0:
        raise ValueError(f"{name} is empty: got shape {tuple(x.shape)}, every axis must have length >= 1")
    return x


def shape(x, name, expected):
    """Require ``x.shape == expected`` and ``x`` non-empty; ``None`` in ``expected`` matches any size."""
    ok = x.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, x.shape))
    if not ok:
        want = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name} must have shape {want}, got {tuple(x.shape)}")
    return nonempty(x, name)
