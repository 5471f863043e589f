"""The book's equations as code: one equation per line, in the book's symbols.

These are the functions the chapters show and run. They are written to be read, not to
be fast: one time step at a time, parameters per gate under their book names, every
intermediate kept in a cache. The layers ``lstm_lib.RNN``, ``LSTM``, ``GRU`` and
``Dense`` compute the same equations fused and in place; the tests hold them to these
functions at 1e-12, and these functions to finite differences.

Conventions, as in cs231n's ``rnn_layers.py``:

* ``*_step_forward(...) -> (outputs, cache)`` and ``*_step_backward(gradients,
  cache)``; ``*_forward`` / ``*_backward`` run the steps over a whole sequence.
* Rows are the sequences of a batch: a vector of the text, e.g. z_t (H,), is a row of
  an array (B, H), so the text's W x_t is ``x_t @ W.T`` and Wᵀ v is ``v @ W``.
* ``p`` maps the book's parameter names to arrays (a layer's ``params`` works as is);
  the gradients ``dp`` have the same keys. ``dq`` always holds δq = ∂L/∂q.
* numpy or cupy: the array module is taken from the inputs.
"""
import numpy as np

from .activations import ACTIVATIONS, sigmoid
from .backend import get_array_module

__all__ = [
    "sigmoid", "rnn_step_forward", "rnn_step_backward", "rnn_forward",
    "rnn_backward", "rnn_rtrl_step", "lstm_step_forward", "lstm_cell_gradient",
    "lstm_step_backward", "lstm_forward", "lstm_backward", "gru_step_forward",
    "gru_step_backward", "gru_forward", "gru_backward",
    "lstm_variant_step_forward", "lstm_variant_cell_gradient",
    "lstm_variant_step_backward", "lstm_variant_forward", "lstm_variant_backward",
    "dense_forward", "dense_backward",
]


# -- the recurrent neural network (chapter 1) ----------------------------------

def rnn_step_forward(x_t, z_prev, p, f="tanh"):
    """One RNN step: x_t (B, D) and z_prev = z_{t-1} (B, H) -> z_t (B, H), cache.

    ``p``: W_xh (H, D), b_xh (H,), W_hh (H, H), b_hh (H,).
    ``f``: the hidden activation, "tanh", "sigmoid", "relu" or "identity".
    """
    # a_t = W_xh x_t + b_xh + W_hh z_{t-1} + b_hh
    a_t = x_t @ p["W_xh"].T + p["b_xh"] + z_prev @ p["W_hh"].T + p["b_hh"]
    z_t = ACTIVATIONS[f][0](a_t)  # z_t = f(a_t)
    return z_t, {"x_t": x_t, "z_prev": z_prev, "z_t": z_t, "p": p, "f": f}


def rnn_step_backward(dz_t, cache):
    """Backward through one RNN step: dz_t = δz_t (B, H) -> dx_t, dz_prev, dp.

    ``dz_t`` is the total gradient of z_t (direct and from later steps). ``dz_prev``
    (B, H) is W_hhᵀ δa_t, the part of δz_{t-1} that flows back through this step;
    ``dp`` holds this step's terms of the parameter gradients, summed over the batch.
    """
    x_t, z_prev, z_t, p = cache["x_t"], cache["z_prev"], cache["z_t"], cache["p"]
    f_prime = ACTIVATIONS[cache["f"]][1](z_t)  # f'(a_t) from z_t: 1 - z_t² for tanh
    da_t = f_prime * dz_t                      # δa_t = f'(a_t) ⊙ δz_t
    dp = {"W_xh": da_t.T @ x_t,                # ∂L/∂W_xh: δa_t x_tᵀ
          "b_xh": da_t.sum(axis=0),            # ∂L/∂b_xh: δa_t
          "W_hh": da_t.T @ z_prev,             # ∂L/∂W_hh: δa_t z_{t-1}ᵀ
          "b_hh": da_t.sum(axis=0)}            # ∂L/∂b_hh: δa_t
    dx_t = da_t @ p["W_xh"]                    # δx_t = W_xhᵀ δa_t
    dz_prev = da_t @ p["W_hh"]                 # W_hhᵀ δa_t, on its way to z_{t-1}
    return dx_t, dz_prev, dp


