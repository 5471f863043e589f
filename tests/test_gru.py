"""The GRU: finite differences, ``lstm_lib.equations``, PyTorch's ``nn.GRU``, and the layer API.

Both placements of the reset gate: ``reset_after=True`` (PyTorch, cuDNN) and ``False`` (Cho et al.
2014). The PyTorch tests need torch (the ``bench`` extra) and skip, with the reason, without it.
"""
import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib import equations as eq

PLACEMENTS = [True, False]
PLACEMENT_IDS = ["reset-after", "reset-before"]
TOL = dict(rtol=1e-12, atol=1e-12)
# (B, T, D, H, with h0, with dh_T)
CASES = [(1, 1, 1, 1, False, False), (2, 4, 3, 2, True, True), (3, 3, 1, 4, True, False),
         (1, 5, 2, 3, False, True)]
CASE_IDS = [f"B{b}-T{t}-D{d}-H{h}{'-h0' if s0 else ''}{'-dhT' if sT else ''}" for b, t, d, h, s0, sT in CASES]


def _gru(D, H, reset_after, rng, seed=0):
    """A GRU whose parameters are uniform in [-1, 1] (every term of the equations matters)."""
    layer = ll.GRU(D, H, reset_after=reset_after, seed=seed)
    layer.theta[...] = rng.uniform(-1, 1, layer.theta.shape)
    return layer


def _assert_close(actual, expected, what):
    np.testing.assert_allclose(ll.to_numpy(actual), expected, err_msg=what, **TOL)


# -- parameters -------------------------------------------------------------------------------

@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_parameter_names_shapes_and_count(reset_after):
    D, H = 3, 4
    layer = ll.GRU(D, H, reset_after=reset_after, seed=0)
    expected = {f"{k}_{g}": (H, D) if k == "W" else (H, H) if k == "R" else (H,)
                for k in "WRb" for g in "run"}
    if reset_after:
        expected["b_Rn"] = (H,)
    assert {name: v.shape for name, v in layer.params.items()} == expected
    assert {name: g.shape for name, g in layer.grads.items()} == expected
    assert layer.theta.size == 3 * H * (D + H + 1) + (H if reset_after else 0)
    for name, value in layer.params.items():
        assert np.shares_memory(value, layer.theta), name
        assert not name.startswith("b") or np.all(value == 0), name     # biases start at zero
    assert ll.GRU(D, H, seed=0).reset_after is True


def test_update_bias_sets_b_u_only():
    layer = ll.GRU(2, 3, update_bias=1.5, seed=0)
    np.testing.assert_array_equal(layer.params["b_u"], 1.5)
    for name in ("b_r", "b_n", "b_Rn"):
        np.testing.assert_array_equal(layer.params[name], 0.0)
    layer.forward(np.zeros((1, 1, 2)))
    np.testing.assert_allclose(layer.trace()["u"], 1 / (1 + np.exp(-1.5)), rtol=1e-14)
    for name in layer.params:
        if name != "b_u":
            np.testing.assert_array_equal(layer.params[name], ll.GRU(2, 3, seed=0).params[name])


def test_same_seed_same_weights_for_both_placements():
    a, b = ll.GRU(2, 3, seed=7), ll.GRU(2, 3, reset_after=False, seed=7)
    for name in b.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])


@pytest.mark.parametrize("value", [1, "yes", None])
def test_reset_after_must_be_a_bool(msg, value):
    with pytest.raises(TypeError, match=msg("reset_after", repr(value))):
        ll.GRU(2, 3, reset_after=value)


# -- finite differences -----------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_gru_backward_matches_finite_differences(fd, reset_after, case):
    B, T, D, H, with_h0, with_dhT = case
    rng = np.random.default_rng(0)
    layer = _gru(D, H, reset_after, rng)
    x = rng.normal(size=(B, T, D))
    h0 = rng.normal(scale=0.7, size=(B, H)) if with_h0 else None
    dout = rng.normal(size=(B, T, H))
    dh_T = rng.normal(size=(B, H)) if with_dhT else None

    def loss():
        value = np.sum(layer.forward(x, h0) * dout)
        return value + (np.sum(layer.final_state * dh_T) if dh_T is not None else 0.0)

    z = layer.forward(x, h0)
    assert z.shape == (B, T, H) and z.dtype == np.float64
    np.testing.assert_array_equal(layer.final_state, z[:, -1])
    dx = layer.backward(dout, dh_T)
    assert dx.shape == x.shape and layer.delta.shape == (B, T, H)
    analytic = {name: np.array(g) for name, g in layer.grads.items()} | {"x": dx.copy()}
    arrays = dict(layer.params) | {"x": x}
    if h0 is not None:
        analytic["h0"], arrays["h0"] = np.array(layer.dh0), h0
    fd.check(loss, arrays, analytic)


