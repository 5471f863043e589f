"""``lstm_lib.equations``, the book's readable code: against a hand computation and finite
differences; then the fast layers against it, to 1e-12, in every way they can be run."""
import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib import equations as eq

ACTIVATIONS = ["tanh", "sigmoid", "relu", "identity"]
TOL = dict(rtol=1e-12, atol=1e-12)


def _random_params(layer, rng):
    """Give every parameter of ``layer`` random values in [-1, 1] (larger than Glorot, so every term
    of the equations matters) and return host copies keyed by the book's names."""
    for value in layer.params.values():
        value[...] = rng.uniform(-1, 1, value.shape)
    return {name: np.array(value) for name, value in layer.params.items()}


def _assert_close(actual, expected, what):
    np.testing.assert_allclose(ll.to_numpy(actual), expected, err_msg=what, **TOL)


# -- equations on their own --------------------------------------------------------------------

def test_rnn_step_matches_chapter_1_hand_computation():
    """The network traced by hand in chapter 1: numbers computed there to 4 decimals."""
    p = {"W_xh": np.array([[1.0], [-0.5]]), "b_xh": np.array([0.1, 0.0]),
         "W_hh": np.array([[0.5, -1.0], [1.0, 0.5]]), "b_hh": np.array([0.0, 0.1])}
    z, _ = eq.rnn_forward(np.array([1.0, 0.5, -1.0]).reshape(1, 3, 1), None, p)
    np.testing.assert_allclose(z[0], [[0.8005, -0.3799], [0.8810, 0.4305], [-0.7114, 0.9349]],
                               atol=5e-5)
    y, _ = eq.dense_forward(z[:, -1], {"W": np.array([[1.0, -1.0]]), "b": np.array([0.0])})
    assert abs(y[0, 0] - (-1.6463)) < 5e-5


def test_lstm_step_matches_scalar_formulas():
    """One unit, one input: each gate by its scalar formula."""
    rng = np.random.default_rng(0)
    p = {f"{k}_{b}": rng.uniform(-1, 1, (1, 1)) for k in ("W", "R") for b in ("c", "in", "for", "out")}
    p.update({f"b_{b}": rng.uniform(-1, 1, 1) for b in ("c", "in", "for", "out")})
    x, z_prev, c_prev = 0.7, -0.3, 0.9

    def pre(b):
        return p[f"W_{b}"][0, 0] * x + p[f"R_{b}"][0, 0] * z_prev + p[f"b_{b}"][0]

    s = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    c = s(pre("in")) * np.tanh(pre("c")) + s(pre("for")) * c_prev
    z = s(pre("out")) * np.tanh(c)
    z_t, c_t, _ = eq.lstm_step_forward(np.array([[x]]), np.array([[z_prev]]), np.array([[c_prev]]), p)
    assert abs(c_t[0, 0] - c) < 1e-15 and abs(z_t[0, 0] - z) < 1e-15


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rnn_equations_match_finite_differences(fd, activation, rng):
    B, T, D, H = 2, 4, 3, 3
    p = _random_params(ll.RNN(D, H, activation, seed=0), rng)
    x, z0, dz_T = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    if activation == "relu":                        # keep pre-activations away from the kink
        x += np.sign(x) * 0.1
    r = rng.normal(size=(B, T, H))

    def loss():                                     # L = Σ r ⊙ z + dz_T · z_T
        z, _ = eq.rnn_forward(x, z0, p, activation)
        return float((z * r).sum() + (z[:, -1] * dz_T).sum())

    _, caches = eq.rnn_forward(x, z0, p, activation)
    dx, dz0, dp, _ = eq.rnn_backward(r, caches, dz_T)
    fd.check(loss, {**p, "x": x, "z0": z0}, {**dp, "x": dx, "z0": dz0})


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rtrl_gives_the_bptt_gradient_of_W_hh(fd, activation, rng):
    """Forward mode (RTRL) and reverse mode (BPTT) are two routes to one gradient."""
    B, T, D, H = 2, 5, 2, 3
    p = _random_params(ll.RNN(D, H, activation, seed=0), rng)
    x, z0, r = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, T, H))
    if activation == "relu":
        x += np.sign(x) * 0.1
    _, caches = eq.rnn_forward(x, z0, p, activation)
    S, dW_hh = np.zeros((B, H, H, H)), np.zeros((H, H))
    for t, cache in enumerate(caches):
        S = eq.rnn_rtrl_step(S, cache)
        dW_hh += np.einsum("bi,bijk->jk", r[:, t], S)
    np.testing.assert_allclose(dW_hh, eq.rnn_backward(r, caches)[2]["W_hh"], **TOL)

    def loss():
        return float((eq.rnn_forward(x, z0, p, activation)[0] * r).sum())

    fd.check(loss, {"W_hh": p["W_hh"]}, {"W_hh": dW_hh})