def rnn_forward(x, z0, p, f="tanh"):
    """The RNN over x (B, T, D) from z0 (B, H; None: zeros) -> z (B, T, H), caches."""
    xp, H = get_array_module(x), p["W_hh"].shape[0]
    z_t = xp.zeros((x.shape[0], H), dtype=x.dtype) if z0 is None else z0
    zs, caches = [], []
    for t in range(x.shape[1]):
        z_t, cache = rnn_step_forward(x[:, t], z_t, p, f)
        zs.append(z_t)
        caches.append(cache)
    return xp.stack(zs, axis=1), caches


def rnn_backward(dout, caches, dz_T=None):
    """BPTT from dout (B, T, H), the direct gradients ∂ℓ_t/∂z_t -> dx, dz0, dp, dz.

    ``dz_T`` (B, H): a gradient arriving at z_T from beyond the sequence (None: zero).
    Returns dx (B, T, D), dz0 = δz_0 (B, H), dp (summed over the steps) and
    dz = δz_t (B, T, H).
    """
    xp = get_array_module(dout)
    dz_next = xp.zeros_like(dout[:, 0]) if dz_T is None else dz_T  # W_hhᵀ δa_{t+1}
    T = len(caches)
    dx, dz, dp = [None] * T, [None] * T, {}
    for t in reversed(range(T)):
        dz[t] = dout[:, t] + dz_next  # δz_t = ∂ℓ_t/∂z_t + W_hhᵀ δa_{t+1}
        dx[t], dz_next, dp_t = rnn_step_backward(dz[t], caches[t])
        dp = {k: dp.get(k, 0) + term for k, term in dp_t.items()}  # ∂L/∂W = Σ_t term
    return xp.stack(dx, axis=1), dz_next, dp, xp.stack(dz, axis=1)


def rnn_rtrl_step(S_prev, cache):
    """Real-time recurrent learning for W_hh: S_prev = ∂z_{t-1}/∂W_hh -> S_t =
    ∂z_t/∂W_hh.

    The forward-mode alternative to BPTT (Williams and Zipser, 1989): the
    sensitivities are carried forward with the states, so ∂L/∂W_hh = Σ_t Σ_i
    (∂ℓ_t/∂z_t)_i S_t[:, i] is available at every step without storing the past, at H⁴
    multiply-adds per step and sequence. ``S_prev``, ``S_t`` (B, H, H, H): entry [b,
    i, j, k] is ∂z_{t,i}/∂(W_hh)_{jk} for sequence b; S_0 = 0 (z_0 does not depend on
    W_hh). ``cache`` is step t's from ``rnn_step_forward``.
    """
    xp = get_array_module(S_prev)
    z_prev, z_t, W_hh = cache["z_prev"], cache["z_t"], cache["p"]["W_hh"]
    f_prime = ACTIVATIONS[cache["f"]][1](z_t)  # f'(a_t) from z_t
    eye = xp.eye(W_hh.shape[0], dtype=z_t.dtype)
    # ∂a_{t,i}/∂(W_hh)_{jk} = [i = j] z_{t-1,k}
    #                         + Σ_l (W_hh)_{il} ∂z_{t-1,l}/∂(W_hh)_{jk}
    da_dW = (xp.einsum("ij,bk->bijk", eye, z_prev)
             + xp.einsum("il,bljk->bijk", W_hh, S_prev))
    return f_prime[:, :, None, None] * da_dW  # ∂z_t/∂W_hh = f'(a_t) ⊙ ∂a_t/∂W_hh


# -- the long short-term memory (chapter 3) ------------------------------------