@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_gradcheck_layer_passes(reset_after):
    rng = np.random.default_rng(1)
    layer = _gru(2, 3, reset_after, rng)
    errors = ll.gradcheck_layer(layer, rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 3)))
    assert set(errors) == set(layer.params) | {"x", "h0"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_gru_equations_match_finite_differences(fd, reset_after, rng):
    B, T, D, H = 2, 4, 3, 3
    p = {name: np.array(v) for name, v in _gru(D, H, reset_after, rng).params.items()}
    x, z0, dz_T, r = (rng.normal(size=s) for s in ((B, T, D), (B, H), (B, H), (B, T, H)))

    def loss():                                     # L = Σ r ⊙ z + dz_T · z_T
        z, _ = eq.gru_forward(x, z0, p, reset_after)
        return float((z * r).sum() + (z[:, -1] * dz_T).sum())

    _, caches = eq.gru_forward(x, z0, p, reset_after)
    dx, dz0, dp, _ = eq.gru_backward(r, caches, dz_T)
    assert set(dp) == set(p)
    fd.check(loss, {**p, "x": x, "z0": z0}, {**dp, "x": dx, "z0": dz0})


@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_gru_step_matches_scalar_formulas(reset_after):
    """One unit, one input: the text's equations written out with scalars."""
    rng = np.random.default_rng(2)
    p = {name: rng.uniform(-1, 1, v.shape) for name, v in ll.GRU(1, 1, reset_after=reset_after).params.items()}
    x, z_prev = 0.6, -0.4
    s = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    w = {name: float(v.reshape(-1)[0]) for name, v in p.items()}
    r = s(w["W_r"] * x + w["R_r"] * z_prev + w["b_r"])
    u = s(w["W_u"] * x + w["R_u"] * z_prev + w["b_u"])
    if reset_after:
        n = np.tanh(w["W_n"] * x + w["b_n"] + r * (w["R_n"] * z_prev + w["b_Rn"]))
    else:
        n = np.tanh(w["W_n"] * x + w["R_n"] * (r * z_prev) + w["b_n"])
    z_t, _ = eq.gru_step_forward(np.array([[x]]), np.array([[z_prev]]), p, reset_after)
    assert abs(z_t[0, 0] - ((1 - u) * n + u * z_prev)) < 1e-15
    layer = ll.GRU(1, 1, reset_after=reset_after)
    for name, v in p.items():
        layer.params[name][...] = v
    assert abs(layer.forward(np.array([[[x]]]), np.array([[z_prev]]))[0, 0, 0] - z_t[0, 0]) < 1e-15


# -- the fast layer against the equations -----------------------------------------------------

@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_gru_layer_equals_equations(reset_after, rng):
    B, T, D, H = 3, 6, 2, 4
    layer = _gru(D, H, reset_after, rng)
    p = {name: np.array(v) for name, v in layer.params.items()}
    x, z0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H))
    dout, dz_T = rng.normal(size=(B, T, H)), rng.normal(size=(B, H))
    for state, final in ((None, None), (z0, dz_T)):
        z, caches = eq.gru_forward(x, state, p, reset_after)
        dx, dz0, dp, dz = eq.gru_backward(dout, caches, final)
        _assert_close(layer.forward(x, state), z, "z")
        trace = layer.trace()
        for key in "run":
            _assert_close(trace[key], np.stack([c[f"{key}_t"] for c in caches], axis=1), key)
        _assert_close(trace["z"], z, "trace z")
        _assert_close(layer.backward(dout, final), dx, "dx")
        _assert_close(layer.dh0, dz0, "dh0")
        _assert_close(layer.delta, dz, "delta")
        for name in p:
            _assert_close(layer.grads[name], dp[name], name)


