"""Backward passes against central finite differences (float64, relative error < 1e-6).

Each check perturbs every parameter (in place, through the layer's ``params``), the input and the
initial state(s), with the scalar loss L = sum(out * dout) [+ sum(z_T * dh_T) + sum(c_T * dc_T)].
"""
import numpy as np
import pytest

import lstm_lib as ll

ACTIVATIONS = ["tanh", "sigmoid", "relu", "identity"]
# (B, T, D, H, with non-zero initial state(s), with final-state gradient(s))
RECURRENT_CASES = [
    (1, 1, 1, 1, False, False),
    (1, 1, 2, 3, True, True),
    (3, 1, 2, 3, True, False),
    (2, 4, 3, 2, True, True),
    (1, 5, 3, 3, False, True),
    (3, 3, 1, 4, True, True),
]
CASE_IDS = [f"B{b}-T{t}-D{d}-H{h}{'-h0' if s0 else ''}{'-dhT' if sT else ''}" for b, t, d, h, s0, sT in RECURRENT_CASES]


def _rnn_setup(activation, B, T, D, H, with_h0, with_dhT, seed=0):
    rng = np.random.default_rng(seed)
    layer = ll.RNN(D, H, activation, seed=seed + 1)
    for p in layer.params.values():  # non-zero biases so their gradients are exercised generically
        p[...] = rng.uniform(-0.8, 0.8, p.shape)
    if activation == "relu":  # keep most units active so the check is not dominated by zeros
        layer.params["b_xh"][...] += 1.5
    x = rng.normal(size=(B, T, D))
    h0 = rng.normal(scale=0.7, size=(B, H)) if with_h0 else None
    dout = rng.normal(size=(B, T, H))
    dh_T = rng.normal(size=(B, H)) if with_dhT else None
    return layer, x, h0, dout, dh_T


