"""The LSTM variants of Greff et al. (2017), each one change to the vanilla LSTM of ``lstm_lib.lstm``.

``LSTM(D, H, variant=v)`` builds an ``LSTMVariant`` for every ``v`` but "vanilla"; the vanilla LSTM
keeps its own code. In the book's notation (``lstm_lib.equations.lstm_variant_step_forward`` is the
same, one equation per line):

    peephole  a^in_t += p_in * c_{t-1},  a^for_t += p_for * c_{t-1},  a^out_t += p_out * c_t
              (p_in, p_for, p_out (H,); the output gate looks at the new cell state)
    cifg      f_t = 1 - i_t        coupled input and forget gate: no W_for, R_for, b_for
    nfg       f_t = 1              no forget gate (the LSTM of 1997): no W_for, R_for, b_for
    nog       o_t = 1              no output gate: no W_out, R_out, b_out
    niaf      g_t = a^c_t          no input activation function (no tanh on the cell input)

Our vanilla LSTM has no peepholes; Greff et al.'s vanilla has them (their "NP" is our vanilla).

Initialisation: the variant draws the vanilla LSTM's parameters from the same seed (and ``init``) and
drops the blocks it does not have, so it starts with every shared parameter equal to the vanilla LSTM's.
Peepholes start at zero (the peephole LSTM starts as the vanilla one). ``forget_bias`` sets b_for; in
the cifg variant it sets b_in = -forget_bias instead, so that f_t = 1 - i_t starts at
sigma(forget_bias), as in the vanilla LSTM; the nfg variant has no forget gate and ignores it.

Backward, with dz_t, dc_t total as in ``lstm_lib.lstm`` (o_t = 1 without output gate):

    da^out_t = dz_t * tanh(c_t) * o_t (1 - o_t)
    dc_t     = dz_t * o_t * (1 - tanh(c_t)^2) [+ p_out * da^out_t] + dL/dc_t through step t+1
    da^c_t   = dc_t * i_t * (1 - g_t^2)       (niaf: dc_t * i_t)
    da^in_t  = dc_t * g_t * i_t (1 - i_t)     (cifg: dc_t * (g_t - c_{t-1}) * i_t (1 - i_t))
    da^for_t = dc_t * c_{t-1} * f_t (1 - f_t)
    dc_{t-1} gets dc_t * f_t [+ p_in * da^in_t + p_for * da^for_t]
    dp_in = sum_t da^in_t * c_{t-1},  dp_for = sum_t da^for_t * c_{t-1},  dp_out = sum_t da^out_t * c_t
"""
import numpy as np

from .activations import sigmoid
from .checks import choice, positive_int, real
from .initializers import INITS, glorot_normal, glorot_uniform, make_rng
from .layer import Layer
from .lstm import BLOCKS, LSTM

#: variant name -> what it changes; "vanilla" is ``lstm_lib.LSTM`` itself
VARIANTS = {
    "vanilla": "the LSTM of chapter 3 (forget gate, no peepholes)",
    "peephole": "peephole connections: the gates see the cell state",
    "cifg": "coupled input and forget gate, f = 1 - i",
    "nfg": "no forget gate, f = 1",
    "nog": "no output gate, o = 1",
    "niaf": "no input activation function, g = a^c",
}

#: variant -> the blocks its fused W, R, b stack, in the order of ``lstm_lib.lstm.BLOCKS``
VARIANT_BLOCKS = {
    "peephole": BLOCKS, "niaf": BLOCKS,
    "cifg": ("c", "in", "out"), "nfg": ("c", "in", "out"), "nog": ("c", "in", "for"),
}


