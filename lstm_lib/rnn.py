"""Elman recurrent layer with explicit backpropagation through time.

Forward, for t = 1..T (batch-major input x (B, T, D), hidden size H;
``lstm_lib.equations.rnn_step_forward`` is the same, one equation per line):

    a_t = W_xh x_t + b_xh + W_hh z_{t-1} + b_hh          (B, H)
    z_t = f(a_t)                                          (B, H)

Backward, with dz_t = dL/dz_t (total: the direct gradient dout_t plus what flows back from step t+1)
and da_t = dL/da_t:

    dz_t   = dout_t + W_hh^T da_{t+1}          da_t = f'(a_t) * dz_t
    dW_xh  = sum_t da_t x_t^T                  db_xh = db_hh = sum_t da_t
    dW_hh  = sum_t da_t z_{t-1}^T              dx_t  = W_xh^T da_t

where f'(a_t) is computed from the output z_t (e.g. 1 - z_t**2 for tanh).
"""
import numpy as np

from .activations import ACTIVATIONS
from .checks import choice, positive_int
from .initializers import glorot_uniform, make_rng
from .layer import Layer


class RNN(Layer):
    """``RNN(input_size D, hidden_size H, activation="tanh")``: (B, T, D) -> (B, T, H).

    Parameters: ``W_xh`` (H, D), ``b_xh`` (H,), ``W_hh`` (H, H), ``b_hh`` (H,).
    After ``backward``: ``grads`` (same names), ``dh0`` (B, H) and ``delta`` (B, T, H) = dz_t = dL/dz_t.
    """

    state_names = ("h0",)

    def __init__(self, input_size, hidden_size, activation="tanh", *, seed=None, dtype=np.float64):
        self.input_size = positive_int(input_size, "input_size")
        self.hidden_size = self.output_size = positive_int(hidden_size, "hidden_size")
        self.activation = choice(activation, "activation", ACTIVATIONS)
        self._f, self._df = ACTIVATIONS[activation]
        rng = make_rng(seed)
        D, H = self.input_size, self.hidden_size
        super().__init__([
            ("W_xh", (H, D), glorot_uniform(rng, (H, D))),
            ("b_xh", (H,), np.zeros(H)),
            ("W_hh", (H, H), glorot_uniform(rng, (H, H))),
            ("b_hh", (H,), np.zeros(H)),
        ], dtype)

    def forward(self, x, h0=None, *, validate=True):
        """x (B, T, D), h0 (B, H) or None (zeros) -> z (B, T, H)."""
        return super().forward(x, h0, validate=validate)

    def backward(self, dout, dh_T=None, *, validate=True):
        """dout = dL/dz (B, T, H) [+ dL/dz_T from beyond the sequence] -> dL/dx (B, T, D)."""
        return super().backward(dout, dh_T, validate=validate)

    @property
    def final_state(self):
        """z_T (B, H) of the last run (a copy)."""
        return self._state[0].copy() if self._state else None

    @property
    def dh0(self):
        return self._dstate(0)

    def _forward(self, x, state):
        xp, p = self.xp, self.params
        B, T, _ = x.shape
        x_tm = xp.ascontiguousarray(x.transpose(1, 0, 2))               # (T, B, D)
        a_x = x_tm @ p["W_xh"].T + (p["b_xh"] + p["b_hh"])               # (T, B, H)
        zs = xp.empty((T + 1, B, self.hidden_size), dtype=self.dtype)   # zs[t] = z_t, zs[0] = z_0
        zs[0] = state[0]
        W_hh_transposed = p["W_hh"].T
        for t in range(T):
            zs[t + 1] = self._f(a_x[t] + zs[t] @ W_hh_transposed)
        y = xp.ascontiguousarray(zs[1:].transpose(1, 0, 2))
        return y, {"x": x_tm, "zs": zs, "out_shape": y.shape}, (zs[T],)

    def _merge(self, caches):
        xp = self.xp
        return {"x": xp.concatenate([c["x"] for c in caches]),
                "zs": xp.concatenate([caches[0]["zs"][:1]] + [c["zs"][1:] for c in caches]),
                "out_shape": (caches[0]["out_shape"][0], sum(c["out_shape"][1] for c in caches),
                              self.hidden_size)}

    def _backward(self, dout, cache, dfinal):
        xp, p, g = self.xp, self.params, self.grads
        x_tm, zs = cache["x"], cache["zs"]
        T, B, D = x_tm.shape
        H = self.hidden_size
        dout_tm = dout.transpose(1, 0, 2)
        da = xp.empty((T, B, H), dtype=self.dtype)      # da_t = f'(a_t) * dz_t
        delta = xp.empty((T, B, H), dtype=self.dtype)
        d_next = dfinal[0]                               # W_hh^T da_{t+1}; dh_T at T
        W_hh = p["W_hh"]
        for t in range(T - 1, -1, -1):
            delta[t] = dout_tm[t] + d_next
            da[t] = delta[t] * self._df(zs[t + 1])
            d_next = da[t] @ W_hh
        da2 = da.reshape(T * B, H)
        g["W_xh"][...] = da2.T @ x_tm.reshape(T * B, D)
        g["W_hh"][...] = da2.T @ zs[:-1].reshape(T * B, H)
        g["b_xh"][...] = da2.sum(axis=0)
        g["b_hh"][...] = g["b_xh"]
        self.delta = delta.transpose(1, 0, 2)
        dx = xp.ascontiguousarray((da @ p["W_xh"]).transpose(1, 0, 2))
        return dx, (d_next,)
