"""lstm_lib.book, the chapters' shared helpers."""
import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib import book


def test_check_prints_the_claim_or_raises_with_it(capsys):
    book.check(np.all(np.arange(3) < 3), "every index is below 3")
    assert capsys.readouterr().out == "checked: every index is below 3\n"
    with pytest.raises(AssertionError, match="the sky is green"):
        book.check(False, "the sky is green")
    with pytest.raises(TypeError, match="claim"):
        book.check(True, "")


def test_show_displays_public_library_code_and_refuses_private(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    book.show(ll.equations.rnn_step_forward)
    text = shown[0].data
    assert text.startswith("```python\n# lstm_lib.equations.rnn_step_forward\ndef rnn_step_forward(")
    with pytest.raises(ValueError, match="public lstm_lib function"):
        book.show(ll.equations._accumulate)
    with pytest.raises(ValueError, match="public lstm_lib function"):
        book.show(np.mean)
    with pytest.raises(TypeError, match="func"):
        book.show(3)


def test_table_renders_markdown_and_checks_row_lengths(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    book.table(["a", "b"], [(1, 2.5), ("x", "y")])
    assert shown[0].data == "| a | b |\n| --- | --- |\n| 1 | 2.5 |\n| x | y |"
    with pytest.raises(ValueError, match=r"rows\[1\] has 1 cells, expected 2"):
        book.table(["a", "b"], [(1, 2), (3,)])


def test_metrics():
    assert book.corr([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert book.nmse([1.0, 3.0], [1.0, 3.0]) == 0.0
    assert book.nmse([2.0, 2.0], [1.0, 3.0]) == pytest.approx(1.0)   # predicting the mean
    with pytest.raises(ValueError, match="variance is 0"):
        book.nmse([1.0, 1.0], [2.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        book.nmse([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="same number"):
        book.corr([1, 2], [1, 2, 3])
    assert book.below(1e-12) == "< 1e-08" and book.below(3.14e-3) == "3.1e-03"


def test_setup_sets_legible_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    book.setup()
    assert plt.rcParams["font.size"] >= 10 and plt.rcParams["xtick.labelsize"] >= 9
    assert plt.rcParams["legend.fontsize"] >= 9
    assert plt.rcParams["savefig.dpi"] == 2 * plt.rcParams["figure.dpi"]


def test_interval_is_the_wilson_score_interval():
    lo, hi = book.interval(7, 10)
    assert (round(lo, 3), round(hi, 3)) == (0.397, 0.892)        # Wilson's interval for 7/10
    assert book.interval(0, 10)[0] == 0.0 and 0.2 < book.interval(0, 10)[1] < 0.35
    assert book.interval(10, 10)[1] == 1.0 and 0.65 < book.interval(10, 10)[0] < 0.8
    lo, hi = book.interval(50, 100)
    assert lo == pytest.approx(1 - hi) and hi - lo < 0.2
    for k, n in ((3, 2), (-1, 5), (1.5, 3), (0, 0), (True, 3)):
        with pytest.raises(ValueError, match="k and n"):
            book.interval(k, n)


def test_jacobian_norms_equal_explicit_products():
    """For an RNN, ∂z_T/∂z_t is the product of diag(1 - z_k²) W_hh over k > t."""
    rng = np.random.default_rng(0)
    layer = ll.RNN(1, 3, seed=0)
    x = rng.normal(size=(6, 1))
    norms = book.jacobian_norms(layer, x)
    z = layer.forward(x[None])[0]
    product = np.eye(3)
    for t in range(5, 0, -1):                       # dz_T/dz_t for t = T-1, ..., 1 (0-based index t - 1)
        product = product @ (np.diag(1 - z[t] ** 2) @ layer.params["W_hh"])
        assert norms[t - 1] == pytest.approx(np.linalg.norm(product, 2), rel=1e-12)
    assert norms[-1] == pytest.approx(1.0)
    lstm = ll.LSTM(1, 3, seed=0)
    assert book.jacobian_norms(lstm, x, "c").shape == (6,)
    with pytest.raises(ValueError, match="state"):
        book.jacobian_norms(layer, x, "c")
    with pytest.raises(ValueError, match="shape"):
        book.jacobian_norms(layer, x[:, 0])
