"""Elementwise activations and their derivatives, the derivative expressed through the output.

``ACTIVATIONS[name] = (f, df)`` with ``y = f(a)`` and ``df(y) = f'(a)``:

    tanh      f'(a) = 1 - y**2
    sigmoid   f'(a) = y * (1 - y)        sigmoid(a) = 0.5 * tanh(0.5 a) + 0.5  (never overflows)
    relu      f'(a) = 1[y > 0]
    identity  f'(a) = 1

numpy ufuncs dispatch to cupy for cupy arrays, so these serve both backends.
"""
import numpy as np


def sigmoid(a):
    """Logistic function computed as 0.5*tanh(0.5*a) + 0.5: no overflow for any finite a."""
    return 0.5 * np.tanh(0.5 * a) + 0.5


def relu(a):
    return np.maximum(a, 0)


def identity(a):
    return a


ACTIVATIONS = {
    "tanh": (np.tanh, lambda y: 1.0 - y * y),
    "sigmoid": (sigmoid, lambda y: y * (1.0 - y)),
    "relu": (relu, lambda y: (y > 0).astype(y.dtype)),
    "identity": (identity, np.ones_like),
}