@pytest.mark.parametrize("case", RECURRENT_CASES, ids=CASE_IDS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rnn_backward_matches_finite_differences(fd, activation, case):
    layer, x, h0, dout, dh_T = _rnn_setup(activation, *case)

    def loss():
        z = layer.forward(x, h0=h0)
        value = np.sum(z * dout)
        if dh_T is not None:
            value += np.sum(layer.final_state * dh_T)
        return value

    z = layer.forward(x, h0=h0)
    assert z.shape == dout.shape and z.dtype == np.float64
    np.testing.assert_array_equal(layer.final_state, z[:, -1])
    dx = layer.backward(dout, dh_T=dh_T)
    assert dx.shape == x.shape
    assert set(layer.grads) == {"W_xh", "b_xh", "W_hh", "b_hh"} == set(layer.params)
    analytic = {k: np.array(g) for k, g in layer.grads.items()}
    arrays = dict(layer.params)
    analytic["x"], arrays["x"] = dx.copy(), x
    if h0 is not None:
        analytic["h0"], arrays["h0"] = np.array(layer.dh0), h0
    fd.check(loss, arrays, analytic)


def _lstm_setup(B, T, D, H, with_states, with_final, seed=0):
    rng = np.random.default_rng(seed)
    layer = ll.LSTM(D, H, seed=seed + 1)
    for p in layer.params.values():
        p[...] = rng.uniform(-0.9, 0.9, p.shape)
    x = rng.normal(size=(B, T, D))
    h0 = rng.normal(scale=0.5, size=(B, H)) if with_states else None
    c0 = rng.normal(scale=0.8, size=(B, H)) if with_states else None
    dout = rng.normal(size=(B, T, H))
    dh_T = rng.normal(size=(B, H)) if with_final else None
    dc_T = rng.normal(size=(B, H)) if with_final else None
    return layer, x, h0, c0, dout, dh_T, dc_T


LSTM_PARAMS = {f"{k}_{g}" for k in "WRb" for g in ("c", "in", "for", "out")}


@pytest.mark.parametrize("case", RECURRENT_CASES, ids=CASE_IDS)
def test_lstm_backward_matches_finite_differences(fd, case):
    layer, x, h0, c0, dout, dh_T, dc_T = _lstm_setup(*case)

    def loss():
        z = layer.forward(x, h0=h0, c0=c0)
        value = np.sum(z * dout)
        zT, cT = layer.final_state
        if dh_T is not None:
            value += np.sum(zT * dh_T) + np.sum(cT * dc_T)
        return value

    z = layer.forward(x, h0=h0, c0=c0)
    assert z.shape == dout.shape and z.dtype == np.float64
    zT, cT = layer.final_state
    np.testing.assert_array_equal(zT, z[:, -1])
    np.testing.assert_array_equal(cT, layer.trace()["c"][:, -1])
    dx = layer.backward(dout, dh_T=dh_T, dc_T=dc_T)
    assert dx.shape == x.shape
    assert set(layer.grads) == LSTM_PARAMS == set(layer.params)
    analytic = {k: np.array(g) for k, g in layer.grads.items()}
    arrays = dict(layer.params)
    analytic["x"], arrays["x"] = dx.copy(), x
    if h0 is not None:
        analytic["h0"], arrays["h0"] = np.array(layer.dh0), h0
        analytic["c0"], arrays["c0"] = np.array(layer.dc0), c0
    fd.check(loss, arrays, analytic)


def test_initial_state_gradients_with_default_zero_state(fd):
    """dh0/dc0 after forward(x) without states equal the gradients w.r.t. explicit zero states."""
    layer, x, _, _, dout, _, _ = _lstm_setup(2, 3, 2, 3, False, False, seed=5)
    h0, c0 = np.zeros((2, 3)), np.zeros((2, 3))
    layer.forward(x)
    layer.backward(dout)
    analytic = {"h0": np.array(layer.dh0), "c0": np.array(layer.dc0)}
    fd.check(lambda: np.sum(layer.forward(x, h0=h0, c0=c0) * dout), {"h0": h0, "c0": c0}, analytic)
    rnn, x, _, dout, _ = _rnn_setup("tanh", 2, 3, 2, 3, False, False, seed=6)
    rnn.forward(x)
    rnn.backward(dout)
    fd.check(lambda: np.sum(rnn.forward(x, h0=h0) * dout), {"h0": h0}, {"h0": np.array(rnn.dh0)})


@pytest.mark.parametrize("shape", [(4, 3), (1, 2), (2, 5, 3), (1, 1, 2)], ids=str)
def test_dense_backward_matches_finite_differences(fd, shape):
    rng = np.random.default_rng(3)
    layer = ll.Dense(shape[-1], 2, seed=4)
    layer.params["b"][...] = rng.normal(size=2)
    x = rng.normal(size=shape)
    dout = rng.normal(size=shape[:-1] + (2,))
    y = layer.forward(x)
    assert y.shape == dout.shape
    np.testing.assert_allclose(y, x @ layer.params["W"].T + layer.params["b"], rtol=1e-13, atol=1e-14)
    dx = layer.backward(dout)
    assert set(layer.grads) == {"W", "b"} == set(layer.params)
    analytic = {k: np.array(g) for k, g in layer.grads.items()} | {"x": dx.copy()}
    fd.check(lambda: np.sum(layer.forward(x) * dout), dict(layer.params) | {"x": x}, analytic)


def test_laststep_forward_backward(fd):
    rng = np.random.default_rng(8)
    layer = ll.LastStep()
    assert layer.params == {} and layer.grads == {}
    x = rng.normal(size=(3, 4, 2))
    dout = rng.normal(size=(3, 2))
    np.testing.assert_array_equal(layer.forward(x), x[:, -1])
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_array_equal(dx[:, -1], dout)
    np.testing.assert_array_equal(dx[:, :-1], 0.0)
    fd.check(lambda: np.sum(layer.forward(x) * dout), {"x": x}, {"x": dx.copy()})


@pytest.mark.parametrize("shape", [(5, 1), (1, 1), (3, 4, 2)], ids=str)
def test_mse_value_and_gradient(fd, shape):
    rng = np.random.default_rng(9)
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    value, dpred = ll.mse(pred, target)
    assert np.isclose(value, np.mean((pred - target) ** 2), rtol=1e-14, atol=0)
    assert dpred.shape == pred.shape
    fd.check(lambda: ll.mse(pred, target)[0], {"pred": pred}, {"pred": np.array(dpred)})


@pytest.mark.parametrize("shape", [(5, 1), (1, 1), (4, 3)], ids=str)
def test_half_mse_value_and_gradient(fd, shape):
    """The tutorial's (ReNom) convention: sum of squared errors / (2 * batch size)."""
    rng = np.random.default_rng(10)
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    value, dpred = ll.half_mse(pred, target)
    assert np.isclose(value, np.sum((pred - target) ** 2) / (2 * shape[0]), rtol=1e-14, atol=0)
    fd.check(lambda: ll.half_mse(pred, target)[0], {"pred": pred}, {"pred": np.array(dpred)})


def _stacked(seed=0):
    rng = np.random.default_rng(seed)
    model = ll.Sequential([ll.LSTM(3, 4, seed=seed), ll.RNN(4, 3, "tanh", seed=seed + 1), ll.LastStep(), ll.Dense(3, 2, seed=seed + 2)])
    model.theta[...] = rng.uniform(-0.8, 0.8, model.theta.shape)
    return model


def test_sequential_stack_backward_matches_finite_differences(fd):
    model = _stacked()
    expected = {f"0.{k}" for k in LSTM_PARAMS} | {f"1.{k}" for k in ("W_xh", "b_xh", "W_hh", "b_hh")} | {"3.W", "3.b"}
    assert set(model.params) == expected
    rng = np.random.default_rng(11)
    x = rng.normal(size=(2, 4, 3))
    dout = rng.normal(size=(2, 2))
    assert model.forward(x).shape == dout.shape
    dx = model.backward(dout)
    assert set(model.grads) == expected
    analytic = {k: np.array(g) for k, g in model.grads.items()} | {"x": dx.copy()}
    fd.check(lambda: np.sum(model.forward(x) * dout), dict(model.params) | {"x": x}, analytic)


def test_sequential_flat_vectors_match_named_dicts():
    """theta/dtheta hold exactly the named parameters/gradients (same memory for params)."""
    model = _stacked(3)
    rng = np.random.default_rng(12)
    model.forward(rng.normal(size=(2, 4, 3)))
    model.backward(rng.normal(size=(2, 2)))
    assert model.theta.shape == model.dtheta.shape == (sum(p.size for p in model.params.values()),)
    for name, p in model.params.items():
        assert np.shares_memory(p, model.theta), name
    assert np.isclose(np.linalg.norm(model.dtheta), np.sqrt(sum(np.sum(g**2) for g in model.grads.values())), rtol=1e-13)
    assert np.isclose(model.dtheta.sum(), sum(g.sum() for g in model.grads.values()), rtol=1e-12)


def test_backward_overwrites_gradients_instead_of_accumulating():
    model = _stacked(4)
    rng = np.random.default_rng(13)
    x, dout = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 2))
    model.forward(x)
    model.backward(dout)
    first = model.dtheta.copy()
    model.forward(x)
    model.backward(dout)
    np.testing.assert_array_equal(model.dtheta, first)


