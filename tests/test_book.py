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


def test_interval_is_wilsons():
    low, high = book.interval(7, 10)
    assert (round(low, 4), round(high, 4)) == (0.3968, 0.8922)      # Wilson 95 %, tabulated
    assert book.interval(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert book.interval(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)
    low, high = book.interval(50, 100)
    assert low == pytest.approx(1 - high) and low < 0.5 < high       # symmetric around 1/2
    with pytest.raises(ValueError, match="successes=11, trials=10"):
        book.interval(11, 10)
    with pytest.raises(ValueError, match="trials=0"):
        book.interval(0, 0)
    with pytest.raises(TypeError, match="successes must be an int, got float"):
        book.interval(0.7, 1)
    with pytest.raises(ValueError, match="z must be"):
        book.interval(1, 2, z=0)