class LSTMVariant(LSTM):
    """An LSTM with one of Greff et al.'s changes (``variant``); made by ``LSTM(D, H, variant=...)``.

    Parameters: the vanilla LSTM's, less the blocks the variant drops (``VARIANT_BLOCKS``), plus
    ``p_in, p_for, p_out`` (H,) for "peephole". Same API as ``LSTM`` (``trace`` gives f = 1 - i or
    ones, o = ones, where the gate is coupled or absent).
    """

    def __init__(self, input_size, hidden_size, *, variant, forget_bias=1.0, init="glorot_uniform",
                 seed=None, dtype=np.float64):
        if choice(variant, "variant", VARIANTS) == "vanilla":
            raise ValueError("variant='vanilla' is the LSTM class itself: build it with LSTM(D, H)")
        self.input_size = positive_int(input_size, "input_size")
        self.hidden_size = self.output_size = positive_int(hidden_size, "hidden_size")
        self.variant, self.blocks = variant, VARIANT_BLOCKS[variant]
        rng = make_rng(seed)
        D, H = self.input_size, self.hidden_size
        if choice(init, "init", INITS) == "renom":                        # the vanilla LSTM's draws, in its order
            W = np.split(glorot_normal(rng, (4 * H, D), fans=(D, 4 * H)), 4)
            R = np.split(glorot_normal(rng, (4 * H, H), fans=(H, 4 * H)), 4)
        else:
            W = [glorot_uniform(rng, (H, D)) for _ in BLOCKS]
            R = [glorot_uniform(rng, (H, H)) for _ in BLOCKS]
        forget_bias = real(forget_bias, "forget_bias")
        b = [np.full(H, forget_bias) if block == "for" else np.zeros(H) for block in BLOCKS]
        keep = [BLOCKS.index(block) for block in self.blocks]
        W, R, b = (np.concatenate([arrays[j] for j in keep]) for arrays in (W, R, b))
        if variant == "cifg":
            b[H:2 * H] = -forget_bias          # f = 1 - i = sigma(-a^in) starts at sigma(forget_bias)
        k = len(self.blocks)
        blocks = [("W", (k * H, D), W), ("R", (k * H, H), R), ("b", (k * H,), b)]
        if variant == "peephole":
            blocks += [(name, (H,), np.zeros(H)) for name in ("p_in", "p_for", "p_out")]
        Layer.__init__(self, blocks, dtype)

    def _named_views(self, blocks):
        H = self.hidden_size
        views = {f"{kind}_{block}": blocks[kind][k * H:(k + 1) * H]
                 for kind in ("W", "R", "b") for k, block in enumerate(self.blocks)}
        views.update({name: blocks[name] for name in ("p_in", "p_for", "p_out") if name in blocks})
        return views

    def _rows(self, name):
        """The rows of block ``name`` in the fused arrays."""
        k = self.blocks.index(name)
        return slice(k * self.hidden_size, (k + 1) * self.hidden_size)

    def trace(self):
        """The last run's internals, each (B, T, H): g, i, f, o, c and z (f, o filled in where implied)."""
        cache = self._stored("trace()")
        xp, act = self.xp, cache["gates"]
        i = act[:, self._rows("in")]
        parts = {"g": act[:, self._rows("c")], "i": i, "c": cache["cs"][1:], "z": cache["zs"][1:]}
        parts["f"] = (act[:, self._rows("for")] if "for" in self.blocks
                      else 1.0 - i if self.variant == "cifg" else xp.ones_like(i))
        parts["o"] = act[:, self._rows("out")] if "out" in self.blocks else xp.ones_like(i)
        return {key: v.transpose(2, 0, 1).copy() for key, v in parts.items()}

    # Feature-major per-step arrays, (kH, B) or (H, B), as in the vanilla LSTM.
    def _forward(self, x, state):
        xp, H, variant = self.xp, self.hidden_size, self.variant
        B, T, _ = x.shape
        c_, in_ = self._rows("c"), self._rows("in")
        for_ = self._rows("for") if "for" in self.blocks else None
        out_ = self._rows("out") if "out" in self.blocks else None
        x_tm = xp.ascontiguousarray(x.transpose(1, 0, 2))              # (T, B, D)
        gates = xp.matmul(self._p["W"], x_tm.transpose(0, 2, 1))        # (T, kH, B): W x_t + b
        gates += self._p["b"][:, None]
        zs = xp.empty((T + 1, H, B), dtype=self.dtype)                  # zs[t] = z_t, zs[0] = z_0
        cs = xp.empty((T + 1, H, B), dtype=self.dtype)                  # cs[t] = c_t, cs[0] = c_0
        tc = xp.empty((T, H, B), dtype=self.dtype)                      # tanh(c_t)
        zs[0], cs[0] = state[0].T, state[1].T
        R, peep = self._p["R"], variant == "peephole"
        for t in range(T):
            act, c_prev = gates[t], cs[t]
            act += R @ zs[t]                                           # pre-activations a^k_t
            if peep:
                act[in_] += self._p["p_in"][:, None] * c_prev
                act[for_] += self._p["p_for"][:, None] * c_prev
            if variant != "niaf":
                xp.tanh(act[c_], out=act[c_])                          # g_t
            act[in_] = sigmoid(act[in_])                               # i_t
            xp.multiply(act[in_], act[c_], out=cs[t + 1])
            if for_ is not None:
                act[for_] = sigmoid(act[for_])                         # f_t
                cs[t + 1] += act[for_] * c_prev
            elif variant == "cifg":
                cs[t + 1] += (1.0 - act[in_]) * c_prev
            else:                                                      # nfg: f_t = 1
                cs[t + 1] += c_prev
            xp.tanh(cs[t + 1], out=tc[t])
            if out_ is None:                                           # nog: o_t = 1
                zs[t + 1] = tc[t]
                continue
            if peep:
                act[out_] += self._p["p_out"][:, None] * cs[t + 1]
            act[out_] = sigmoid(act[out_])                             # o_t
            xp.multiply(act[out_], tc[t], out=zs[t + 1])
        y = xp.ascontiguousarray(zs[1:].transpose(2, 0, 1))
        cache = {"x": x_tm, "gates": gates, "zs": zs, "cs": cs, "tc": tc, "out_shape": y.shape}
        return y, cache, (zs[T].T.copy(), cs[T].T.copy())     # copies, as LSTM._forward

    def _backward(self, dout, cache, dfinal):
        xp, H, variant = self.xp, self.hidden_size, self.variant
        x_tm, gates, zs, cs, tc = cache["x"], cache["gates"], cache["zs"], cache["cs"], cache["tc"]
        T, B, D = x_tm.shape
        k = len(self.blocks)
        c_, in_ = self._rows("c"), self._rows("in")
        for_ = self._rows("for") if "for" in self.blocks else None
        out_ = self._rows("out") if "out" in self.blocks else None
        peep = variant == "peephole"
        if peep:
            p_in, p_for, p_out = (self._p[n][:, None] for n in ("p_in", "p_for", "p_out"))
        dout_fm = dout.transpose(1, 2, 0)                              # (T, H, B)
        da = xp.empty((T, k * H, B), dtype=self.dtype)                # dL/d(pre-activations)
        delta = xp.empty((T, H, B), dtype=self.dtype)
        delta_c = xp.empty((T, H, B), dtype=self.dtype)
        dz_next, dc_next = dfinal[0].T, dfinal[1].T                    # dL/dz_t, dL/dc_t via step t+1
        R_transposed = self._p["R"].T
        for t in range(T - 1, -1, -1):
            act, d, c_prev = gates[t], da[t], cs[t]
            g, i = act[c_], act[in_]
            dz = xp.add(dout_fm[t], dz_next, out=delta[t])
            dc = delta_c[t]
            if out_ is None:
                xp.multiply(dz, 1.0 - tc[t] * tc[t], out=dc)
            else:
                o = act[out_]
                xp.multiply(dz, o * (1.0 - tc[t] * tc[t]), out=dc)
                xp.multiply(dz, tc[t] * o * (1.0 - o), out=d[out_])    # da^out
                if peep:
                    dc += p_out * d[out_]
            dc += dc_next
            xp.multiply(dc, i, out=d[c_])
            if variant != "niaf":
                d[c_] *= 1.0 - g * g                                   # da^c
            if variant == "cifg":
                xp.multiply(dc, g - c_prev, out=d[in_])
            else:
                xp.multiply(dc, g, out=d[in_])
            d[in_] *= i * (1.0 - i)                                    # da^in
            if for_ is not None:
                f = act[for_]
                xp.multiply(dc, c_prev * f * (1.0 - f), out=d[for_])   # da^for
                dc_next = dc * f
            elif variant == "cifg":
                dc_next = dc * (1.0 - i)
            else:
                dc_next = dc.copy()
            if peep:
                dc_next += p_in * d[in_] + p_for * d[for_]
            dz_next = R_transposed @ d
        da2 = da.transpose(1, 0, 2).reshape(k * H, T * B)            # columns ordered (t, b)
        self._g["W"][...] = da2 @ x_tm.reshape(T * B, D)
        self._g["R"][...] = da2 @ zs[:-1].transpose(0, 2, 1).reshape(T * B, H)
        self._g["b"][...] = da2.sum(axis=1)
        if peep:
            self._g["p_in"][...] = (da[:, in_] * cs[:-1]).sum(axis=(0, 2))
            self._g["p_for"][...] = (da[:, for_] * cs[:-1]).sum(axis=(0, 2))
            self._g["p_out"][...] = (da[:, out_] * cs[1:]).sum(axis=(0, 2))
        self.delta = delta.transpose(2, 0, 1)
        self.delta_c = delta_c.transpose(2, 0, 1)
        dx = xp.ascontiguousarray(xp.matmul(self._p["W"].T, da).transpose(2, 0, 1))
        return dx, (dz_next.T, dc_next.T)
