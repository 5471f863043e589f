"""Helpers the book's chapters share: set-up, showing library code, tables, checks and small metrics.

Every chapter starts with ``from lstm_lib import book; book.setup()`` and then uses

* ``book.show(func)``: the source of a public ``lstm_lib`` function (the chapters show
  ``lstm_lib.equations``), as a highlighted code block;
* ``book.table(header, rows)``: a Markdown table;
* ``book.check(condition, claim)``: an assertion that prints ``checked: <claim>`` when it holds, so a
  folded check cell still tells the reader what was verified;
* ``book.corr``, ``book.nmse``, ``book.below``: numbers the chapters compare and print;
* ``book.interval(k, n)``: a 95 % interval for a success rate seen as k out of n runs.

Measurements several chapters repeat: ``book.state_jacobians`` (the Jacobians ∂s_T/∂s_t of a recurrent
layer for every lag, from one backward pass) and ``book.jacobian_norms`` (their spectral norms),
``book.spectral_norm``, ``book.orthogonal``, and ``book.window_baselines`` (persistence and the
least-squares linear predictor on the same windows).

matplotlib and IPython come with the ``book`` extra; they are imported where used.
"""
import inspect

import numpy as np

from .backend import to_numpy
from .checks import float_array, positive_int, shape

#: width of a full-column figure in inches; at ``FIGURE_DPI`` it is drawn at the column's width, so
#: the fonts below appear at their nominal size
FIGURE_WIDTH = 7.0
FIGURE_DPI = 100
FONT_SIZE = 10  # points; tick labels and legends at least 9


def setup():
    """Make the notebook's figures and printed numbers look the same in every chapter.

    Figures: 2x PNG (sharp on high-density screens, sized by width metadata), 10 pt text, 9 pt ticks and
    legends, width ``FIGURE_WIDTH``. Printed arrays: 4 decimals, no scientific notation for small values.
    """
    import matplotlib.pyplot as plt
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
    plt.rcParams.update({
        "figure.dpi": FIGURE_DPI, "savefig.dpi": 2 * FIGURE_DPI,
        "figure.figsize": (FIGURE_WIDTH, FIGURE_WIDTH / 2), "figure.constrained_layout.use": True,
        "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE, "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": FONT_SIZE - 1, "ytick.labelsize": FONT_SIZE - 1,
        "legend.fontsize": FONT_SIZE - 1, "legend.framealpha": 0.85,
    })
    np.set_printoptions(precision=4, suppress=True)


def show(func):
    """Display the source of the public library function ``func`` as a Python code block."""
    name = getattr(func, "__qualname__", None)
    module = getattr(func, "__module__", "") or ""
    if name is None or not callable(func):
        raise TypeError(f"func must be a function or class of lstm_lib, got {type(func).__name__}")
    if not module.startswith("lstm_lib") or any(part.startswith("_") for part in name.split(".")):
        raise ValueError(f"func must be a public lstm_lib function, got {module}.{name}")
    from IPython.display import Markdown, display

    display(Markdown(f"```python\n# {module}.{name}\n{inspect.getsource(func).rstrip()}\n```"))


def table(header, rows):
    """Display ``rows`` (sequences of cells, each as long as ``header``) as a Markdown table."""
    header = [str(h) for h in header]
    rows = [list(r) for r in rows]
    for k, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(f"rows[{k}] has {len(row)} cells, expected {len(header)} (one per header)")
    from IPython.display import Markdown, display

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))


def check(condition, claim):
    """Assert ``condition``; print ``checked: claim`` if it holds, raise AssertionError(claim) if not."""
    if not isinstance(claim, str) or not claim:
        raise TypeError(f"claim must be a non-empty str, got {claim!r}")
    if not bool(condition):
        raise AssertionError(f"claim does not hold: {claim}")
    print(f"checked: {claim}")


def corr(a, b):
    """Pearson correlation of two arrays of the same size (flattened)."""
    a, b = np.ravel(to_numpy(a)), np.ravel(to_numpy(b))
    if a.size != b.size or a.size < 2:
        raise ValueError(f"a and b must hold the same number (>= 2) of values, got {a.size} and {b.size}")
    return float(np.corrcoef(a, b)[0, 1])