def test_lstm_equations_match_finite_differences(fd, rng):
    B, T, D, H = 2, 4, 3, 3
    p = _random_params(ll.LSTM(D, H, seed=0), rng)
    x, z0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    dz_T, dc_T, r = rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(B, T, H))

    def loss():                                     # L = Σ r ⊙ z + dz_T · z_T + dc_T · c_T
        z, c, _ = eq.lstm_forward(x, z0, c0, p)
        return float((z * r).sum() + (z[:, -1] * dz_T).sum() + (c[:, -1] * dc_T).sum())

    _, _, caches = eq.lstm_forward(x, z0, c0, p)
    dx, dz0, dc0, dp, _, _ = eq.lstm_backward(r, caches, dz_T, dc_T)
    fd.check(loss, {**p, "x": x, "z0": z0, "c0": c0}, {**dp, "x": dx, "z0": dz0, "c0": dc0})


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)], ids=["2d", "3d"])
def test_dense_equations_match_finite_differences(fd, shape, rng):
    p = _random_params(ll.Dense(4, 2, seed=0), rng)
    z, r = rng.normal(size=shape), rng.normal(size=shape[:-1] + (2,))
    _, cache = eq.dense_forward(z, p)
    dz, dp = eq.dense_backward(r, cache)
    fd.check(lambda: float((eq.dense_forward(z, p)[0] * r).sum()), {**p, "z": z}, {**dp, "z": dz})


def test_total_gradients_dz_and_dc_are_derivatives_of_the_loss(fd, rng):
    """δz_t and δc_t of lstm_backward: perturbing z_t or c_t and running the rest of the sequence."""
    B, T, D, H = 2, 4, 2, 3
    p = _random_params(ll.LSTM(D, H, seed=1), rng)
    x, r = rng.normal(size=(B, T, D)), rng.normal(size=(B, T, H))
    z, c, caches = eq.lstm_forward(x, None, None, p)
    *_, dz, dc = eq.lstm_backward(r, caches)
    t = 1
    o_t, c_t, shift = caches[t]["o_t"], c[:, t].copy(), np.zeros((B, H))

    def tail_loss():                                # L from c_t on, z_t = o_t ⊙ tanh(c_t) + shift
        z_t = o_t * np.tanh(c_t) + shift
        z_tail, _, _ = eq.lstm_forward(x[:, t + 1:], z_t, c_t, p)
        return float((z_t * r[:, t]).sum() + (z_tail * r[:, t + 1:]).sum())

    fd.check(tail_loss, {"shift": shift, "c_t": c_t}, {"shift": dz[:, t], "c_t": dc[:, t]})


# -- the fast layers against the equations -----------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rnn_layer_equals_equations(activation, rng):
    B, T, D, H = 3, 6, 2, 4
    layer = ll.RNN(D, H, activation, seed=0)
    p = _random_params(layer, rng)
    x, z0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H))
    dout, dz_T = rng.normal(size=(B, T, H)), rng.normal(size=(B, H))
    for state, final in ((None, None), (z0, dz_T)):
        z, caches = eq.rnn_forward(x, state, p, activation)
        dx, dz0, dp, dz = eq.rnn_backward(dout, caches, final)
        _assert_close(layer.forward(x, state), z, "z")
        _assert_close(layer.backward(dout, final), dx, "dx")
        _assert_close(layer.dh0, dz0, "dh0")
        _assert_close(layer.delta, dz, "delta")
        for name in p:
            _assert_close(layer.grads[name], dp[name], name)


