"""Helpers the book's chapters share: set-up, showing library code, tables, checks and small metrics.

Every chapter starts with ``from lstm_lib import book; book.setup()`` and then uses

* ``book.show(func)``: the source of a public ``lstm_lib`` function (the chapters show
  ``lstm_lib.equations``), as a highlighted code block;
* ``book.table(header, rows)``: a Markdown table;
* ``book.check(condition, claim)``: an assertion that prints ``checked: <claim>`` when it holds, so a
  folded check cell still tells the reader what was verified;
* ``book.corr``, ``book.nmse``, ``book.below``: numbers the chapters compare and print;
* ``book.interval(k, n)``: the Wilson 95 % interval of a success rate ``k / n`` from a few seeds.

matplotlib and IPython come with the ``book`` extra; they are imported where used.
"""
import inspect
import numbers

import numpy as np

from .backend import to_numpy

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


def below(value, floor=1e-8):
    """A small non-negative number for printing: ``"< floor"`` where rounding noise dominates, else 1 digit."""
    return f"< {floor:.0e}" if value < floor else f"{value:.1e}"


def interval(successes, trials, z=1.96):
    """Wilson score interval of the success rate ``successes / trials`` -> (low, high) in [0, 1].

    With ``z = 1.96`` it is the 95 % interval (Wilson 1927): for small samples, unlike the normal
    approximation, it stays inside [0, 1] and is not empty at 0 or ``trials`` successes, e.g.
    7 of 10 -> (0.40, 0.89) and 0 of 10 -> (0, 0.28).
    """
    for name, value in (("successes", successes), ("trials", trials)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"successes and trials must satisfy 0 <= successes <= trials and trials >= 1, "
                         f"got successes={successes}, trials={trials}")
    if isinstance(z, bool) or not isinstance(z, numbers.Real) or not z > 0:
        raise ValueError(f"z must be a positive number, got {z!r}")
    n, p, z2 = trials, successes / trials, float(z) ** 2
    center = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, float(center - half)), min(1.0, float(center + half))