def nmse(pred, target):
    """Mean squared error relative to the variance of ``target``: 0 is perfect, 1 is predicting the mean."""
    pred, target = np.asarray(to_numpy(pred), float), np.asarray(to_numpy(target), float)
    if pred.shape != target.shape:
        raise ValueError(f"pred must have the shape of target {target.shape}, got {pred.shape}")
    var = float(np.var(target))
    if not var > 0:
        raise ValueError("target must vary: its variance is 0, so a relative error is undefined")
    return float(np.mean((pred - target) ** 2) / var)



def spectral_norm(M):
    """σ_max, the largest singular value, of a matrix (m, n) -> float; of a stack (..., m, n) -> array (...)."""
    M = float_array(M, "M", np)
    if M.ndim < 2:
        raise ValueError(f"M must be a matrix (m, n) or a stack of them (..., m, n), got shape {M.shape}")
    norms = np.linalg.norm(M, 2, axis=(-2, -1))
    return float(norms) if M.ndim == 2 else norms


def orthogonal(H, seed):
    """A random orthogonal matrix Q (H, H), QᵀQ = I, drawn uniformly (Haar) from ``seed``.

    Every singular value of s·Q is |s|, and so is every eigenvalue's modulus.
    """
    H = positive_int(H, "H")
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(H, H)))
    return q * np.sign(np.diag(r))          # the sign fix makes the distribution uniform


def state_jacobians(layer, x, state="z"):
    """∂s_T/∂s_t for t = 1..T of the recurrent ``layer`` on one sequence ``x`` (T, D) -> (T, H, H), numpy.

    ``state``: ``"z"``, the hidden state (``layer.delta``), or ``"c"``, an LSTM's cell state
    (``layer.delta_c``). Entry [t - 1] is the Jacobian of s_T with respect to s_t, each as the layer's
    backward pass differentiates it (an LSTM's δc_t includes the path through z_t = o_t ⊙ tanh(c_t);
    its δz_t holds c_t fixed). Row b of ∂s_T/∂s_t is (∂s_T/∂s_t)ᵀ e_b, the δs_t that BPTT computes
    when the only gradient is the unit vector e_b arriving at s_T: the layer runs H copies of ``x`` as
    one batch, copy b receiving e_b, so one forward and one backward pass give every lag.
    """
    states = getattr(layer, "state_names", None)
    if not states or not hasattr(layer, "hidden_size"):
        raise TypeError(f"layer must be a recurrent lstm_lib layer (RNN, LSTM, ...), got {type(layer).__name__}")
    slots = {"z": ("h0", "delta"), "c": ("c0", "delta_c")}
    if state not in slots or slots[state][0] not in states:
        allowed = [s for s, (name, _) in slots.items() if name in states]
        raise ValueError(f"state must be one of {allowed} for {type(layer).__name__}, got {state!r}")
    x = shape(float_array(x, "x", np), "x", (None, layer.input_size))
    H, T = layer.hidden_size, x.shape[0]
    batch = layer.xp.asarray(np.repeat(x[None], H, axis=0), dtype=layer.dtype)   # (H, T, D)
    layer.forward(batch)
    dfinal = [None] * len(states)
    dfinal[states.index(slots[state][0])] = layer.xp.eye(H, dtype=layer.dtype)   # copy b gets e_b at s_T
    layer.backward(layer.xp.zeros((H, T, H), dtype=layer.dtype), *dfinal)
    return to_numpy(getattr(layer, slots[state][1])).transpose(1, 0, 2)          # [t, b, :] = row b


def jacobian_norms(layer, x, state="z"):
    """||∂s_T/∂s_t|| (spectral norm) for t = 1..T of the recurrent ``layer`` on ``x`` (T, D) -> (T,), numpy.

    How strongly the last state depends on each earlier one: ``spectral_norm`` of ``state_jacobians``.
    """
    return spectral_norm(state_jacobians(layer, x, state))