def lstm_step_forward(x_t, z_prev, c_prev, p):
    """One LSTM step: x_t (B, D), z_prev = z_{t-1}, c_prev = c_{t-1} (B, H) -> z_t,
    c_t, cache.

    ``p``: W_c, W_in, W_for, W_out (H, D); R_c, R_in, R_for, R_out (H, H); b_c, b_in,
    b_for, b_out (H,). The suffix c names the cell-input block (the tutorial's W_c),
    whose activation is g_t; c_t itself is the cell state.
    """
    a_c = x_t @ p["W_c"].T + z_prev @ p["R_c"].T + p["b_c"]  # a^c_t
    a_in = x_t @ p["W_in"].T + z_prev @ p["R_in"].T + p["b_in"]  # a^in_t
    a_for = x_t @ p["W_for"].T + z_prev @ p["R_for"].T + p["b_for"]  # a^for_t
    a_out = x_t @ p["W_out"].T + z_prev @ p["R_out"].T + p["b_out"]  # a^out_t
    # g_t = tanh(a^c_t), the cell input
    g_t = np.tanh(a_c)
    i_t = sigmoid(a_in)                              # i_t = σ(a^in_t), the input gate
    # f_t = σ(a^for_t), the forget gate
    f_t = sigmoid(a_for)
    # o_t = σ(a^out_t), the output gate
    o_t = sigmoid(a_out)
    c_t = i_t * g_t + f_t * c_prev                   # c_t = i_t ⊙ g_t + f_t ⊙ c_{t-1}
    z_t = o_t * np.tanh(c_t)                         # z_t = o_t ⊙ tanh(c_t)
    cache = {"x_t": x_t, "z_prev": z_prev, "c_prev": c_prev, "p": p,
             "g_t": g_t, "i_t": i_t, "f_t": f_t, "o_t": o_t, "c_t": c_t}
    return z_t, c_t, cache


def lstm_cell_gradient(dz_t, dc_next, cache):
    """δc_t (B, H), the total gradient of the cell state: through z_t and from step
    t+1.

    ``dz_t`` = δz_t (B, H); ``dc_next`` = δc_{t+1} ⊙ f_{t+1} (B, H), zero after the
    last step.
    """
    o_t, c_t = cache["o_t"], cache["c_t"]
    # δc_t = δz_t ⊙ o_t ⊙ (1 − tanh² c_t) + δc_{t+1} ⊙ f_{t+1}
    return dz_t * o_t * (1 - np.tanh(c_t) ** 2) + dc_next


def lstm_step_backward(dz_t, dc_t, cache):
    """Backward through one LSTM step, given δz_t and δc_t (B, H) -> dx_t, dz_prev,
    dc_prev, dp.

    ``dz_prev`` = Σ_• R_•ᵀ δa^•_t flows back to z_{t-1}; ``dc_prev`` = δc_t ⊙ f_t
    flows back along the cell path to c_{t-1}; ``dp`` holds this step's terms of the
    parameter gradients.
    """
    x_t, z_prev, c_prev = cache["x_t"], cache["z_prev"], cache["c_prev"]
    p = cache["p"]
    g_t, i_t, f_t, o_t = cache["g_t"], cache["i_t"], cache["f_t"], cache["o_t"]
    tanh_c = np.tanh(cache["c_t"])
    da = {"c": dc_t * i_t * (1 - g_t ** 2),        # δa^c_t = δc_t ⊙ i_t ⊙ (1 − g_t²)
          "in": dc_t * g_t * i_t * (1 - i_t),      # δa^in_t = δc_t ⊙ g_t ⊙ σ'(a^in_t)
          "for": dc_t * c_prev * f_t * (1 - f_t),  # δa^for_t = δc_t ⊙ c_{t-1} ⊙ σ'(·)
          # δa^out_t = δz_t ⊙ tanh c_t ⊙ σ'(·)
          "out": dz_t * tanh_c * o_t * (1 - o_t)}
    dp = {}
    for k, da_k in da.items():                       # each block • = c, in, for, out
        dp[f"W_{k}"] = da_k.T @ x_t                  # ∂L/∂W_•: δa^•_t x_tᵀ
        dp[f"R_{k}"] = da_k.T @ z_prev               # ∂L/∂R_•: δa^•_t z_{t-1}ᵀ
        dp[f"b_{k}"] = da_k.sum(axis=0)              # ∂L/∂b_•: δa^•_t
    dx_t = sum(da_k @ p[f"W_{k}"] for k, da_k in da.items())  # δx_t = Σ_• W_•ᵀ δa^•_t
    dz_prev = sum(da_k @ p[f"R_{k}"] for k, da_k in da.items())  # Σ_• R_•ᵀ δa^•_t
    # δc_t ⊙ f_t, on its way to c_{t-1}
    dc_prev = dc_t * f_t
    return dx_t, dz_prev, dc_prev, dp


