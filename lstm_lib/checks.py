"""Input validation shared by every public entry point.

Each check raises ``TypeError`` or ``ValueError`` whose message names the argument, what was expected
and what was given; nothing is silently broadcast, truncated or cast from non-numeric data.
"""
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


def shape(x, name, expected):
    """Require ``x.shape == expected``; ``None`` in ``expected`` matches any size."""
    ok = x.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, x.shape))
    if not ok:
        want = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name} must have shape {want}, got {tuple(x.shape)}")
    return x