@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_stepwise_gru_equals_whole_sequence_and_equations(reset_after, rng):
    B, T, D, H = 2, 5, 3, 4
    whole, stepped = _gru(D, H, reset_after, np.random.default_rng(5)), _gru(D, H, reset_after, np.random.default_rng(5))
    p = {name: np.array(v) for name, v in whole.params.items()}
    x, dout = rng.normal(size=(B, T, D)), rng.normal(size=(B, T, H))
    z = whole.forward(x)
    dx = whole.backward(dout)
    steps = np.stack([stepped.step(x[:, t]) for t in range(T)], axis=1)
    dx_steps = stepped.backward(dout)
    np.testing.assert_allclose(steps, z, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(dx_steps, dx, rtol=1e-12, atol=1e-14)
    for name in whole.grads:
        np.testing.assert_allclose(stepped.grads[name], whole.grads[name], rtol=1e-12, atol=1e-14, err_msg=name)
    z_eq, caches = eq.gru_forward(x, None, p, reset_after)
    dx_eq, _, dp, _ = eq.gru_backward(dout, caches)
    _assert_close(steps, z_eq, "z")
    _assert_close(dx_steps, dx_eq, "dx")
    for name in p:
        _assert_close(stepped.grads[name], dp[name], name)


@pytest.mark.parametrize("reset_after", PLACEMENTS, ids=PLACEMENT_IDS)
def test_truncated_bptt_equals_equations_on_the_last_chunk(reset_after, rng):
    B, T, D, H, k = 2, 9, 2, 3, 3
    layer = _gru(D, H, reset_after, rng)
    p = {name: np.array(v) for name, v in layer.params.items()}
    x, dout = rng.normal(size=(B, T, D)), rng.normal(size=(B, k, H))
    state = None
    for start in range(0, T, k):
        carried = state
        layer.forward(x[:, start:start + k], carried)
        state = layer.final_state
    dx = layer.backward(dout)
    _, caches = eq.gru_forward(x[:, -k:], carried, p, reset_after)
    dx_eq, dz0, dp, _ = eq.gru_backward(dout, caches)
    _assert_close(dx, dx_eq, "dx")
    _assert_close(layer.dh0, dz0, "dh0")
    for name in p:
        _assert_close(layer.grads[name], dp[name], name)
    layer.truncate()
    with pytest.raises(ValueError, match="before forward"):
        layer.backward(dout)


def test_float32_gru_follows_the_equations_to_float32_precision(rng):
    layer = ll.GRU(2, 3, seed=0, dtype=np.float32)
    x = rng.normal(size=(2, 4, 2)).astype(np.float32)
    p64 = {name: np.array(v, dtype=np.float64) for name, v in layer.params.items()}
    z, _ = eq.gru_forward(x.astype(np.float64), None, p64)
    out = layer.forward(x)
    assert out.dtype == np.float32 and layer.backward(np.ones_like(out)).dtype == np.float32
    np.testing.assert_allclose(out, z, rtol=1e-5, atol=1e-6)


# -- PyTorch ----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_gru_equals_torch_nn_gru(case):
    """Forward, dx, dh0 and every parameter gradient equal torch.nn.GRU's to 1e-10 (float64).

    torch stacks r, z, n (its z is our u) in weight_ih (our W), weight_hh (our R); bias_ih holds
    b_r, b_u, b_n and bias_hh's n block is b_Rn (its r and z blocks add to b_r, b_u: we set them
    to zero, and their gradients equal ours).
    """
    torch = pytest.importorskip("torch", reason="torch is in the bench extra: pip install -e '.[bench]'")
    B, T, D, H, with_h0, with_dhT = case
    rng = np.random.default_rng(3)
    layer = _gru(D, H, True, rng)
    p = layer.params
    x = rng.normal(size=(B, T, D))
    h0 = rng.normal(size=(B, H)) if with_h0 else np.zeros((B, H))
    dout = rng.normal(size=(B, T, H))
    dh_T = rng.normal(size=(B, H)) if with_dhT else np.zeros((B, H))

    net = torch.nn.GRU(D, H, batch_first=True, dtype=torch.float64)
    stack = lambda *arrays: torch.from_numpy(np.concatenate(arrays))  # noqa: E731
    with torch.no_grad():
        net.weight_ih_l0.copy_(stack(p["W_r"], p["W_u"], p["W_n"]))
        net.weight_hh_l0.copy_(stack(p["R_r"], p["R_u"], p["R_n"]))
        net.bias_ih_l0.copy_(stack(p["b_r"], p["b_u"], p["b_n"]))
        net.bias_hh_l0.copy_(stack(np.zeros(H), np.zeros(H), p["b_Rn"]))
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    yt, hTt = net(xt, h0t)
    ((yt * torch.from_numpy(dout)).sum() + (hTt[0] * torch.from_numpy(dh_T)).sum()).backward()

    z = layer.forward(x, h0)
    dx = layer.backward(dout, dh_T)
    tol = dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(z, yt.detach().numpy(), **tol)
    np.testing.assert_allclose(layer.final_state, hTt[0].detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    np.testing.assert_allclose(layer.dh0, h0t.grad[0].numpy(), **tol)
    g = layer.grads
    blocks = lambda a: np.split(a.grad.numpy(), 3)  # noqa: E731  (r, z, n)
    for k, (w, r_, bi, bh) in zip("run", zip(*map(blocks, (net.weight_ih_l0, net.weight_hh_l0,
                                                          net.bias_ih_l0, net.bias_hh_l0)))):
        np.testing.assert_allclose(g[f"W_{k}"], w, err_msg=f"W_{k}", **tol)
        np.testing.assert_allclose(g[f"R_{k}"], r_, err_msg=f"R_{k}", **tol)
        np.testing.assert_allclose(g[f"b_{k}"], bi, err_msg=f"b_{k}", **tol)
        np.testing.assert_allclose(g["b_Rn"] if k == "n" else g[f"b_{k}"], bh, err_msg=f"bias_hh {k}", **tol)


def test_reset_before_differs_from_torch():
    """Cho et al.'s placement is another function: with the same weights it differs from torch's."""
    torch = pytest.importorskip("torch", reason="torch is in the bench extra: pip install -e '.[bench]'")
    rng = np.random.default_rng(4)
    after, before = _gru(2, 3, True, rng), ll.GRU(2, 3, reset_after=False)
    for name, value in before.params.items():
        value[...] = 0.0 if name.startswith("b") else after.params[name]
    for name, value in after.params.items():
        if name.startswith("b"):
            value[...] = 0.0
    net = torch.nn.GRU(2, 3, batch_first=True, bias=False, dtype=torch.float64)
    stack = lambda kind: torch.from_numpy(np.concatenate([after.params[f"{kind}_{k}"] for k in "run"]))  # noqa: E731
    with torch.no_grad():
        net.weight_ih_l0.copy_(stack("W"))
        net.weight_hh_l0.copy_(stack("R"))
    x = rng.normal(size=(2, 5, 2))
    y = net(torch.from_numpy(x))[0].detach().numpy()
    np.testing.assert_allclose(after.forward(x), y, rtol=1e-10, atol=1e-10)
    assert np.abs(before.forward(x) - y).max() > 1e-3


# -- the layer in the library -----------------------------------------------------------------

def test_gru_in_a_model_trains_saves_and_loads(tmp_path):
    model = ll.sine_model("gru", hidden=3, seed=0)
    assert isinstance(model.layers[0], ll.GRU)
    data = ll.sine_dataset()
    before = ll.mse(model.forward(data.X_test), data.y_test)[0]
    ll.fit(model, data.X_train, data.y_train, data.X_test, data.y_test, max_epoch=30, progress=False,
           seed=1, log=None)
    after = ll.mse(model.forward(data.X_test), data.y_test)[0]
    assert after < before
    ll.save(model, tmp_path / "gru.npz")
    other = ll.load(ll.sine_model("gru", hidden=3, seed=5), tmp_path / "gru.npz")
    np.testing.assert_array_equal(other.forward(data.X_test), model.forward(data.X_test))
    cho = ll.Sequential([ll.GRU(1, 3, reset_after=False), ll.LastStep(), ll.Dense(3, 1)])
    with pytest.raises(ValueError, match="b_Rn"):
        ll.load(cho, tmp_path / "gru.npz")


def test_gru_runs_the_book_experiments():
    result = ll.sine_experiment("gru", max_epoch=5, progress=False)
    assert np.isfinite(result.test_mse) and result.closed_loop.shape == (result.data.test_size,)
    accuracy = ll.memory_experiment("gru", lag=3, seed=0, max_epoch=2)
    assert 0.0 <= accuracy <= 1.0
    cho = ll.sine_experiment("gru", max_epoch=2, progress=False, reset_after=False, update_bias=1.0)
    layer = cho.model.layers[0]
    assert layer.reset_after is False and np.all(ll.to_numpy(layer.params["b_u"]) != 0)
    with pytest.raises(TypeError, match="forget_bias"):
        ll.memory_experiment("gru", lag=3, seed=0, max_epoch=1, forget_bias=1.0)


def test_gru_gradient_reaches_the_first_input_through_the_update_gate():
    """With u_t near 1 the state is copied: z_T = z_0 up to O(1 - u) and the gradient survives."""
    layer = ll.GRU(1, 2, seed=0)
    layer.params["b_u"][...] = 20.0              # u_t = σ(20) ≈ 1 - 2e-9
    h0 = np.array([[0.3, -0.5]])
    x = np.random.default_rng(6).normal(size=(1, 50, 1))
    z = layer.forward(x, h0)
    np.testing.assert_allclose(z[:, -1], h0, atol=1e-6)
    dout = np.zeros_like(z)
    dout[:, -1] = 1.0
    layer.backward(dout)
    np.testing.assert_allclose(layer.dh0, 1.0, atol=1e-6)