def lstm_forward(x, z0, c0, p):
    """The LSTM over x (B, T, D) from z0, c0 (B, H) (None: zeros) -> z, c (B, T, H),
    caches."""
    xp, H = get_array_module(x), p["R_c"].shape[0]
    z_t = xp.zeros((x.shape[0], H), dtype=x.dtype) if z0 is None else z0
    c_t = xp.zeros((x.shape[0], H), dtype=x.dtype) if c0 is None else c0
    zs, cs, caches = [], [], []
    for t in range(x.shape[1]):
        z_t, c_t, cache = lstm_step_forward(x[:, t], z_t, c_t, p)
        zs.append(z_t)
        cs.append(c_t)
        caches.append(cache)
    return xp.stack(zs, axis=1), xp.stack(cs, axis=1), caches


def lstm_backward(dout, caches, dz_T=None, dc_T=None):
    """BPTT from dout (B, T, H) = ∂ℓ_t/∂z_t -> dx, dz0, dc0, dp, dz, dc.

    ``dz_T``, ``dc_T`` (B, H): gradients arriving at z_T and c_T from beyond the
    sequence (None: zero). Returns dx (B, T, D), dz0 = δz_0 and dc0 = δc_0 (B, H), dp
    (summed over the steps), dz = δz_t and dc = δc_t (B, T, H).
    """
    xp = get_array_module(dout)
    # Σ_• R_•ᵀ δa^•_{t+1}
    dz_next = xp.zeros_like(dout[:, 0]) if dz_T is None else dz_T
    # δc_{t+1} ⊙ f_{t+1}
    dc_next = xp.zeros_like(dout[:, 0]) if dc_T is None else dc_T
    T = len(caches)
    dx, dz, dc, dp = [None] * T, [None] * T, [None] * T, {}
    for t in reversed(range(T)):
        dz[t] = dout[:, t] + dz_next  # δz_t = ∂ℓ_t/∂z_t + Σ_• R_•ᵀ δa^•_{t+1}
        dc[t] = lstm_cell_gradient(dz[t], dc_next, caches[t])
        dx[t], dz_next, dc_next, dp_t = lstm_step_backward(dz[t], dc[t], caches[t])
        dp = {k: dp.get(k, 0) + term for k, term in dp_t.items()}  # ∂L/∂W = Σ_t term
    stack = xp.stack
    dx, dz, dc = stack(dx, axis=1), stack(dz, axis=1), stack(dc, axis=1)
    return dx, dz_next, dc_next, dp, dz, dc


# -- the gated recurrent unit (chapter 5) --------------------------------------

def gru_step_forward(x_t, z_prev, p, reset_after=True):
    """One GRU step: x_t (B, D) and z_prev = z_{t-1} (B, H) -> z_t (B, H), cache.

    ``p``: W_r, W_u, W_n (H, D); R_r, R_u, R_n (H, H); b_r, b_u, b_n (H,) and, when
    ``reset_after`` (the form of PyTorch and cuDNN), b_Rn (H,). ``reset_after=False``
    is the form of Cho et al. (2014), where the reset gate acts before R_n.
    """
    a_r = x_t @ p["W_r"].T + z_prev @ p["R_r"].T + p["b_r"]  # a^r_t
    a_u = x_t @ p["W_u"].T + z_prev @ p["R_u"].T + p["b_u"]  # a^u_t
    r_t = sigmoid(a_r)                               # r_t = σ(a^r_t), the reset gate
    u_t = sigmoid(a_u)                               # u_t = σ(a^u_t), the update gate
    if reset_after:
        # a^n_t = W_n x_t + b_n + r_t ⊙ (R_n z_{t-1} + b_Rn)
        a_n = x_t @ p["W_n"].T + p["b_n"] + r_t * (z_prev @ p["R_n"].T + p["b_Rn"])
    else:
        # a^n_t = W_n x_t + R_n (r_t ⊙ z_{t-1}) + b_n
        a_n = x_t @ p["W_n"].T + (r_t * z_prev) @ p["R_n"].T + p["b_n"]
    n_t = np.tanh(a_n)                    # n_t = tanh(a^n_t), the candidate
    z_t = (1 - u_t) * n_t + u_t * z_prev  # z_t = (1 − u_t) ⊙ n_t + u_t ⊙ z_{t-1}
    cache = {"x_t": x_t, "z_prev": z_prev, "p": p, "reset_after": reset_after,
             "r_t": r_t, "u_t": u_t, "n_t": n_t}
    return z_t, cache


