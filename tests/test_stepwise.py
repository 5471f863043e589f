"""Step-by-step use (the tutorial's style) against whole-sequence calls, and truncate()."""
import numpy as np
import pytest

import lstm_lib as ll


def _layers(seed):
    return {
        "LSTM": ll.LSTM(3, 4, seed=seed),
        "RNN": ll.RNN(3, 4, "tanh", seed=seed),
    }


@pytest.mark.parametrize("kind", ["LSTM", "RNN"])
def test_layer_steps_equal_sequence_outputs_and_gradients(kind):
    rng = np.random.default_rng(0)
    whole, stepped = _layers(1)[kind], _layers(1)[kind]
    x = rng.normal(size=(2, 5, 3))
    dout = rng.normal(size=(2, 5, 4))
    z = whole.forward(x)
    dx = whole.backward(dout)
    steps = np.stack([stepped.step(x[:, t]) for t in range(5)], axis=1)
    np.testing.assert_allclose(steps, z, rtol=1e-13, atol=1e-14)
    dx_steps = stepped.backward(dout)
    np.testing.assert_allclose(dx_steps, dx, rtol=1e-12, atol=1e-14)
    for k in whole.grads:
        np.testing.assert_allclose(stepped.grads[k], whole.grads[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_stepwise_model_with_loss_on_last_output_equals_many_to_one_sequence():
    """Tutorial: z = model(x_t) for each t, loss on the last z. Same as LSTM -> LastStep -> Dense."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 5, 1))
    y = rng.normal(size=(5, 1))
    seq = ll.Sequential([ll.LSTM(1, 2, seed=3), ll.LastStep(), ll.Dense(2, 1, seed=4)])
    stepwise = ll.Sequential([ll.LSTM(1, 2, seed=3), ll.Dense(2, 1, seed=4)])
    np.testing.assert_array_equal(stepwise.theta, seq.theta)

    pred = seq.forward(x)
    loss, dpred = ll.mse(pred, y)
    seq.backward(dpred)

    for t in range(x.shape[1]):
        z = stepwise.step(x[:, t])
    assert z.shape == (5, 1)
    np.testing.assert_allclose(z, pred, rtol=1e-13, atol=1e-14)
    loss_steps, dz = ll.mse(z, y)
    assert loss_steps == pytest.approx(loss, rel=1e-13)
    dout = np.zeros((5, 5, 1))
    dout[:, -1] = dz  # loss on the last output only
    stepwise.backward(dout)
    for k in seq.grads:
        k2 = k.replace("2.", "1.", 1) if k.startswith("2.") else k
        np.testing.assert_allclose(stepwise.grads[k2], seq.grads[k], rtol=1e-12, atol=1e-14, err_msg=k)
    np.testing.assert_allclose(np.linalg.norm(stepwise.dtheta), np.linalg.norm(seq.dtheta), rtol=1e-12)


@pytest.mark.parametrize("kind", ["LSTM", "RNN"])
def test_truncate_resets_state_and_history(kind):
    rng = np.random.default_rng(2)
    layer = _layers(5)[kind]
    fresh = _layers(5)[kind]
    a, b = rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 2, 3))
    for t in range(3):
        layer.step(a[:, t])
    layer.truncate()
    out = np.stack([layer.step(b[:, t]) for t in range(2)], axis=1)
    np.testing.assert_allclose(out, fresh.forward(b), rtol=1e-13, atol=1e-14)
    dout = rng.normal(size=(2, 2, 4))
    dx = layer.backward(dout)  # only the history since truncate() is differentiated
    assert dx.shape == (2, 2, 3)
    fresh.backward(dout)
    for k in fresh.grads:
        np.testing.assert_allclose(layer.grads[k], fresh.grads[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_steps_continue_after_forward_and_batch_change_needs_truncate():
    rng = np.random.default_rng(3)
    layer, ref = ll.LSTM(2, 3, seed=0), ll.LSTM(2, 3, seed=0)
    x = rng.normal(size=(4, 6, 2))
    layer.forward(x[:, :4])
    continued = np.stack([layer.step(x[:, t]) for t in (4, 5)], axis=1)
    np.testing.assert_allclose(continued, ref.forward(x)[:, 4:], rtol=1e-13, atol=1e-14)
    # a different batch size cannot continue the running state
    with pytest.raises(ValueError, match="batch"):
        layer.step(rng.normal(size=(3, 2)))
    layer.truncate()
    assert layer.step(rng.normal(size=(3, 2))).shape == (3, 3)


def test_sequential_truncate_resets_every_layer():
    rng = np.random.default_rng(4)
    model = ll.Sequential([ll.LSTM(1, 3, seed=0), ll.RNN(3, 2, seed=1), ll.Dense(2, 1, seed=2)])
    x = rng.normal(size=(2, 4, 1))
    first = [model.step(x[:, t]) for t in range(4)]
    model.truncate()
    second = [model.step(x[:, t]) for t in range(4)]
    np.testing.assert_array_equal(np.stack(first), np.stack(second))
