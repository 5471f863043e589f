"""The LSTM variants of Greff et al. (2017): finite differences, ``lstm_lib.equations``, parameters,
and the vanilla LSTM left exactly as it was."""
import inspect

import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib import equations as eq
from lstm_lib.lstm_variants import VARIANT_BLOCKS, VARIANTS, LSTMVariant

OTHERS = [v for v in VARIANTS if v != "vanilla"]
TOL = dict(rtol=1e-12, atol=1e-12)


def _variant(variant, D, H, rng, seed=0):
    layer = ll.LSTM(D, H, variant=variant, seed=seed)
    layer.theta[...] = rng.uniform(-1, 1, layer.theta.shape)
    return layer


def _assert_close(actual, expected, what):
    np.testing.assert_allclose(ll.to_numpy(actual), expected, err_msg=what, **TOL)


# -- parameters and construction --------------------------------------------------------------

@pytest.mark.parametrize("variant", OTHERS)
def test_variant_parameters(variant):
    D, H = 3, 4
    layer = ll.LSTM(D, H, variant=variant, seed=0)
    assert isinstance(layer, LSTMVariant) and isinstance(layer, ll.LSTM) and layer.variant == variant
    blocks = VARIANT_BLOCKS[variant]
    expected = {f"{k}_{b}": (H, D) if k == "W" else (H, H) if k == "R" else (H,) for k in "WRb" for b in blocks}
    if variant == "peephole":
        expected |= {name: (H,) for name in ("p_in", "p_for", "p_out")}
    assert {name: v.shape for name, v in layer.params.items()} == expected
    assert set(layer.grads) == set(expected)
    n_blocks = {"peephole": 4, "niaf": 4, "cifg": 3, "nfg": 3, "nog": 3}[variant]
    assert layer.theta.size == n_blocks * H * (D + H + 1) + (3 * H if variant == "peephole" else 0)


@pytest.mark.parametrize("init", ["glorot_uniform", "renom"])
@pytest.mark.parametrize("variant", OTHERS)
def test_variant_starts_from_the_vanilla_lstm_of_the_same_seed(variant, init):
    vanilla, layer = ll.LSTM(2, 3, init=init, seed=4), ll.LSTM(2, 3, variant=variant, init=init, seed=4)
    for name, value in layer.params.items():
        if name.startswith("p_"):
            np.testing.assert_array_equal(value, 0.0)
        elif variant == "cifg" and name == "b_in":      # f = 1 - i starts at sigma(forget_bias)
            np.testing.assert_array_equal(value, -1.0)
        else:
            np.testing.assert_array_equal(value, vanilla.params[name], err_msg=name)


def test_gates_implied_by_the_variants():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 3))
    cifg = ll.LSTM(3, 2, variant="cifg", forget_bias=1.5, seed=0)
    cifg.forward(np.zeros((1, 1, 3)))
    np.testing.assert_allclose(cifg.trace()["f"], 1 / (1 + np.exp(-1.5)), rtol=1e-14)   # f_1 = sigma(1.5)
    cifg.forward(x)
    t = cifg.trace()
    np.testing.assert_allclose(t["f"], 1 - t["i"], rtol=0, atol=0)
    for variant, key in (("nfg", "f"), ("nog", "o")):
        layer = ll.LSTM(3, 2, variant=variant, seed=0)
        layer.forward(x)
        np.testing.assert_array_equal(layer.trace()[key], 1.0)
    nog = ll.LSTM(3, 2, variant="nog", seed=0)
    np.testing.assert_allclose(nog.forward(x), np.tanh(nog.trace()["c"]), **TOL)
    niaf = ll.LSTM(3, 2, variant="niaf", seed=0)
    niaf.params["b_c"][...] = 5.0                         # g = a^c is not squashed into (-1, 1)
    niaf.forward(x)
    assert niaf.trace()["g"].min() > 1.0


@pytest.mark.parametrize("variant, error", [("nope", ValueError), ("Vanilla", ValueError), (None, TypeError),
                                            (3, TypeError)])