def gru_step_backward(dz_t, cache):
    """Backward through one GRU step: dz_t = δz_t (B, H) -> dx_t, dz_prev, dp.

    ``dz_prev`` (B, H) is what flows back to z_{t-1} through this step: u_t ⊙ δz_t
    directly, plus the paths through a^r_t, a^u_t and a^n_t; ``dp`` holds this step's
    terms of the parameter gradients, summed over the batch.
    """
    x_t, z_prev, p = cache["x_t"], cache["z_prev"], cache["p"]
    r_t, u_t, n_t = cache["r_t"], cache["u_t"], cache["n_t"]
    dn = dz_t * (1 - u_t)        # δn_t = δz_t ⊙ (1 − u_t)
    du = dz_t * (z_prev - n_t)   # δu_t = δz_t ⊙ (z_{t-1} − n_t)
    da_n = dn * (1 - n_t ** 2)   # δa^n_t = δn_t ⊙ (1 − n_t²)
    da_u = du * u_t * (1 - u_t)  # δa^u_t = δu_t ⊙ σ'(a^u_t)
    dp = {}
    if cache["reset_after"]:
        # δr_t = δa^n_t ⊙ (R_n z_{t-1} + b_Rn)
        dr = da_n * (z_prev @ p["R_n"].T + p["b_Rn"])
        # δq_t for q_t = R_n z_{t-1} + b_Rn
        dq = da_n * r_t
        dp["R_n"] = dq.T @ z_prev                    # ∂L/∂R_n: δq_t z_{t-1}ᵀ
        dp["b_Rn"] = dq.sum(axis=0)                  # ∂L/∂b_Rn: δq_t
        dz_prev_n = dq @ p["R_n"]                    # R_nᵀ δq_t
    else:
        # δs_t = R_nᵀ δa^n_t for s_t = r_t ⊙ z_{t-1}
        ds = da_n @ p["R_n"]
        dr = ds * z_prev                             # δr_t = δs_t ⊙ z_{t-1}
        dp["R_n"] = da_n.T @ (r_t * z_prev)          # ∂L/∂R_n: δa^n_t s_tᵀ
        dz_prev_n = ds * r_t                         # δs_t ⊙ r_t
    da_r = dr * r_t * (1 - r_t)                      # δa^r_t = δr_t ⊙ σ'(a^r_t)
    da = {"r": da_r, "u": da_u, "n": da_n}
    for k, da_k in da.items():                       # each block • = r, u, n
        dp[f"W_{k}"] = da_k.T @ x_t                  # ∂L/∂W_•: δa^•_t x_tᵀ
        dp[f"b_{k}"] = da_k.sum(axis=0)              # ∂L/∂b_•: δa^•_t
    dp["R_r"] = da_r.T @ z_prev                      # ∂L/∂R_r: δa^r_t z_{t-1}ᵀ
    dp["R_u"] = da_u.T @ z_prev                      # ∂L/∂R_u: δa^u_t z_{t-1}ᵀ
    dx_t = sum(da_k @ p[f"W_{k}"] for k, da_k in da.items())  # δx_t = Σ_• W_•ᵀ δa^•_t
    # to z_{t-1}: directly through z_t, and through a^r_t, a^u_t and the candidate
    dz_prev = u_t * dz_t + da_r @ p["R_r"] + da_u @ p["R_u"] + dz_prev_n
    return dx_t, dz_prev, dp


