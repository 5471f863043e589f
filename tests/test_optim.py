"""Optimizers against hand-computed steps, and global-norm gradient clipping."""
import numpy as np
import pytest

import lstm_lib as ll


def _scalar_model(w=0.5, b=-0.25):
    """y = w x + b with x = 1, so dL/dw = dL/db = dout: the gradient is whatever we feed back."""
    model = ll.Sequential([ll.Dense(1, 1, seed=0)])
    model.params["0.W"][...] = w
    model.params["0.b"][...] = b
    return model


def _set_grad(model, g):
    model.forward(np.ones((1, 1)))
    model.backward(np.full((1, 1), g))
    assert model.grads["0.W"][0, 0] == g and model.grads["0.b"][0] == g


def test_adam_two_steps_by_hand():
    """lr 0.1, betas 0.9/0.999, gradients 2 then -1.

    step 1: m = 0.2, v = 0.004, m^ = 2, v^ = 4          -> w -= 0.1 * 2 / (2 + 1e-8)          = 0.4
    step 2: m = 0.9*0.2 - 0.1 = 0.08, v = 0.999*0.004 + 0.001 = 0.004996,
            m^ = 0.08/0.19 = 8/19, v^ = 0.004996/0.001999 -> w -= 0.1 * (8/19) / sqrt(v^)   = 0.37336629670
    """
    model = _scalar_model()
    opt = ll.Adam(lr=0.1)
    _set_grad(model, 2.0)
    opt.update(model)
    assert model.params["0.W"][0, 0] == pytest.approx(0.4, abs=1e-8)
    assert model.params["0.b"][0] == pytest.approx(-0.35, abs=1e-8)
    _set_grad(model, -1.0)
    opt.update(model)
    assert model.params["0.W"][0, 0] == pytest.approx(0.3733662967, abs=1e-9)
    assert model.params["0.b"][0] == pytest.approx(-0.3766337033, abs=1e-9)


def test_adam_defaults_are_the_tutorials():
    """Adam(): lr 1e-3, so the first step moves every parameter by 1e-3 against its gradient's sign."""
    model = ll.Sequential([ll.LSTM(1, 2, seed=0), ll.LastStep(), ll.Dense(2, 1, seed=1)])
    rng = np.random.default_rng(0)
    model.forward(rng.normal(size=(3, 4, 1)))
    model.backward(rng.normal(size=(3, 1)))
    g = model.dtheta.copy()
    before = model.theta.copy()
    opt = ll.Adam()
    opt.update(model)
    step = model.theta - before
    big = np.abs(g) > 1e-3  # where |g| >> eps the step is lr * sign(g)
    assert big.sum() > 10
    np.testing.assert_allclose(step[big], -1e-3 * np.sign(g[big]), rtol=1e-4)


@pytest.mark.parametrize("momentum, expected", [(0.0, (0.3, 0.4)), (0.9, (0.3, 0.22))])
def test_sgd_momentum_two_steps_by_hand(momentum, expected):
    """lr 0.1, gradients 2 then -1: v1 = -0.2 -> w = 0.3; v2 = 0.9 v1 + 0.1 = -0.08 -> w = 0.22."""
    model = _scalar_model()
    opt = ll.SGD(lr=0.1, momentum=momentum)
    _set_grad(model, 2.0)
    opt.update(model)
    assert model.params["0.W"][0, 0] == pytest.approx(expected[0], abs=1e-14)
    _set_grad(model, -1.0)
    opt.update(model)
    assert model.params["0.W"][0, 0] == pytest.approx(expected[1], abs=1e-14)


def _model_with_grads(seed=0):
    model = ll.Sequential([ll.LSTM(2, 3, seed=seed), ll.LastStep(), ll.Dense(3, 2, seed=seed + 1)])
    rng = np.random.default_rng(seed)
    model.forward(rng.normal(size=(4, 3, 2)))
    model.backward(rng.normal(size=(4, 2)) * 10)
    return model


def test_clip_grad_norm_bounds_norm_and_keeps_direction():
    model = _model_with_grads()
    g = model.dtheta.copy()
    norm = np.linalg.norm(g)
    max_norm = norm / 3
    returned = ll.clip_grad_norm(model, max_norm)
    assert float(returned) == pytest.approx(norm, rel=1e-12)  # the norm before clipping
    after = model.dtheta
    assert np.linalg.norm(after) <= max_norm * (1 + 1e-12)
    assert np.linalg.norm(after) == pytest.approx(max_norm, rel=1e-9)
    np.testing.assert_allclose(after, g * (max_norm / norm), rtol=1e-12, atol=1e-15)
    cos = after @ g / (np.linalg.norm(after) * norm)
    assert cos == pytest.approx(1.0, abs=1e-12)
    # the named gradient views see the clipped values
    flat_named = np.sqrt(sum(np.sum(v**2) for v in model.grads.values()))
    assert flat_named == pytest.approx(np.linalg.norm(after), rel=1e-12)


def test_clip_grad_norm_is_a_no_op_below_the_bound():
    model = _model_with_grads(3)
    g = model.dtheta.copy()
    norm = np.linalg.norm(g)
    assert float(ll.clip_grad_norm(model, 2 * norm)) == pytest.approx(norm, rel=1e-12)
    np.testing.assert_array_equal(model.dtheta, g)


def test_clip_grad_norm_rejects_negative_bound(msg):
    max_norm = -1.0
    model = _model_with_grads()
    with pytest.raises(ValueError, match=msg("max_norm", max_norm)):
        ll.clip_grad_norm(model, max_norm)
