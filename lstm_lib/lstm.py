"""LSTM layer (memory cell with input, forget and output gates) with explicit BPTT.

Forward, for t = 1..T, in the notation of the book (x (B, T, D), hidden size H, sigma = sigmoid;
``lstm_lib.equations.lstm_step_forward`` is the same, one equation per line):

    a^c_t   = W_c   x_t + R_c   z_{t-1} + b_c          g_t = tanh(a^c_t)      (cell input)
    a^in_t  = W_in  x_t + R_in  z_{t-1} + b_in         i_t = sigma(a^in_t)    (input gate)
    a^for_t = W_for x_t + R_for z_{t-1} + b_for        f_t = sigma(a^for_t)   (forget gate)
    a^out_t = W_out x_t + R_out z_{t-1} + b_out        o_t = sigma(a^out_t)   (output gate)
    c_t = i_t * g_t + f_t * c_{t-1}
    z_t = o_t * tanh(c_t)

The same equations, fused and in place: ``W`` (4H, D), ``R`` (4H, H), ``b`` (4H,) stack the four
blocks in the order c, in, for, out (``BLOCKS``); ``params["W_in"]`` etc. are live views of the fused
arrays, so one matmul computes all four pre-activations. Backward, with dz_t = dL/dz_t and
dc_t = dL/dc_t (both total: through every later step):

    dz_t     = dout_t + sum_k R_k^T da^k_{t+1}
    dc_t     = dz_t * o_t * (1 - tanh(c_t)^2) + dc_{t+1} * f_{t+1}      (additive path through f)
    da^c_t   = dc_t * i_t * (1 - g_t^2)            da^in_t  = dc_t * g_t * i_t (1 - i_t)
    da^for_t = dc_t * c_{t-1} * f_t (1 - f_t)      da^out_t = dz_t * tanh(c_t) * o_t (1 - o_t)
    dW_k = sum_t da^k_t x_t^T,  dR_k = sum_t da^k_t z_{t-1}^T,  db_k = sum_t da^k_t,  dx_t = sum_k W_k^T da^k_t
"""
import numpy as np

from .checks import choice, positive_int, real
from .initializers import INITS, glorot_normal, glorot_uniform, make_rng
from .layer import Layer

#: The suffixes of the weight names, in the order the fused ``W``, ``R``, ``b`` stack them: ``c`` for
#: the cell input g_t (the tutorial's name), then the input, forget and output gates.
BLOCKS = ("c", "in", "for", "out")