def gru_forward(x, z0, p, reset_after=True):
    """The GRU over x (B, T, D) from z0 (B, H; None: zeros) -> z (B, T, H), caches."""
    xp, H = get_array_module(x), p["R_r"].shape[0]
    z_t = xp.zeros((x.shape[0], H), dtype=x.dtype) if z0 is None else z0
    zs, caches = [], []
    for t in range(x.shape[1]):
        z_t, cache = gru_step_forward(x[:, t], z_t, p, reset_after)
        zs.append(z_t)
        caches.append(cache)
    return xp.stack(zs, axis=1), caches


def gru_backward(dout, caches, dz_T=None):
    """BPTT from dout (B, T, H), the direct gradients ∂ℓ_t/∂z_t -> dx, dz0, dp, dz.

    ``dz_T`` (B, H): a gradient arriving at z_T from beyond the sequence (None: zero).
    Returns dx (B, T, D), dz0 = δz_0 (B, H), dp (summed over the steps) and
    dz = δz_t (B, T, H).
    """
    xp = get_array_module(dout)
    # from step t+1 to z_t
    dz_next = xp.zeros_like(dout[:, 0]) if dz_T is None else dz_T
    T = len(caches)
    dx, dz, dp = [None] * T, [None] * T, {}
    for t in reversed(range(T)):
        dz[t] = dout[:, t] + dz_next  # δz_t = ∂ℓ_t/∂z_t + (from step t+1)
        dx[t], dz_next, dp_t = gru_step_backward(dz[t], caches[t])
        dp = {k: dp.get(k, 0) + term for k, term in dp_t.items()}  # ∂L/∂W = Σ_t term
    return xp.stack(dx, axis=1), dz_next, dp, xp.stack(dz, axis=1)


# -- the LSTM's variants (chapter 5, after Greff et al. 2017) ------------------

def lstm_variant_step_forward(x_t, z_prev, c_prev, p, variant):
    """One step of an LSTM ``variant`` -> z_t, c_t (B, H), cache (shapes as
    ``lstm_step_forward``).

    ``variant``: "vanilla" (this is then ``lstm_step_forward``), "peephole" (the gates
    see the cell: p_in, p_for, p_out (H,)), "cifg" (f_t = 1 − i_t), "nfg" (f_t = 1),
    "nog" (o_t = 1) or "niaf" (g_t = a^c_t). ``p``: the parameters of ``LSTM(D, H,
    variant=variant)``; the coupled or absent gates have no W, R, b.
    """
    xp = get_array_module(x_t)
    a_c = x_t @ p["W_c"].T + z_prev @ p["R_c"].T + p["b_c"]      # a^c_t
    a_in = x_t @ p["W_in"].T + z_prev @ p["R_in"].T + p["b_in"]  # a^in_t
    if variant == "peephole":
        a_in = a_in + p["p_in"] * c_prev             # a^in_t += p_in ⊙ c_{t-1}
    # g_t = tanh(a^c_t); niaf: g_t = a^c_t
    g_t = a_c if variant == "niaf" else np.tanh(a_c)
    i_t = sigmoid(a_in)                              # i_t = σ(a^in_t)
    if variant == "cifg":
        f_t = 1 - i_t  # f_t = 1 − i_t
    elif variant == "nfg":
        f_t = xp.ones_like(i_t)  # f_t = 1
    else:
        a_for = x_t @ p["W_for"].T + z_prev @ p["R_for"].T + p["b_for"]  # a^for_t
        if variant == "peephole":
            a_for = a_for + p["p_for"] * c_prev  # a^for_t += p_for ⊙ c_{t-1}
        f_t = sigmoid(a_for)                     # f_t = σ(a^for_t)
    c_t = i_t * g_t + f_t * c_prev               # c_t = i_t ⊙ g_t + f_t ⊙ c_{t-1}
    if variant == "nog":
        o_t = xp.ones_like(i_t)  # o_t = 1
    else:
        a_out = x_t @ p["W_out"].T + z_prev @ p["R_out"].T + p["b_out"]  # a^out_t
        if variant == "peephole":
            a_out = a_out + p["p_out"] * c_t  # a^out_t += p_out ⊙ c_t, the new cell
        o_t = sigmoid(a_out)                  # o_t = σ(a^out_t)
    z_t = o_t * np.tanh(c_t)                  # z_t = o_t ⊙ tanh(c_t)
    cache = {"x_t": x_t, "z_prev": z_prev, "c_prev": c_prev, "p": p,
             "variant": variant, "g_t": g_t, "i_t": i_t, "f_t": f_t, "o_t": o_t,
             "c_t": c_t}
    return z_t, c_t, cache


