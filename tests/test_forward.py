"""Parameter views, initialisation, dtypes and saturation of the forward passes (their values are
tested against ``lstm_lib.equations`` in test_equations.py)."""
import math

import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib import equations as eq


def _lstm_by_equations(layer, x):
    return eq.lstm_forward(x, None, None, {k: np.array(v) for k, v in layer.params.items()})[0]


def test_lstm_named_params_are_live_views():
    layer = ll.LSTM(2, 3, seed=0)
    x = np.random.default_rng(0).normal(size=(2, 4, 2))
    assert layer.params["W_in"].shape == (3, 2)
    assert layer.params["R_for"].shape == (3, 3)
    assert layer.params["b_out"].shape == (3,)
    before = layer.forward(x).copy()
    layer.params["W_in"][...] = 0.0  # input gate now depends only on R_in z + b_in
    after = layer.forward(x)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, _lstm_by_equations(layer, x), rtol=1e-12, atol=1e-13)
    # the views also see writes made elsewhere: one named array written through the dict object itself
    w = layer.params["R_c"]
    w += 0.25
    np.testing.assert_allclose(layer.forward(x), _lstm_by_equations(layer, x), rtol=1e-12, atol=1e-13)


def test_sequential_theta_shares_memory_with_layer_params():
    lstm, dense = ll.LSTM(1, 2, seed=0), ll.Dense(2, 1, seed=1)
    model = ll.Sequential([lstm, ll.LastStep(), dense])
    assert model.layers[0] is lstm and model.layers[2] is dense
    x = np.random.default_rng(1).normal(size=(3, 5, 1))
    for name in lstm.params:
        assert np.shares_memory(lstm.params[name], model.theta), name
        assert np.shares_memory(model.params[f"0.{name}"], lstm.params[name]), name
    before = model.forward(x).copy()
    model.theta[...] *= 0.5  # writing the flat vector changes every layer
    np.testing.assert_array_equal(lstm.params["W_c"], model.params["0.W_c"])
    assert not np.allclose(model.forward(x), before)
    model.params["2.b"][...] = 7.0
    assert dense.params["b"][0] == 7.0


def test_initialisation_glorot_uniform_zero_biases_and_forget_bias():
    D, H = 3, 5
    lstm = ll.LSTM(D, H, seed=0)
    for g in ("c", "in", "for", "out"):
        assert np.all(np.abs(lstm.params[f"W_{g}"]) <= math.sqrt(6 / (D + H)))
        assert np.all(np.abs(lstm.params[f"R_{g}"]) <= math.sqrt(6 / (2 * H)))
        assert np.std(lstm.params[f"W_{g}"]) > 0 and np.std(lstm.params[f"R_{g}"]) > 0
    for g in ("c", "in", "out"):
        np.testing.assert_array_equal(lstm.params[f"b_{g}"], 0.0)
    np.testing.assert_array_equal(lstm.params["b_for"], 1.0)
    np.testing.assert_array_equal(ll.LSTM(D, H, forget_bias=0.5, seed=0).params["b_for"], 0.5)
    rnn = ll.RNN(D, H, seed=0)
    assert np.all(np.abs(rnn.params["W_xh"]) <= math.sqrt(6 / (D + H)))
    assert np.all(np.abs(rnn.params["W_hh"]) <= math.sqrt(6 / (2 * H)))
    np.testing.assert_array_equal(rnn.params["b_xh"], 0.0)
    np.testing.assert_array_equal(rnn.params["b_hh"], 0.0)
    dense = ll.Dense(D, 2, seed=0)
    assert np.all(np.abs(dense.params["W"]) <= math.sqrt(6 / (D + 2)))
    np.testing.assert_array_equal(dense.params["b"], 0.0)


@pytest.mark.parametrize("make", [
    lambda s: ll.LSTM(2, 3, seed=s),
    lambda s: ll.RNN(2, 3, "tanh", seed=s),
    lambda s: ll.Dense(2, 3, seed=s),
], ids=["LSTM", "RNN", "Dense"])
def test_seeded_initialisation_is_reproducible(make):
    a, b, c = make(7), make(7), make(8)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert any(not np.array_equal(a.params[k], c.params[k]) for k in a.params)
    g1, g2 = make(np.random.default_rng(9)), make(np.random.default_rng(9))
    for k in g1.params:
        np.testing.assert_array_equal(g1.params[k], g2.params[k])


