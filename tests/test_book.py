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
        book.show(ll.LSTM._forward)
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



def _fd_state_jacobians(layer, x, state, h=1e-6):
    """∂s_T/∂s_t by central differences of lstm_lib.equations, restarted at s_t + h e_j -> (T, H, H)."""
    eq, p, H = ll.equations, layer.params, layer.hidden_size
    xb = x[None]
    if isinstance(layer, ll.RNN):
        z = eq.rnn_forward(xb, None, p, layer.activation)[0][0]
    else:
        z, c, caches = eq.lstm_forward(xb, None, None, p)
        z, c = z[0], c[0]
    J = np.zeros((len(x), H, H))
    for t in range(len(x)):
        for j in range(H):
            ends = []
            for sign in (1, -1):
                e = sign * h * np.eye(H)[j]
                if isinstance(layer, ll.RNN):
                    zs = eq.rnn_forward(xb[:, t + 1:], (z[t] + e)[None], p, layer.activation)[0] if t + 1 < len(x) else None
                    ends.append(zs[0, -1] if zs is not None else z[t] + e)
                    continue
                z_t, c_t = z[t], c[t]
                if state == "z":
                    z_t = z_t + e
                else:                                      # c_t moves, and z_t = o_t ⊙ tanh(c_t) with it
                    c_t = c_t + e
                    z_t = caches[t]["o_t"][0] * np.tanh(c_t)
                if t + 1 < len(x):
                    zs, cs, _ = eq.lstm_forward(xb[:, t + 1:], z_t[None], c_t[None], p)
                    z_t, c_t = zs[0, -1], cs[0, -1]
                ends.append(z_t if state == "z" else c_t)
            J[t][:, j] = (ends[0] - ends[1]) / (2 * h)   # column j: ∂s_T/∂(s_t)_j
    return J


@pytest.mark.parametrize("cell, state", [("rnn", "z"), ("lstm", "z"), ("lstm", "c")])
def test_state_jacobians_match_finite_differences_of_the_equations(cell, state):
    rng = np.random.default_rng(0)
    layer = ll.RNN(2, 3, seed=1) if cell == "rnn" else ll.LSTM(2, 3, seed=1)
    layer.theta[...] = rng.normal(scale=0.8, size=layer.theta.shape)   # biases too: no special point
    x = rng.normal(size=(6, 2))
    J = book.state_jacobians(layer, x, state)
    assert J.shape == (6, 3, 3)
    assert np.array_equal(J[-1], np.eye(3))                               # ∂s_T/∂s_T = I
    numeric = _fd_state_jacobians(layer, x, state)
    assert np.linalg.norm(J - numeric) / np.linalg.norm(J) < 1e-6
    assert np.linalg.norm(J[0]) > 1e-3                                    # not a check of zeros


def test_state_jacobians_of_the_cell_path_alone_are_products_of_forget_gates():
    lstm = ll.LSTM(1, 4, forget_bias=2.0, seed=0)
    for block in ll.lstm.BLOCKS:
        lstm.params[f"R_{block}"][...] = 0.0                            # gates no longer see z_{t-1}
    x = np.sin(np.arange(8.0))[:, None]
    J = book.state_jacobians(lstm, x, "c")
    lstm.forward(x[None])
    f = lstm.trace()["f"][0]                                              # (T, H)
    for t in range(8):
        np.testing.assert_allclose(J[t], np.diag(np.prod(f[t + 1:], axis=0)), rtol=1e-12, atol=1e-15)


def test_jacobian_norms_are_the_spectral_norms_of_the_jacobians():
    rnn = ll.RNN(1, 3, seed=0)
    rnn.params["W_hh"][...] = np.diag([1.5, 0.5, -0.2])                 # at rest: ||W^n|| = 1.5^n
    norms = book.jacobian_norms(rnn, np.zeros((7, 1)))
    np.testing.assert_allclose(norms, 1.5 ** np.arange(6, -1, -1), rtol=1e-12)
    lstm = ll.LSTM(1, 3, seed=0)
    x = np.sin(np.arange(6.0))[:, None]
    np.testing.assert_allclose(book.jacobian_norms(lstm, x, "c"),
                               np.linalg.svd(book.state_jacobians(lstm, x, "c"), compute_uv=False)[:, 0])