def lstm_variant_cell_gradient(dz_t, dc_next, cache):
    """δc_t (B, H) of an LSTM variant: through z_t (and a^out_t with peepholes) and
    from step t+1.

    ``dc_next`` (B, H) is what flows back from step t+1 to c_t (``dc_prev`` of its
    ``lstm_variant_step_backward``), zero after the last step.
    """
    o_t, c_t = cache["o_t"], cache["c_t"]
    # δc_t = δz_t ⊙ o_t ⊙ (1 − tanh² c_t) + (from step t+1)
    dc_t = dz_t * o_t * (1 - np.tanh(c_t) ** 2) + dc_next
    if cache["variant"] == "peephole":
        da_out = dz_t * np.tanh(c_t) * o_t * (1 - o_t)  # δa^out_t
        dc_t = dc_t + cache["p"]["p_out"] * da_out      # δc_t += p_out ⊙ δa^out_t
    return dc_t


def lstm_variant_step_backward(dz_t, dc_t, cache):
    """Backward through one step of an LSTM variant, given δz_t and δc_t -> dx_t,
    dz_prev, dc_prev, dp.

    As ``lstm_step_backward``; ``dc_prev`` = δc_t ⊙ f_t, plus p_in ⊙ δa^in_t + p_for ⊙
    δa^for_t with peepholes.
    """
    x_t, z_prev, c_prev = cache["x_t"], cache["z_prev"], cache["c_prev"]
    p = cache["p"]
    g_t, i_t, f_t, o_t, c_t = (cache[k] for k in ("g_t", "i_t", "f_t", "o_t", "c_t"))
    variant = cache["variant"]
    da = {}
    if variant == "niaf":
        da["c"] = dc_t * i_t  # δa^c_t = δc_t ⊙ i_t
    else:
        da["c"] = dc_t * i_t * (1 - g_t ** 2)  # δa^c_t = δc_t ⊙ i_t ⊙ (1 − g_t²)
    if variant == "cifg":
        di = dc_t * (g_t - c_prev)  # δi_t = δc_t ⊙ (g_t − c_{t-1}), as f_t = 1 − i_t
    else:
        di = dc_t * g_t              # δi_t = δc_t ⊙ g_t
    da["in"] = di * i_t * (1 - i_t)  # δa^in_t = δi_t ⊙ σ'(a^in_t)
    if variant not in ("cifg", "nfg"):
        # δa^for_t = δc_t ⊙ c_{t-1} ⊙ σ'(a^for_t)
        da["for"] = dc_t * c_prev * f_t * (1 - f_t)
    if variant != "nog":
        da["out"] = dz_t * np.tanh(c_t) * o_t * (1 - o_t)  # δa^out_t
    dp = {}
    for k, da_k in da.items():                       # each block • the variant has
        dp[f"W_{k}"] = da_k.T @ x_t                  # ∂L/∂W_•: δa^•_t x_tᵀ
        dp[f"R_{k}"] = da_k.T @ z_prev               # ∂L/∂R_•: δa^•_t z_{t-1}ᵀ
        dp[f"b_{k}"] = da_k.sum(axis=0)              # ∂L/∂b_•: δa^•_t
    dx_t = sum(da_k @ p[f"W_{k}"] for k, da_k in da.items())  # δx_t = Σ_• W_•ᵀ δa^•_t
    dz_prev = sum(da_k @ p[f"R_{k}"] for k, da_k in da.items())  # Σ_• R_•ᵀ δa^•_t
    # δc_t ⊙ f_t, on its way to c_{t-1}
    dc_prev = dc_t * f_t
    if variant == "peephole":
        dc_prev = dc_prev + p["p_in"] * da["in"] + p["p_for"] * da["for"]
        dp["p_in"] = (da["in"] * c_prev).sum(axis=0)     # ∂L/∂p_in: δa^in_t ⊙ c_{t-1}
        # ∂L/∂p_for: δa^for_t ⊙ c_{t-1}
        dp["p_for"] = (da["for"] * c_prev).sum(axis=0)
        dp["p_out"] = (da["out"] * c_t).sum(axis=0)      # ∂L/∂p_out: δa^out_t ⊙ c_t
    return dx_t, dz_prev, dc_prev, dp