class LSTM(Layer):
    """``LSTM(input_size D, hidden_size H, variant="vanilla", forget_bias=1.0, init="glorot_uniform")``:
    (B, T, D) -> (B, T, H).

    ``init``: "glorot_uniform" (per gate block) or "renom" (the tutorial's Glorot normal over the fused
    matrices; see ``lstm_lib.initializers``); ``b_for`` starts at ``forget_bias``, the other biases at 0.
    ``variant``: see ``__new__``.

    Parameters ``W_c, W_in, W_for, W_out`` (H, D), ``R_c, R_in, R_for, R_out`` (H, H),
    ``b_c, b_in, b_for, b_out`` (H,). After ``backward``: ``grads``, ``dh0``, ``dc0`` (B, H),
    ``delta`` = dL/dz_t and ``delta_c`` = dL/dc_t, both (B, T, H).
    """

    state_names = ("h0", "c0")
    variant = "vanilla"

    def __new__(cls, *args, variant="vanilla", **kwargs):
        """``variant`` other than "vanilla" (Greff et al.'s peephole, cifg, nfg, nog, niaf) builds an
        ``LSTMVariant`` of ``lstm_lib.lstm_variants``; the vanilla LSTM is this class."""
        if cls is LSTM and variant != "vanilla":
            from .lstm_variants import LSTMVariant
            cls = LSTMVariant
        return super().__new__(cls)

    def __init__(self, input_size, hidden_size, *, variant="vanilla", forget_bias=1.0, init="glorot_uniform",
                 seed=None, dtype=np.float64):
        # variant is "vanilla" here: __new__ sends every other value to LSTMVariant
        self.input_size = positive_int(input_size, "input_size")
        self.hidden_size = self.output_size = positive_int(hidden_size, "hidden_size")
        rng = make_rng(seed)
        D, H = self.input_size, self.hidden_size
        if choice(init, "init", INITS) == "renom":       # ReNom's Lstm: w (D, 4H) and wr (H, 4H), each one matrix
            W = glorot_normal(rng, (4 * H, D), fans=(D, 4 * H))
            R = glorot_normal(rng, (4 * H, H), fans=(H, 4 * H))
        else:
            W = np.concatenate([glorot_uniform(rng, (H, D)) for _ in BLOCKS])
            R = np.concatenate([glorot_uniform(rng, (H, H)) for _ in BLOCKS])
        b = np.zeros(4 * H)
        b[2 * H:3 * H] = real(forget_bias, "forget_bias")
        super().__init__([("W", (4 * H, D), W), ("R", (4 * H, H), R), ("b", (4 * H,), b)], dtype)

    def _named_views(self, blocks):
        H = self.hidden_size
        return {f"{kind}_{block}": blocks[kind][k * H:(k + 1) * H]
                for kind in ("W", "R", "b") for k, block in enumerate(BLOCKS)}

    def forward(self, x, h0=None, c0=None, *, validate=True):
        """x (B, T, D), h0 and c0 (B, H) or None (zeros) -> z (B, T, H)."""
        return super().forward(x, h0, c0, validate=validate)

    def backward(self, dout, dh_T=None, dc_T=None, *, validate=True):
        """dout = dL/dz (B, T, H) [+ dL/dz_T, dL/dc_T from beyond the sequence] -> dL/dx (B, T, D)."""
        return super().backward(dout, dh_T, dc_T, validate=validate)

    @property
    def final_state(self):
        """(z_T, c_T), each (B, H), of the last run (copies)."""
        return tuple(s.copy() for s in self._state) or None

    @property
    def dh0(self):
        return self._dstate(0)

    @property
    def dc0(self):
        return self._dstate(1)

    def trace(self):
        """The last run's internals, each (B, T, H): cell input g, gates i, f, o, cell c and output z."""
        cache, H = self._stored("trace()"), self.hidden_size
        parts = {name: cache["gates"][:, k * H:(k + 1) * H] for k, name in enumerate("gifo")}
        parts.update(c=cache["cs"][1:], z=cache["zs"][1:])
        return {k: v.transpose(2, 0, 1).copy() for k, v in parts.items()}

    # Inside the time loops every per-step array is feature-major, (4H, B) or (H, B): each gate is
    # then a contiguous block of rows, so the elementwise work runs on contiguous memory.
    def _forward(self, x, state):
        xp, H = self.xp, self.hidden_size
        B, T, _ = x.shape
        x_tm = xp.ascontiguousarray(x.transpose(1, 0, 2))             # (T, B, D)
        gates = xp.matmul(self._p["W"], x_tm.transpose(0, 2, 1))      # input projection, all steps
        gates += self._p["b"][:, None]                                 # (T, 4H, B): [g, i, f, o]
        zs = xp.empty((T + 1, H, B), dtype=self.dtype)                 # zs[t] = z_t, zs[0] = z_0
        cs = xp.empty((T + 1, H, B), dtype=self.dtype)
        tc = xp.empty((T, H, B), dtype=self.dtype)                    # tanh(c_t)
        zs[0], cs[0] = state[0].T, state[1].T
        R = self._p["R"]
        for t in range(T):
            act = gates[t]
            act += R @ zs[t]                    # pre-activations [u, i, f, o] of step t
            act[H:] *= 0.5                      # sigmoid(a) = 0.5 tanh(0.5 a) + 0.5: one tanh for all
            xp.tanh(act, out=act)
            act[H:] *= 0.5
            act[H:] += 0.5
            g, i, f, o = act[:H], act[H:2 * H], act[2 * H:3 * H], act[3 * H:]
            xp.multiply(i, g, out=cs[t + 1])
            cs[t + 1] += f * cs[t]
            xp.tanh(cs[t + 1], out=tc[t])
            xp.multiply(o, tc[t], out=zs[t + 1])
        y = xp.ascontiguousarray(zs[1:].transpose(2, 0, 1))
        cache = {"x": x_tm, "gates": gates, "zs": zs, "cs": cs, "tc": tc, "out_shape": y.shape}
        return y, cache, (zs[T].T, cs[T].T)

    def _merge(self, caches):
        xp = self.xp
        merged = {k: xp.concatenate([c[k] for c in caches]) for k in ("x", "gates", "tc")}
        for k in ("zs", "cs"):
            merged[k] = xp.concatenate([caches[0][k][:1]] + [c[k][1:] for c in caches])
        merged["out_shape"] = (caches[0]["out_shape"][0], len(merged["tc"]), self.hidden_size)
        return merged

    def _backward(self, dout, cache, dfinal):
        xp, H = self.xp, self.hidden_size
        x_tm, gates, zs, cs, tc = cache["x"], cache["gates"], cache["zs"], cache["cs"], cache["tc"]
        T, B, D = x_tm.shape
        dout_fm = dout.transpose(1, 2, 0)                      # (T, H, B)
        da = xp.empty((T, 4 * H, B), dtype=self.dtype)       # d loss / d pre-activations [u, i, f, o]
        delta = xp.empty((T, H, B), dtype=self.dtype)
        delta_c = xp.empty((T, H, B), dtype=self.dtype)
        dz_next, dc_next = dfinal[0].T, dfinal[1].T           # R^T da_{t+1} and dc_{t+1} f_{t+1}
        R_transposed = self._p["R"].T
        for t in range(T - 1, -1, -1):
            act = gates[t]
            g, i, f, o = act[:H], act[H:2 * H], act[2 * H:3 * H], act[3 * H:]
            dz = xp.add(dout_fm[t], dz_next, out=delta[t])
            dc = delta_c[t]
            xp.multiply(dz, o, out=dc)
            dc *= 1.0 - tc[t] * tc[t]
            dc += dc_next
            d = da[t]
            xp.multiply(dc, i, out=d[:H])
            d[:H] *= 1.0 - g * g
            xp.multiply(dc, g, out=d[H:2 * H])
            xp.multiply(dc, cs[t], out=d[2 * H:3 * H])
            xp.multiply(dz, tc[t], out=d[3 * H:])
            d[H:] *= act[H:] * (1.0 - act[H:])                 # sigmoid' = s (1 - s) for i, f, o
            dz_next = R_transposed @ d
            dc_next = dc * f
        da2 = da.transpose(1, 0, 2).reshape(4 * H, T * B)    # columns ordered (t, b)
        self._g["W"][...] = da2 @ x_tm.reshape(T * B, D)
        self._g["R"][...] = da2 @ zs[:-1].transpose(0, 2, 1).reshape(T * B, H)
        self._g["b"][...] = da2.sum(axis=1)
        self.delta = delta.transpose(2, 0, 1)
        self.delta_c = delta_c.transpose(2, 0, 1)
        dx = xp.ascontiguousarray(xp.matmul(self._p["W"].T, da).transpose(2, 0, 1))
        return dx, (dz_next.T, dc_next.T)