def test_state_jacobians_reject_what_they_cannot_measure(msg):
    with pytest.raises(ValueError, match=msg("state", "'c'", "['z']")):
        book.state_jacobians(ll.RNN(1, 2, seed=0), np.zeros((3, 1)), "c")
    with pytest.raises(ValueError, match=msg("state", "'h'")):
        book.state_jacobians(ll.LSTM(1, 2, seed=0), np.zeros((3, 1)), "h")
    with pytest.raises(ValueError, match=msg("x", "(*, 1)", "(3, 2)")):
        book.state_jacobians(ll.RNN(1, 2, seed=0), np.zeros((3, 2)))
    with pytest.raises(TypeError, match=msg("layer", "Dense")):
        book.state_jacobians(ll.Dense(1, 2, seed=0), np.zeros((3, 1)))


def test_spectral_norm_and_orthogonal():
    assert book.spectral_norm(np.diag([1.5, -0.1])) == pytest.approx(1.5)
    np.testing.assert_allclose(book.spectral_norm(np.stack([np.eye(2), 3 * np.eye(2)])), [1.0, 3.0])
    with pytest.raises(ValueError, match="M must be a matrix"):
        book.spectral_norm(np.ones(3))
    Q = book.orthogonal(5, seed=3)
    np.testing.assert_allclose(Q.T @ Q, np.eye(5), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(2 * Q, compute_uv=False), 2.0)
    assert np.array_equal(Q, book.orthogonal(5, seed=3)) and not np.allclose(Q, book.orthogonal(5, seed=4))
    with pytest.raises(ValueError, match="H must be >= 1"):
        book.orthogonal(0, seed=0)


def test_window_baselines_on_the_sine_windows():
    data = ll.sine_dataset(look_back=5)
    mse = book.window_baselines(data.X_train, data.y_train, data.X_test, data.y_test)
    assert mse["linear"] < 1e-20                    # sin on a grid is a linear recurrence
    assert mse["persistence"] == pytest.approx(np.mean((data.X_test[:, -1] - data.y_test) ** 2))
    assert mse["persistence"] > 0.05
    rng = np.random.default_rng(0)                  # noise: the linear fit is no better than chance
    X, y = rng.normal(size=(40, 3, 1)), rng.normal(size=(40, 1))
    assert book.window_baselines(X[:20], y[:20], X[20:], y[20:])["linear"] > 0.5
    with pytest.raises(ValueError, match="y_train"):
        book.window_baselines(data.X_train, data.y_train[:, 0], data.X_test, data.y_test)
    with pytest.raises(ValueError, match="X_test windows"):
        book.window_baselines(data.X_train, data.y_train, data.X_test[:, 1:], data.y_test)

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


def test_fisher_exact_matches_known_values():
    assert book.fisher_exact(8, 10, 1, 10) == pytest.approx(0.005477, abs=1e-6)
    assert book.fisher_exact(0, 10, 6, 10) == pytest.approx(0.010836, abs=1e-6)
    assert book.fisher_exact(5, 10, 0, 10) == pytest.approx(0.032508, abs=1e-6)
    assert book.fisher_exact(8, 10, 5, 10) == pytest.approx(0.349845, abs=1e-6)
    assert book.fisher_exact(3, 7, 3, 7) == 1.0
    assert book.fisher_exact(2, 5, 7, 9) == pytest.approx(book.fisher_exact(7, 9, 2, 5))
    with pytest.raises(ValueError, match="k1, n1"):
        book.fisher_exact(11, 10, 1, 10)
