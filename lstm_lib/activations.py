"""Elementwise activations and their derivatives, the derivative expressed through the output.

``ACTIVATIONS[name] = (f, df)`` with ``y = f(a)`` and ``df(y) = f'(a)``:

    tanh      f'(a) = 1 - y**2
    sigmoid   f'(a) = y * (1 - y)        sigmoid(a) = 0.5 * tanh(0.5 a) + 0.5  (never overflows)
    relu      f'(a) = 1[y > 0]
    identity  f'(a) = 1

numpy ufuncs dispatch to cupy for cupy arrays, so these serve both backends. Every function is
defined at module level, so layers holding them pickle.
"""
import numpy as np


def sigmoid(a):
    """Logistic function computed as 0.5*tanh(0.5*a) + 0.5: no overflow for any finite a."""
    return 0.5 * np.tanh(0.5 * a) + 0.5


def relu(a):
    return np.maximum(a, 0)


def identity(a):
    return a


def tanh_derivative(y):
    return 1.0 - y * y


def sigmoid_derivative(y):
    return y * (1.0 - y)


def relu_derivative(y):
    return (y > 0).astype(y.dtype)


ACTIVATIONS = {
    "tanh": (np.tanh, tanh_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "relu": (relu, relu_derivative),
    "identity": (identity, np.ones_like),
}