def test_float64_default_and_float32_allowed():
    x = np.random.default_rng(0).normal(size=(2, 3, 2))
    l64 = ll.LSTM(2, 3, seed=0)
    assert all(p.dtype == np.float64 for p in l64.params.values())
    assert l64.forward(x).dtype == np.float64
    l32 = ll.LSTM(2, 3, seed=0, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in l32.params.values())
    for k in l32.params:
        l32.params[k][...] = l64.params[k]
    z32 = l32.forward(x.astype(np.float32))
    assert z32.dtype == np.float32
    np.testing.assert_allclose(z32, l64.forward(x), rtol=1e-5, atol=1e-6)
    r32 = ll.RNN(2, 3, "tanh", seed=0, dtype=np.float32)
    assert r32.forward(x.astype(np.float32)).dtype == np.float32
    dx = r32.backward(np.ones((2, 3, 3), dtype=np.float32))
    assert dx.dtype == np.float32 and all(g.dtype == np.float32 for g in r32.grads.values())


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_saturating_activations_do_not_overflow(activation):
    """|pre-activation| > 700 (where exp overflows in float64) runs without any floating-point warning."""
    layer = ll.RNN(1, 2, activation, seed=0)
    layer.params["W_xh"][...] = np.array([[1.0], [-1.0]])
    layer.params["W_hh"][...] = 0.0
    x = np.array([750.0, -750.0, 1e4, -1e4, 709.8, -745.2, 1e300, -1e300]).reshape(1, -1, 1)
    with np.errstate(all="raise"), _no_warnings():
        z = layer.forward(x)
        layer.backward(np.ones_like(z))
    lo = 0.0 if activation == "sigmoid" else -1.0
    expected = np.where(x[0, :, 0] > 0, 1.0, lo)
    np.testing.assert_allclose(z[0, :, 0], expected, atol=1e-12)
    np.testing.assert_allclose(z[0, :, 1], lo + 1.0 - expected, atol=1e-12)
    assert np.all(np.isfinite(layer.grads["W_xh"]))


def test_lstm_gates_do_not_overflow_for_huge_inputs():
    layer = ll.LSTM(1, 2, seed=0)
    layer.params["W_in"][...] = 1.0
    layer.params["W_for"][...] = -1.0
    layer.params["W_out"][...] = 1.0
    x = np.array([800.0, -800.0, 1e5, -1e5]).reshape(2, 2, 1)
    with np.errstate(all="raise"), _no_warnings():
        z = layer.forward(x)
        layer.backward(np.ones_like(z))
    assert np.all(np.isfinite(z)) and np.all(np.abs(z) <= 1.0)
    assert all(np.all(np.isfinite(g)) for g in layer.grads.values())


class _no_warnings:
    """Turn every warning into an error inside the block."""

    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def test_renom_init_is_glorot_normal_over_the_fused_matrices():
    D, H = 3, 40
    lstm = ll.LSTM(D, H, init="renom", seed=0)
    W, R = lstm.params["W_c"], lstm.params["R_c"]       # one block of the fused matrices
    all_W = np.concatenate([lstm.params[f"W_{b}"] for b in ("c", "in", "for", "out")])
    assert abs(all_W.std() / math.sqrt(2 / (D + 4 * H)) - 1) < 0.1
    all_R = np.concatenate([lstm.params[f"R_{b}"] for b in ("c", "in", "for", "out")])
    assert abs(all_R.std() / math.sqrt(2 / (H + 4 * H)) - 1) < 0.05
    assert W.shape == (H, D) and R.shape == (H, H)
    np.testing.assert_array_equal(lstm.params["b_for"], 1.0)
    dense = ll.Dense(200, 100, init="renom", seed=0)
    assert abs(dense.params["W"].std() / math.sqrt(2 / 300) - 1) < 0.05
    with pytest.raises(ValueError, match="init must be one of"):
        ll.LSTM(1, 2, init="normal")