def test_unknown_variant_is_refused(msg, variant, error):
    with pytest.raises(error, match=msg("variant", repr(variant), "peephole")):
        ll.LSTM(2, 3, variant=variant)
    with pytest.raises(ValueError, match="LSTM class itself"):
        LSTMVariant(2, 3, variant="vanilla")


def test_vanilla_is_the_lstm_class_itself_bit_for_bit(rng):
    """variant="vanilla" builds ``LSTM`` itself, whose code the variants do not touch: outputs and
    gradients are bitwise those of ``LSTM`` built without the argument."""
    a, b = ll.LSTM(3, 4, seed=2), ll.LSTM(3, 4, variant="vanilla", seed=2)
    assert type(a) is ll.LSTM and type(b) is ll.LSTM and b.variant == "vanilla"
    for method in ("_forward", "_backward", "_merge", "trace"):
        assert getattr(type(b), method) is ll.LSTM.__dict__[method]
    x, dout = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 4))
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    np.testing.assert_array_equal(a.backward(dout), b.backward(dout))
    np.testing.assert_array_equal(a.dtheta, b.dtheta)
    assert "variant" not in inspect.getsource(ll.LSTM._forward) + inspect.getsource(ll.LSTM._backward)


# -- finite differences -----------------------------------------------------------------------

@pytest.mark.parametrize("variant", OTHERS)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 4, 3, 2), (3, 3, 2, 3)], ids=str)
def test_variant_backward_matches_finite_differences(fd, variant, shape):
    B, T, D, H = shape
    rng = np.random.default_rng(1)
    layer = _variant(variant, D, H, rng)
    x = rng.normal(size=(B, T, D))
    h0, c0 = rng.normal(scale=0.5, size=(B, H)), rng.normal(scale=0.8, size=(B, H))
    dout, dh_T, dc_T = rng.normal(size=(B, T, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def loss():
        z = layer.forward(x, h0, c0)
        z_T, c_T = layer.final_state
        return float(np.sum(z * dout) + np.sum(z_T * dh_T) + np.sum(c_T * dc_T))

    layer.forward(x, h0, c0)
    dx = layer.backward(dout, dh_T, dc_T)
    analytic = {name: np.array(g) for name, g in layer.grads.items()}
    analytic |= {"x": dx.copy(), "h0": np.array(layer.dh0), "c0": np.array(layer.dc0)}
    fd.check(loss, dict(layer.params) | {"x": x, "h0": h0, "c0": c0}, analytic)


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_equations_match_finite_differences(fd, variant, rng):
    B, T, D, H = 2, 4, 3, 3
    p = {name: np.array(v) for name, v in _variant(variant, D, H, rng).params.items()}
    x, z0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    dz_T, dc_T, r = rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(B, T, H))

    def loss():
        z, c, _ = eq.lstm_variant_forward(x, z0, c0, p, variant)
        return float((z * r).sum() + (z[:, -1] * dz_T).sum() + (c[:, -1] * dc_T).sum())

    _, _, caches = eq.lstm_variant_forward(x, z0, c0, p, variant)
    dx, dz0, dc0, dp, _, _ = eq.lstm_variant_backward(r, caches, dz_T, dc_T)
    assert set(dp) == set(p)
    fd.check(loss, {**p, "x": x, "z0": z0, "c0": c0}, {**dp, "x": dx, "z0": dz0, "c0": dc0})


def test_vanilla_variant_equations_are_the_lstm_equations(rng):
    p = {name: np.array(v) for name, v in _variant("vanilla", 3, 4, rng).params.items()}
    x, z0, c0, dout = (rng.normal(size=s) for s in ((2, 5, 3), (2, 4), (2, 4), (2, 5, 4)))
    z, c, caches = eq.lstm_forward(x, z0, c0, p)
    zv, cv, caches_v = eq.lstm_variant_forward(x, z0, c0, p, "vanilla")
    np.testing.assert_array_equal(zv, z)
    np.testing.assert_array_equal(cv, c)
    for a, b in zip(eq.lstm_backward(dout, caches), eq.lstm_variant_backward(dout, caches_v)):
        if isinstance(a, dict):
            for name in a:
                np.testing.assert_array_equal(b[name], a[name])
        else:
            np.testing.assert_array_equal(b, a)


def test_peephole_with_zero_peepholes_is_the_vanilla_lstm(rng):
    vanilla = _variant("vanilla", 2, 3, np.random.default_rng(3))
    peephole = ll.LSTM(2, 3, variant="peephole")
    for name, value in vanilla.params.items():
        peephole.params[name][...] = value
    x, dout = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 5, 3))
    _assert_close(peephole.forward(x), vanilla.forward(x), "z")
    _assert_close(peephole.backward(dout), vanilla.backward(dout), "dx")
    for name, g in vanilla.grads.items():
        _assert_close(peephole.grads[name], g, name)