def _rnn_tail_loss(layer, x, dout, dh_T, t):
    """L restricted to steps after t, as a function of the state fed into step t+1 (0-based t)."""
    def tail(h):
        if t + 1 == x.shape[1]:
            return np.sum(h * dh_T)
        z = layer.forward(x[:, t + 1:], h0=h)
        return np.sum(z * dout[:, t + 1:]) + np.sum(layer.final_state * dh_T)
    return tail


def test_rnn_delta_is_total_derivative_wrt_each_hidden_state(fd):
    """delta[:, t] = dL/dz_t counting every path: output t plus all later steps."""
    layer, x, h0, dout, dh_T = _rnn_setup("tanh", 2, 4, 2, 3, True, True, seed=21)
    z = layer.forward(x, h0=h0)
    layer.backward(dout, dh_T=dh_T)
    delta = np.array(layer.delta)
    assert delta.shape == z.shape
    errors = {}
    for t in range(x.shape[1]):
        state = z[:, t].copy()
        tail = _rnn_tail_loss(layer, x, dout, dh_T, t)
        numeric = dout[:, t] + fd.numgrad(lambda: tail(state), state)
        errors[f"delta[{t}]"] = fd.relerr(delta[:, t], numeric)
    fd.record(errors)
    assert max(errors.values()) < 1e-6, errors


