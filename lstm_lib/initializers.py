"""Parameter initialisation.

By default (``init="glorot_uniform"``) weights are Glorot (Xavier) uniform, ``U(-r, r)`` with
``r = sqrt(6 / (fan_in + fan_out))``, drawn per named block (so each LSTM gate's ``W_*`` (H, D) and
``R_*`` (H, H) gets its own fan-in/fan-out). ``init="renom"`` is the tutorial's framework instead:
Glorot normal, ``N(0, 2 / (fan_in + fan_out))``, over the weight matrix as ReNom stores it, i.e. the
fused (D, 4H) and (H, 4H) matrices of an LSTM (a standard deviation about 1.6 to 1.7 times smaller
than the default's, for H = 2 and D = 1).
Biases start at zero, except the LSTM forget-gate bias ``b_for`` (``forget_bias``, default 1.0), which
keeps the cell open early in training (Jozefowicz et al. 2015). Values are drawn on the host with
numpy, so a seed gives bitwise the same parameters on numpy and cupy.
"""
import numbers

import numpy as np


def make_rng(seed):
    """A ``numpy.random.Generator`` from ``None``, an int seed >= 0, or an existing Generator (returned as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed}")
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be None, an int or a numpy.random.Generator, got {type(seed).__name__}")


INITS = ("glorot_uniform", "renom")


def glorot_normal(rng, shape, fans):
    """Array of ``shape`` drawn from N(0, std^2), std = sqrt(2 / (fan_in + fan_out)), ``fans`` = (fan_in, fan_out)."""
    return rng.normal(0.0, np.sqrt(2.0 / sum(fans)), size=shape)


def glorot_uniform(rng, shape):
    """Array of ``shape`` (fan_out, fan_in) drawn from U(-r, r), r = sqrt(6 / (fan_in + fan_out))."""
    fan_out, fan_in = shape
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=shape)