def test_lstm_layer_equals_equations(rng, oracle):
    layer = ll.LSTM(2, 4, seed=0)
    _random_params(layer, rng)
    oracle.lstm(layer, eq.lstm_forward, eq.lstm_backward, rng)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_stepwise_layer_equals_equations_steps(kind, rng):
    """``step`` one time step at a time, then ``backward`` over all steps: the equations' sequence."""
    B, T, D, H = 2, 5, 3, 4
    layer = ll.RNN(D, H, seed=0) if kind == "rnn" else ll.LSTM(D, H, seed=0)
    p = _random_params(layer, rng)
    x, dout = rng.normal(size=(B, T, D)), rng.normal(size=(B, T, H))
    stepped = np.stack([layer.step(x[:, t]) for t in range(T)], axis=1)
    dx = layer.backward(dout)
    if kind == "rnn":
        z, caches = eq.rnn_forward(x, None, p)
        dx_eq, _, dp, _ = eq.rnn_backward(dout, caches)
    else:
        z, _, caches = eq.lstm_forward(x, None, None, p)
        dx_eq, _, _, dp, _, _ = eq.lstm_backward(dout, caches)
    _assert_close(stepped, z, "z")
    _assert_close(dx, dx_eq, "dx")
    for name in p:
        _assert_close(layer.grads[name], dp[name], name)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_truncated_bptt_equals_equations_on_the_last_chunk(kind, rng):
    """Chunks of k steps, the state carried forward, the gradient stopped at the chunk boundary:
    the layer's backward is the equations' backward over the last chunk from the carried state."""
    B, T, D, H, k = 2, 9, 2, 3, 3
    layer = ll.RNN(D, H, seed=0) if kind == "rnn" else ll.LSTM(D, H, seed=0)
    p = _random_params(layer, rng)
    x, dout = rng.normal(size=(B, T, D)), rng.normal(size=(B, k, H))
    state = ()
    for start in range(0, T, k):
        carried = state                             # the state the last chunk starts from
        layer.forward(x[:, start:start + k], *carried)
        state = layer.final_state if kind == "lstm" else (layer.final_state,)
    dx = layer.backward(dout)
    if kind == "rnn":
        _, caches = eq.rnn_forward(x[:, -k:], carried[0], p)
        dx_eq, dz0, dp, _ = eq.rnn_backward(dout, caches)
        _assert_close(layer.dh0, dz0, "dh0")
    else:
        _, _, caches = eq.lstm_forward(x[:, -k:], *carried, p)
        dx_eq, dz0, dc0, dp, _, _ = eq.lstm_backward(dout, caches)
        _assert_close(layer.dh0, dz0, "dh0")
        _assert_close(layer.dc0, dc0, "dc0")
    _assert_close(dx, dx_eq, "dx")
    for name in p:
        _assert_close(layer.grads[name], dp[name], name)


@pytest.mark.parametrize("shape", [(3, 4), (2, 5, 4)], ids=["2d", "3d"])
def test_dense_layer_equals_equations(shape, rng):
    layer = ll.Dense(4, 2, seed=0)
    p = _random_params(layer, rng)
    z, dy = rng.normal(size=shape), rng.normal(size=shape[:-1] + (2,))
    y, cache = eq.dense_forward(z, p)
    dz, dp = eq.dense_backward(dy, cache)
    _assert_close(layer.forward(z), y, "y")
    _assert_close(layer.backward(dy), dz, "dz")
    for name in p:
        _assert_close(layer.grads[name], dp[name], name)


def test_sequential_model_equals_composed_equations(rng):
    """LSTM -> last step -> Dense, forward and backward, against the equations composed by hand."""
    model = ll.Sequential([ll.LSTM(2, 3, seed=0), ll.LastStep(3), ll.Dense(3, 1, seed=1)])
    p_lstm = _random_params(model.layers[0], rng)
    p_dense = _random_params(model.layers[2], rng)
    x, dy = rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 1))
    z, _, caches = eq.lstm_forward(x, None, None, p_lstm)
    y, dense_cache = eq.dense_forward(z[:, -1], p_dense)
    dz_last, dp_dense = eq.dense_backward(dy, dense_cache)
    dout = np.zeros_like(z)
    dout[:, -1] = dz_last
    dx, _, _, dp_lstm, _, _ = eq.lstm_backward(dout, caches)
    _assert_close(model.forward(x), y, "y")
    _assert_close(model.backward(dy), dx, "dx")
    for name in p_lstm:
        _assert_close(model.grads[f"0.{name}"], dp_lstm[name], name)
    for name in p_dense:
        _assert_close(model.grads[f"2.{name}"], dp_dense[name], name)


def test_float32_layers_follow_the_equations_to_float32_precision(rng):
    layer = ll.LSTM(2, 3, seed=0, dtype=np.float32)
    x = rng.normal(size=(2, 4, 2)).astype(np.float32)
    p64 = {name: np.array(v, dtype=np.float64) for name, v in layer.params.items()}
    z, _, _ = eq.lstm_forward(x.astype(np.float64), None, None, p64)
    out = layer.forward(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, z, rtol=1e-5, atol=1e-6)