def test_lstm_delta_and_delta_c_are_total_derivatives(fd):
    """delta[:, t] = dL/dz_t and delta_c[:, t] = dL/dc_t (through z_t = o_t tanh c_t and through c_{t+1})."""
    layer, x, h0, c0, dout, dh_T, dc_T = _lstm_setup(2, 4, 2, 3, True, True, seed=22)
    layer.forward(x, h0=h0, c0=c0)
    tr = {k: np.array(v) for k, v in layer.trace().items()}
    assert set(tr) >= {"g", "i", "f", "o", "c", "z"}
    layer.backward(dout, dh_T=dh_T, dc_T=dc_T)
    delta, delta_c = np.array(layer.delta), np.array(layer.delta_c)
    assert delta.shape == delta_c.shape == tr["z"].shape

    def tail(t, z_t, c_t):
        if t + 1 == x.shape[1]:
            return np.sum(z_t * dh_T) + np.sum(c_t * dc_T)
        z = layer.forward(x[:, t + 1:], h0=z_t, c0=c_t)
        zT, cT = layer.final_state
        return np.sum(z * dout[:, t + 1:]) + np.sum(zT * dh_T) + np.sum(cT * dc_T)

    errors = {}
    for t in range(x.shape[1]):
        z_t, c_t, o_t = tr["z"][:, t].copy(), tr["c"][:, t].copy(), tr["o"][:, t]
        num_z = dout[:, t] + fd.numgrad(lambda: tail(t, z_t, c_t), z_t)
        errors[f"delta[{t}]"] = fd.relerr(delta[:, t], num_z)
        c = c_t.copy()

        def loss_of_c():  # z_t depends on c_t; o_t does not
            z_of_c = o_t * np.tanh(c)
            return np.sum(dout[:, t] * z_of_c) + tail(t, z_of_c, c)

        errors[f"delta_c[{t}]"] = fd.relerr(delta_c[:, t], fd.numgrad(loss_of_c, c))
    fd.record(errors)
    assert max(errors.values()) < 1e-6, errors


# --- the library's own checkers -------------------------------------------------------------------

def test_library_gradcheck_agrees_and_detects_a_wrong_gradient(fd):
    layer, x, h0, c0, dout, _, _ = _lstm_setup(2, 3, 2, 2, True, False, seed=31)
    layer.forward(x, h0=h0, c0=c0)
    dx = layer.backward(dout)
    arrays = dict(layer.params) | {"x": x, "h0": h0, "c0": c0}
    analytic = {k: np.array(g) for k, g in layer.grads.items()} | {"x": dx.copy(), "h0": np.array(layer.dh0), "c0": np.array(layer.dc0)}

    def f():
        return np.sum(layer.forward(x, h0=h0, c0=c0) * dout)

    errors = ll.gradcheck(f, arrays, analytic)
    assert set(errors) == set(arrays)
    fd.record(errors)
    assert max(errors.values()) < 1e-6, errors
    before = {k: v.copy() for k, v in arrays.items()}
    wrong = dict(analytic, W_for=analytic["W_for"] + 1e-3)
    bad = ll.gradcheck(f, arrays, wrong)
    assert bad["W_for"] > 1e-4
    assert all(bad[k] < 1e-6 for k in arrays if k != "W_for")
    for k, v in arrays.items():  # perturbations are undone
        np.testing.assert_array_equal(v, before[k], err_msg=k)


def _assert_layer_check(fd, result, required):
    assert set(result) >= set(required), (sorted(result), sorted(required))
    fd.record(result)
    assert max(result.values()) < 1e-6, result


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradcheck_layer_rnn(fd, activation):
    layer, x, h0, _, _ = _rnn_setup(activation, 2, 3, 3, 2, True, False, seed=41)
    _assert_layer_check(fd, ll.gradcheck_layer(layer, x, h0), list(layer.params) + ["x", "h0"])


def test_gradcheck_layer_lstm(fd):
    layer, x, h0, c0, _, _, _ = _lstm_setup(3, 4, 2, 3, True, False, seed=42)
    _assert_layer_check(fd, ll.gradcheck_layer(layer, x, h0, c0, seed=1), list(layer.params) + ["x", "h0", "c0"])


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 3)], ids=str)
def test_gradcheck_layer_dense(fd, shape):
    layer = ll.Dense(3, 2, seed=43)
    x = np.random.default_rng(43).normal(size=shape)
    _assert_layer_check(fd, ll.gradcheck_layer(layer, x), ["W", "b", "x"])


def test_gradcheck_layer_sequential(fd):
    model = _stacked(5)
    x = np.random.default_rng(44).normal(size=(2, 3, 3))
    _assert_layer_check(fd, ll.gradcheck_layer(model, x), list(model.params) + ["x"])