# -- the fast layers against the equations ----------------------------------------------------

@pytest.mark.parametrize("variant", OTHERS)
def test_variant_layer_equals_equations(variant, rng, oracle):
    layer = _variant(variant, 2, 4, rng)

    def forward(x, z0, c0, p):
        return eq.lstm_variant_forward(x, z0, c0, p, variant)

    oracle.lstm(layer, forward, eq.lstm_variant_backward, rng)


@pytest.mark.parametrize("variant", OTHERS)
def test_stepwise_and_truncated_variant_equal_equations(variant, rng):
    B, T, D, H, k = 2, 6, 3, 4, 3
    layer = _variant(variant, D, H, rng)
    p = {name: np.array(v) for name, v in layer.params.items()}
    x, dout = rng.normal(size=(B, T, D)), rng.normal(size=(B, T, H))
    stepped = np.stack([layer.step(x[:, t]) for t in range(T)], axis=1)
    dx = layer.backward(dout)
    z, _, caches = eq.lstm_variant_forward(x, None, None, p, variant)
    dx_eq, _, _, dp, _, _ = eq.lstm_variant_backward(dout, caches)
    _assert_close(stepped, z, "z")
    _assert_close(dx, dx_eq, "dx")
    for name in p:
        _assert_close(layer.grads[name], dp[name], name)
    layer.truncate()                                 # chunks of k steps, the state carried forward
    layer.forward(x[:, :k])
    carried = layer.final_state
    layer.forward(x[:, k:], *carried)
    dx = layer.backward(dout[:, k:])
    _, _, caches = eq.lstm_variant_forward(x[:, k:], *carried, p, variant)
    dx_eq, dz0, dc0, dp, _, _ = eq.lstm_variant_backward(dout[:, k:], caches)
    _assert_close(dx, dx_eq, "dx")
    _assert_close(layer.dh0, dz0, "dh0")
    _assert_close(layer.dc0, dc0, "dc0")
    for name in p:
        _assert_close(layer.grads[name], dp[name], name)


# -- the variants in the library --------------------------------------------------------------

@pytest.mark.parametrize("variant", OTHERS)
def test_variant_cells_of_the_experiments(variant, tmp_path):
    model = ll.sine_model(f"lstm-{variant}", hidden=3, seed=0)
    assert model.layers[0].variant == variant
    ll.save(model, tmp_path / "m.npz")
    other = ll.load(ll.sine_model(f"lstm-{variant}", hidden=3, seed=1), tmp_path / "m.npz")
    x = np.random.default_rng(0).normal(size=(2, 4, 1))
    np.testing.assert_array_equal(other.forward(x), model.forward(x))
    assert 0.0 <= ll.memory_experiment(f"lstm-{variant}", lag=3, seed=0, max_epoch=2) <= 1.0


def test_float32_variant(rng):
    layer = ll.LSTM(2, 3, variant="peephole", seed=0, dtype=np.float32)
    out = layer.forward(rng.normal(size=(2, 4, 2)).astype(np.float32))
    assert out.dtype == np.float32 and layer.backward(np.ones_like(out)).dtype == np.float32