def lstm_variant_forward(x, z0, c0, p, variant):
    """An LSTM ``variant`` over x (B, T, D) from z0, c0 (B, H) (None: zeros) -> z, c
    (B, T, H), caches."""
    xp, H = get_array_module(x), p["R_c"].shape[0]
    z_t = xp.zeros((x.shape[0], H), dtype=x.dtype) if z0 is None else z0
    c_t = xp.zeros((x.shape[0], H), dtype=x.dtype) if c0 is None else c0
    zs, cs, caches = [], [], []
    for t in range(x.shape[1]):
        z_t, c_t, cache = lstm_variant_step_forward(x[:, t], z_t, c_t, p, variant)
        zs.append(z_t)
        cs.append(c_t)
        caches.append(cache)
    return xp.stack(zs, axis=1), xp.stack(cs, axis=1), caches


def lstm_variant_backward(dout, caches, dz_T=None, dc_T=None):
    """BPTT of an LSTM variant, as ``lstm_backward`` -> dx, dz0, dc0, dp, dz, dc."""
    xp = get_array_module(dout)
    # Σ_• R_•ᵀ δa^•_{t+1}
    dz_next = xp.zeros_like(dout[:, 0]) if dz_T is None else dz_T
    # from step t+1 to c_t
    dc_next = xp.zeros_like(dout[:, 0]) if dc_T is None else dc_T
    T = len(caches)
    dx, dz, dc, dp = [None] * T, [None] * T, [None] * T, {}
    for t in reversed(range(T)):
        dz[t] = dout[:, t] + dz_next  # δz_t = ∂ℓ_t/∂z_t + Σ_• R_•ᵀ δa^•_{t+1}
        dc[t] = lstm_variant_cell_gradient(dz[t], dc_next, caches[t])
        dx[t], dz_next, dc_next, dp_t = lstm_variant_step_backward(
            dz[t], dc[t], caches[t])
        dp = {k: dp.get(k, 0) + term for k, term in dp_t.items()}  # ∂L/∂W = Σ_t term
    stack = xp.stack
    dx, dz, dc = stack(dx, axis=1), stack(dz, axis=1), stack(dc, axis=1)
    return dx, dz_next, dc_next, dp, dz, dc


# -- the output layer ----------------------------------------------------------

def dense_forward(z, p):
    """The output layer y = W_hy z + b_hy: z (B, [T,] H) -> y (B, [T,] O), cache.

    ``p``: W (O, H) and b (O,), the names of the generic ``lstm_lib.Dense``; as the
    output layer they are the text's W_hy and b_hy.
    """
    y = z @ p["W"].T + p["b"]  # y = W_hy z + b_hy
    return y, {"z": z, "p": p}


def dense_backward(dy, cache):
    """dy = ∂L/∂y (shape of y) -> dz (shape of z), dp (summed over the batch and the
    steps)."""
    z, p = cache["z"], cache["p"]
    O, H = p["W"].shape
    dy_rows, z_rows = dy.reshape(-1, O), z.reshape(-1, H)
    dp = {"W": dy_rows.T @ z_rows,   # ∂L/∂W_hy = Σ ∂L/∂y zᵀ
          "b": dy_rows.sum(axis=0)}  # ∂L/∂b_hy = Σ ∂L/∂y
    dz = dy @ p["W"]                 # δz = W_hyᵀ ∂L/∂y
    return dz, dp
