"""Finite-difference gradient checks (central differences, float64).

``rel_error(a, n) = ||a - n|| / (||a|| + ||n||)`` (0 when both vanish), a norm-wise relative error
that stays meaningful when individual entries are tiny.
"""
import numpy as np

from .backend import to_numpy
from .checks import real, trainable
from .initializers import make_rng


def rel_error(a, n):
    """Norm-wise relative error between two arrays of the same shape."""
    a, n = to_numpy(a).astype(np.float64), to_numpy(n).astype(np.float64)
    den = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if den == 0 else float(np.linalg.norm(a - n) / den)


def numerical_gradient(f, array, h=1e-6):
    """d f() / d array by central differences, perturbing ``array`` in place (restored afterwards)."""
    h = real(h, "h", 0)
    if array.dtype != np.float64:
        raise TypeError(f"gradient checks need float64 arrays, got {array.dtype}")
    if not array.flags.c_contiguous:
        raise ValueError("array must be C-contiguous so that it can be perturbed in place")
    flat = array.reshape(-1)
    grad = np.empty(flat.shape)
    for k in range(flat.size):
        old = float(flat[k])
        flat[k] = old + h
        up = f()
        flat[k] = old - h
        down = f()
        flat[k] = old
        grad[k] = (up - down) / (2 * h)
    return grad.reshape(array.shape)


def gradcheck(f, arrays, analytic, h=1e-6):
    """Compare ``analytic[name]`` with the numerical gradient of scalar ``f()`` w.r.t. ``arrays[name]``.

    ``f`` must read the arrays each call (they are perturbed in place). Returns name -> rel_error.
    """
    return {name: rel_error(analytic[name], numerical_gradient(f, a, h)) for name, a in arrays.items()}


def gradcheck_layer(layer, x, *states, seed=0, h=1e-6):
    """Check every parameter, the input and the initial states of ``layer`` (or a Sequential).

    Loss L = sum(layer.forward(x, *states) * r) with a fixed random r. Returns name -> rel_error,
    names being the parameter names, ``"x"`` and the layer's state names (``"h0"``, ``"c0"``).
    """
    xp = trainable(layer, "layer").xp
    x = xp.array(x, dtype=np.float64)
    states = tuple(xp.array(s, dtype=np.float64) for s in states)
    out = layer.forward(x, *states)
    r = xp.asarray(make_rng(seed).standard_normal(out.shape))
    dx = layer.backward(r)
    analytic = {name: g.copy() for name, g in layer.grads.items()}
    analytic["x"] = dx
    arrays = dict(layer.params, x=x)
    names = getattr(layer, "state_names", ())
    for name, s, d in zip(names, states, getattr(layer, "dstate0", ())):
        analytic[name], arrays[name] = d, s

    def loss():
        return float((layer.forward(x, *states) * r).sum())

    return gradcheck(loss, arrays, analytic, h)