def window_baselines(X_train, y_train, X_test, y_test):
    """Test MSE of the two predictors to try before a network, on windows X (N, L, D) -> targets y (N, D).

    ``"persistence"``: the next value is the last one seen, ŷ = x_L. ``"linear"``: ŷ = A vec(X) + b,
    the least-squares fit on the training windows; on the sine grid it is exact up to rounding,
    since sin on a uniform grid obeys y_{k+1} = 2 cos(Δ) y_k − y_{k−1}.
    """
    arrays = {}
    for name, a in (("X_train", X_train), ("y_train", y_train), ("X_test", X_test), ("y_test", y_test)):
        arrays[name] = float_array(to_numpy(a), name, np)
    Xtr, ytr, Xte, yte = arrays["X_train"], arrays["y_train"], arrays["X_test"], arrays["y_test"]
    for X, y, tag in ((Xtr, ytr, "train"), (Xte, yte, "test")):
        if X.ndim != 3 or y.shape != (X.shape[0], X.shape[2]):
            raise ValueError(f"X_{tag} must be (N, L, D) and y_{tag} (N, D), got {X.shape} and {y.shape}")
    if Xte.shape[1:] != Xtr.shape[1:]:
        raise ValueError(f"X_test windows must have the shape of X_train's {Xtr.shape[1:]}, got {Xte.shape[1:]}")

    def design(X):
        return np.hstack([X.reshape(len(X), -1), np.ones((len(X), 1))])

    coef = np.linalg.lstsq(design(Xtr), ytr, rcond=None)[0]
    return {"persistence": float(np.mean((Xte[:, -1] - yte) ** 2)),
            "linear": float(np.mean((design(Xte) @ coef - yte) ** 2))}


def below(value, floor=1e-8):
    """A small non-negative number for printing: ``"< floor"`` where rounding noise dominates, else 1 digit."""
    return f"< {floor:.0e}" if value < floor else f"{value:.1e}"


def interval(k, n, z=1.96):
    """Wilson score interval (95 % for z = 1.96) of a success probability seen as ``k`` out of ``n`` -> (lo, hi).

    Unlike k/n ± z·sqrt(p(1-p)/n) it stays inside [0, 1] and is not empty for k = 0 or k = n, which
    matters for the handfuls of seeds the chapters run (Wilson 1927; Brown, Cai and DasGupta 2001).
    """
    if isinstance(k, bool) or isinstance(n, bool) or int(k) != k or int(n) != n or not 0 <= k <= n or n < 1:
        raise ValueError(f"k and n must be integers with 0 <= k <= n and n >= 1, got k={k!r}, n={n!r}")
    p, z2 = k / n, z * z
    center = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, float(center - half)), min(1.0, float(center + half))


def fisher_exact(k1, n1, k2, n2):
    """Two-sided p-value of Fisher's exact test: ``k1`` successes of ``n1`` runs against ``k2`` of ``n2``.

    The probability, with the margins fixed, of a table as unlikely as the one seen or less (the usual
    two-sided convention). Two Wilson intervals that overlap do not show that two rates are equal;
    a small p-value does show that they differ.
    """
    from math import comb

    for name, (k, n) in {"k1, n1": (k1, n1), "k2, n2": (k2, n2)}.items():
        if isinstance(k, bool) or isinstance(n, bool) or int(k) != k or int(n) != n or not 0 <= k <= n \
                or n < 1:
            raise ValueError(f"{name} must be integers with 0 <= k <= n and n >= 1, got {k!r}, {n!r}")
    k1, n1, k2, n2 = int(k1), int(n1), int(k2), int(n2)
    total = k1 + k2

    def probability(k):                                   # k successes in the first group
        return comb(n1, k) * comb(n2, total - k) / comb(n1 + n2, total)

    seen = probability(k1)
    tables = range(max(0, total - n2), min(total, n1) + 1)
    return min(1.0, sum(p for p in map(probability, tables) if p <= seen * (1 + 1e-9)))
