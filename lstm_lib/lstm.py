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

    # The fast layout: inside the time loops every per-step array is feature-major, (4H, B) or (H, B), so
    # each gate is a contiguous block of rows and every elementwise operation runs on contiguous memory.
    # A step is a fixed list of numpy calls writing into preallocated arrays; what does not depend on the
    # recursion (the input projection; in the backward pass the factors 1 - tanh(c)^2, 1 - g^2 and
    # s (1 - s)) is computed for all steps at once outside the loops. Each product keeps the operand order
    # of the equations above, so the results are those of the step-by-step formulas, bit for bit.
    def _forward(self, x, state):
        xp, H = self.xp, self.hidden_size
        B, T, _ = x.shape
        dot, add, mul, tanh = xp.dot, xp.add, xp.multiply, xp.tanh
        half = xp.asarray(0.5, dtype=self.dtype)
        x_tm = x.transpose(1, 0, 2).copy()                             # (T, B, D), never a view of x
        gates = xp.matmul(self._p["W"], x_tm.transpose(0, 2, 1))      # input projection, all steps
        add(gates, self._p["b"][:, None], gates)                       # (T, 4H, B): [g, i, f, o]
        zs = xp.empty((T + 1, H, B), dtype=self.dtype)                 # zs[t] = z_t, zs[0] = z_0
        cs = xp.empty((T + 1, H, B), dtype=self.dtype)
        tc = xp.empty((T, H, B), dtype=self.dtype)                     # tanh(c_t)
        zs[0], cs[0] = state[0].T, state[1].T
        fc = xp.empty((H, B), dtype=self.dtype)
        R = self._p["R"]
        for act, sig, g, i, f, o, c_prev, c, tc_t, z_prev, z in zip(
                gates, gates[:, H:], gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:],
                cs[:-1], cs[1:], tc, zs[:-1], zs[1:]):
            add(act, dot(R, z_prev), act)       # pre-activations of step t
            mul(sig, half, sig)                 # sigmoid(a) = 0.5 tanh(0.5 a) + 0.5: one tanh for all
            tanh(act, act)
            mul(sig, half, sig)
            add(sig, half, sig)
            mul(i, g, c)
            mul(f, c_prev, fc)
            add(c, fc, c)
            tanh(c, tc_t)
            mul(o, tc_t, z)
        y = zs[1:].transpose(2, 0, 1).copy()
        cache = {"x": x_tm, "gates": gates, "zs": zs, "cs": cs, "tc": tc, "out_shape": y.shape}
        return y, cache, (zs[T].T.copy(), cs[T].T.copy())     # copies: they must not keep zs, cs alive

    def _merge(self, caches):
        xp = self.xp
        merged = {k: xp.concatenate([c[k] for c in caches]) for k in ("x", "gates", "tc")}
        for k in ("zs", "cs"):
            merged[k] = xp.concatenate([caches[0][k][:1]] + [c[k][1:] for c in caches])
        merged["out_shape"] = (caches[0]["out_shape"][0], len(merged["tc"]), self.hidden_size)
        return merged

    def _workspace(self, T, B):
        """``_backward``'s work arrays da (T, 4H, B), da2 (4H, T, B) and z_prev (T, B, H), kept between calls
        and never handed out: a training loop then allocates no new arrays of this size per step (fresh
        memory costs page faults, the operating system zeroing every page)."""
        H, work = self.hidden_size, getattr(self, "_work", None)
        if work is None or work[0].shape != (T, 4 * H, B) or work[0].dtype != self.dtype:
            work = self._work = tuple(self.xp.empty(s, dtype=self.dtype)
                                      for s in ((T, 4 * H, B), (4 * H, T, B), (T, B, H)))
        return work

    def _backward(self, dout, cache, dfinal):
        xp, H = self.xp, self.hidden_size
        x_tm, gates, zs, cs, tc = cache["x"], cache["gates"], cache["zs"], cache["cs"], cache["tc"]
        T, B, D = x_tm.shape
        dot, add, mul, sub = xp.dot, xp.add, xp.multiply, xp.subtract
        one = xp.asarray(1.0, dtype=self.dtype)
        self.delta = self.delta_c = None                   # free the previous run's before allocating
        delta = dout.transpose(1, 2, 0).copy()             # (T, H, B): dout_t, then dz_t
        delta_c = mul(tc, tc)                              # 1 - tanh(c_t)^2, then dc_t
        sub(one, delta_c, delta_c)
        da, da2, z_prev = self._workspace(T, B)
        sub(one, gates, da)                                # s (1 - s) for i, f, o and 1 - g^2, then da_t
        mul(gates, da, da)
        g_all, da_c = gates[:, :H], da[:, :H]
        mul(g_all, g_all, da_c)
        sub(one, da_c, da_c)
        work = xp.empty((5 * H, B), dtype=self.dtype)     # [dc i, dc g, dc c_{t-1}, dz tanh c, dz o]
        products, dc_i, dc_g, dc_c, dz_tc, dz_o = work[:4 * H], *work.reshape(5, H, B)
        dc_next = dfinal[1].T                              # dc_{t+1} f_{t+1}
        dz_next = dfinal[0].T                              # R^T da_{t+1}
        dcf = xp.empty((H, B), dtype=self.dtype)
        R_transposed = self._p["R"].T
        for dz, dc, d, i, g, f, o, c_prev, tc_t in zip(
                delta[::-1], delta_c[::-1], da[::-1], gates[::-1, H:2 * H], gates[::-1, :H],
                gates[::-1, 2 * H:3 * H], gates[::-1, 3 * H:], cs[-2::-1], tc[::-1]):
            add(dz, dz_next, dz)
            mul(dz, o, dz_o)
            mul(dc, dz_o, dc)
            add(dc, dc_next, dc)
            mul(dc, i, dc_i)
            mul(dc, g, dc_g)
            mul(dc, c_prev, dc_c)
            mul(dz, tc_t, dz_tc)
            mul(d, products, d)
            dz_next = dot(R_transposed, d)
            dc_next = mul(dc, f, dcf)
        da2[...] = da.transpose(1, 0, 2)                   # the weight gradients' layout: columns (t, b)
        da2 = da2.reshape(4 * H, T * B)
        z_prev[...] = zs[:-1].transpose(0, 2, 1)
        xp.matmul(da2, x_tm.reshape(T * B, D), out=self._g["W"])
        xp.matmul(da2, z_prev.reshape(T * B, H), out=self._g["R"])
        da2.sum(axis=1, out=self._g["b"])
        self.delta = delta.transpose(2, 0, 1)
        self.delta_c = delta_c.transpose(2, 0, 1)
        dx = xp.matmul(self._p["W"].T, da).transpose(2, 0, 1).copy()
        return dx, (dz_next.T, dc_next.T)
