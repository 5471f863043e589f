"""Fully connected layer ``y = W z + b`` applied to (B, D) or, per time step, to (B, T, D).

Backward: ``dW = sum dout^T z``, ``db = sum dout``, ``dz = dout W`` (sums over batch and time).
"""
import numpy as np

from .checks import choice, float_array, positive_int, shape
from .initializers import INITS, glorot_normal, glorot_uniform, make_rng
from .layer import Layer


class Dense(Layer):
    """``Dense(input_size D, output_size O)``: (B, D) -> (B, O) or (B, T, D) -> (B, T, O).

    Parameters ``W`` (O, D) and ``b`` (O,); in the book, W_hy and b_hy of the output layer.
    ``init``: "glorot_uniform" or "renom" (Glorot normal, as the tutorial's framework).
    """

    ndims = {2: 2, 3: 3}

    def __init__(self, input_size, output_size, *, init="glorot_uniform", seed=None, dtype=np.float64):
        self.input_size = positive_int(input_size, "input_size")
        self.output_size = positive_int(output_size, "output_size")
        rng = make_rng(seed)
        O, D = self.output_size, self.input_size
        if choice(init, "init", INITS) == "renom":
            W = glorot_normal(rng, (O, D), fans=(D, O))
        else:
            W = glorot_uniform(rng, (O, D))
        super().__init__([("W", (O, D), W), ("b", (O,), np.zeros(O))], dtype)

    def check_input(self, x, name="x"):
        x = float_array(x, name, self.xp, self.dtype)
        if x.ndim not in (2, 3):
            raise ValueError(f"{name} must have shape (B, {self.input_size}) or (B, T, {self.input_size}),"
                             f" got {tuple(x.shape)}")
        return shape(x, name, (None,) * (x.ndim - 1) + (self.input_size,))

    def forward(self, x, *, validate=True):
        """x (B, D) or (B, T, D) -> W x + b with shape (B, O) or (B, T, O)."""
        return super().forward(x, validate=validate)

    def _forward(self, x, state):
        y = x @ self._p["W"].T
        self.xp.add(y, self._p["b"], y)
        return y, {"x": x, "out_shape": y.shape}, ()

    def _merge(self, caches):
        x = self.xp.concatenate([c["x"] for c in caches], axis=1)
        return {"x": x, "out_shape": x.shape[:2] + (self.output_size,)}

    def _backward(self, dout, cache, dfinal):
        x = cache["x"]
        d2, x2 = dout.reshape(-1, self.output_size), x.reshape(-1, self.input_size)
        self.xp.matmul(d2.T, x2, out=self._g["W"])
        d2.sum(axis=0, out=self._g["b"])
        return dout @ self._p["W"], ()


class LastStep(Layer):
    """Many-to-one adapter: (B, T, H) -> (B, H), the last time step; backward puts dout on step T.

    ``size`` H may be None: in a ``Sequential`` it is then taken from the neighbouring layers.
    """

    ndims = {3: 2}

    def __init__(self, size=None, dtype=np.float64):
        self.input_size = self.output_size = None if size is None else positive_int(size, "size")
        super().__init__([], dtype)

    def check_input(self, x, name="x"):
        x = float_array(x, name, self.xp, self.dtype)
        return shape(x, name, (None, None, self.input_size))

    def step(self, x_t):
        raise TypeError("LastStep has no step-by-step mode: a stepwise model's output already is the "
                        "last step")

    def _forward(self, x, state):
        return self.xp.ascontiguousarray(x[:, -1]), {"in_shape": x.shape, "out_shape": (x.shape[0], x.shape[2])}, ()

    def _backward(self, dout, cache, dfinal):
        dx = self.xp.zeros(cache["in_shape"], dtype=self.dtype)
        dx[:, -1] = dout
        return dx, ()
