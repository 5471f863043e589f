"""GRU layer (gated recurrent unit: reset and update gates, no separate cell) with explicit BPTT.

Forward, for t = 1..T, in the notation of the book (x (B, T, D), hidden size H, sigma = sigmoid):

    r_t = sigma(W_r x_t + R_r z_{t-1} + b_r)                     (reset gate)
    u_t = sigma(W_u x_t + R_u z_{t-1} + b_u)                     (update gate)
    n_t = tanh(W_n x_t + b_n + r_t * (R_n z_{t-1} + b_Rn))       (candidate; reset_after=True)
    n_t = tanh(W_n x_t + R_n (r_t * z_{t-1}) + b_n)              (candidate; reset_after=False)
    z_t = (1 - u_t) * n_t + u_t * z_{t-1}

``reset_after=True`` is the form of PyTorch's ``nn.GRU`` and cuDNN: the reset gate multiplies the
recurrent term after the matrix product, so ``b_Rn`` sits inside the product. ``reset_after=False``
is the original form of Cho et al. (2014); there a bias beside R_n would merge with b_n, so that layer
has no ``b_Rn`` (9 parameter arrays instead of 10).

The same equations, fused: ``W`` (3H, D), ``R`` (3H, H), ``b`` (3H,) stack the blocks in the order r,
u, n (``BLOCKS``, the order of torch's stacked r, z, n); ``params["W_u"]`` etc. are live views.
Backward, with dz_t = dL/dz_t total (through every later step) and s_t the input of R_n
(s_t = z_{t-1} reset-after, r_t * z_{t-1} reset-before):

    dz_t   = dout_t + dL/dz_t through step t+1
    da^n_t = dz_t * (1 - u_t) * (1 - n_t^2)
    da^u_t = dz_t * (z_{t-1} - n_t) * u_t (1 - u_t)
    e_t    = dL/d(R_n s_t) = r_t * da^n_t (reset-after) or da^n_t (reset-before)
    da^r_t = (R_n z_{t-1} + b_Rn) * da^n_t * r_t (1 - r_t)          (reset-after)
           = z_{t-1} * (R_n^T da^n_t) * r_t (1 - r_t)                (reset-before)
    dz_{t-1} gets u_t * dz_t + R_r^T da^r_t + R_u^T da^u_t + (R_n^T e_t   or   r_t * R_n^T da^n_t)
    dW_k = sum_t da^k_t x_t^T,  db_k = sum_t da^k_t,  dR_r, dR_u = sum_t da^{r,u}_t z_{t-1}^T,
    dR_n = sum_t e_t s_t^T,  db_Rn = sum_t e_t,  dx_t = sum_k W_k^T da^k_t
"""
import numpy as np

from .activations import sigmoid
from .checks import positive_int, real
from .initializers import glorot_uniform, make_rng
from .layer import Layer

#: The suffixes of the weight names, in the order the fused ``W``, ``R``, ``b`` stack them: reset gate,
#: update gate, candidate (torch's r, z, n with its z renamed u).
BLOCKS = ("r", "u", "n")


class GRU(Layer):
    """``GRU(input_size D, hidden_size H, reset_after=True, update_bias=0.0)``: (B, T, D) -> (B, T, H).

    Parameters ``W_r, W_u, W_n`` (H, D), ``R_r, R_u, R_n`` (H, H), ``b_r, b_u, b_n`` (H,) and, with
    ``reset_after=True`` only, ``b_Rn`` (H,). Weights Glorot-uniform per block; biases zero except
    ``b_u = update_bias``: at 0 (PyTorch draws its biases near 0) u_t is near 1/2 and a step keeps about
    half of the state; ``update_bias=1`` starts the GRU as the LSTM's ``forget_bias=1`` starts its cell. After
    ``backward``: ``grads``, ``dh0`` (B, H) and ``delta`` = dL/dz_t (B, T, H).
    """

    state_names = ("h0",)

    def __init__(self, input_size, hidden_size, *, reset_after=True, update_bias=0.0, seed=None,
                 dtype=np.float64):
        self.input_size = positive_int(input_size, "input_size")
        self.hidden_size = self.output_size = positive_int(hidden_size, "hidden_size")
        if not isinstance(reset_after, bool):
            raise TypeError(f"reset_after must be True or False, got {reset_after!r}")
        self.reset_after = reset_after
        rng = make_rng(seed)
        D, H = self.input_size, self.hidden_size
        W = np.concatenate([glorot_uniform(rng, (H, D)) for _ in BLOCKS])
        R = np.concatenate([glorot_uniform(rng, (H, H)) for _ in BLOCKS])
        b = np.zeros(3 * H)
        b[H:2 * H] = real(update_bias, "update_bias")
        blocks = [("W", (3 * H, D), W), ("R", (3 * H, H), R), ("b", (3 * H,), b)]
        if reset_after:
            blocks.append(("b_Rn", (H,), np.zeros(H)))
        super().__init__(blocks, dtype)

    def _named_views(self, blocks):
        H = self.hidden_size
        views = {f"{kind}_{block}": blocks[kind][k * H:(k + 1) * H]
                 for kind in ("W", "R", "b") for k, block in enumerate(BLOCKS)}
        if self.reset_after:
            views["b_Rn"] = blocks["b_Rn"]
        return views

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

    def trace(self):
        """The last run's internals, each (B, T, H): gates r, u, candidate n and state z."""
        cache, H = self._stored("trace()"), self.hidden_size
        parts = {name: cache["gates"][:, k * H:(k + 1) * H] for k, name in enumerate(BLOCKS)}
        parts["z"] = cache["zs"][1:]
        return {k: v.transpose(2, 0, 1).copy() for k, v in parts.items()}

    # As in the LSTM, per-step arrays are feature-major, (3H, B) or (H, B), inside the time loops.
    def _forward(self, x, state):
        xp, H = self.xp, self.hidden_size
        B, T, _ = x.shape
        x_tm = xp.ascontiguousarray(x.transpose(1, 0, 2))             # (T, B, D)
        ax = xp.matmul(self._p["W"], x_tm.transpose(0, 2, 1))         # W x_t + b for all steps
        ax += self._p["b"][:, None]                                    # (T, 3H, B): [r, u, n]
        gates = xp.empty((T, 3 * H, B), dtype=self.dtype)             # [r_t, u_t, n_t]
        zs = xp.empty((T + 1, H, B), dtype=self.dtype)                 # zs[t] = z_t, zs[0] = z_0
        rec = xp.empty((T, H, B), dtype=self.dtype)                    # see the cache key below
        zs[0] = state[0].T
        R = self._p["R"]
        for t in range(T):
            a, g, z_prev = ax[t], gates[t], zs[t]
            if self.reset_after:
                ah = R @ z_prev
                xp.add(ah[2 * H:], self._p["b_Rn"][:, None], out=rec[t])   # R_n z_{t-1} + b_Rn
                g[:2 * H] = sigmoid(a[:2 * H] + ah[:2 * H])
                g[2 * H:] = xp.tanh(a[2 * H:] + g[:H] * rec[t])
            else:
                g[:2 * H] = sigmoid(a[:2 * H] + R[:2 * H] @ z_prev)
                xp.multiply(g[:H], z_prev, out=rec[t])                      # r_t * z_{t-1}
                g[2 * H:] = xp.tanh(a[2 * H:] + R[2 * H:] @ rec[t])
            u, n = g[H:2 * H], g[2 * H:]
            xp.add(n, u * (z_prev - n), out=zs[t + 1])                     # (1 - u) n + u z_{t-1}
        y = xp.ascontiguousarray(zs[1:].transpose(2, 0, 1))
        key = "hn" if self.reset_after else "rz"
        cache = {"x": x_tm, "gates": gates, "zs": zs, key: rec, "out_shape": y.shape}
        return y, cache, (zs[T].T,)

    def _merge(self, caches):
        xp = self.xp
        key = "hn" if self.reset_after else "rz"
        merged = {k: xp.concatenate([c[k] for c in caches]) for k in ("x", "gates", key)}
        merged["zs"] = xp.concatenate([caches[0]["zs"][:1]] + [c["zs"][1:] for c in caches])
        merged["out_shape"] = (caches[0]["out_shape"][0], len(merged["gates"]), self.hidden_size)
        return merged

    def _backward(self, dout, cache, dfinal):
        xp, H = self.xp, self.hidden_size
        x_tm, gates, zs = cache["x"], cache["gates"], cache["zs"]
        T, B, D = x_tm.shape
        dout_fm = dout.transpose(1, 2, 0)                              # (T, H, B)
        da = xp.empty((T, 3 * H, B), dtype=self.dtype)                # [da^r, da^u, da^n]
        e = xp.empty((T, H, B), dtype=self.dtype)                      # dL/d(R_n s_t)
        delta = xp.empty((T, H, B), dtype=self.dtype)
        dz_next = dfinal[0].T                                           # dL/dz_t through step t+1
        R = self._p["R"]
        R_rn_transposed, R_n_transposed = R[:2 * H].T, R[2 * H:].T
        for t in range(T - 1, -1, -1):
            g, d, z_prev = gates[t], da[t], zs[t]
            r, u, n = g[:H], g[H:2 * H], g[2 * H:]
            dz = xp.add(dout_fm[t], dz_next, out=delta[t])
            xp.multiply(dz, 1.0 - u, out=d[2 * H:])
            d[2 * H:] *= 1.0 - n * n                                    # da^n
            xp.multiply(dz, z_prev - n, out=d[H:2 * H])
            d[H:2 * H] *= u * (1.0 - u)                                 # da^u
            if self.reset_after:
                xp.multiply(d[2 * H:], r, out=e[t])
                xp.multiply(d[2 * H:], cache["hn"][t], out=d[:H])
                dz_next = dz * u + R_n_transposed @ e[t]
            else:
                e[t] = d[2 * H:]
                drz = R_n_transposed @ e[t]                             # dL/d(r_t * z_{t-1})
                xp.multiply(drz, z_prev, out=d[:H])
                dz_next = dz * u + drz * r
            d[:H] *= r * (1.0 - r)                                      # da^r
            dz_next += R_rn_transposed @ d[:2 * H]
        da2 = da.transpose(1, 0, 2).reshape(3 * H, T * B)             # columns ordered (t, b)
        e2 = e.transpose(1, 0, 2).reshape(H, T * B)
        z_prev2 = zs[:-1].transpose(0, 2, 1).reshape(T * B, H)
        s2 = z_prev2 if self.reset_after else cache["rz"].transpose(0, 2, 1).reshape(T * B, H)
        self._g["W"][...] = da2 @ x_tm.reshape(T * B, D)
        self._g["R"][:2 * H] = da2[:2 * H] @ z_prev2
        self._g["R"][2 * H:] = e2 @ s2
        self._g["b"][...] = da2.sum(axis=1)
        if self.reset_after:
            self._g["b_Rn"][...] = e2.sum(axis=1)
        self.delta = delta.transpose(2, 0, 1)
        dx = xp.ascontiguousarray(xp.matmul(self._p["W"].T, da).transpose(2, 0, 1))
        return dx, (dz_next.T,)
