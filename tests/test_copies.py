"""copy.deepcopy and pickle give independent, equal layers and models, on numpy and on cupy (issue 12,
class 6): the copy computes the same outputs and gradients, and changing it leaves the original alone."""
import copy
import pickle

import numpy as np
import pytest

import lstm_lib as ll

MAKERS = {
    "RNN-tanh": lambda: ll.RNN(3, 4, seed=0),
    "RNN-sigmoid": lambda: ll.RNN(3, 4, "sigmoid", seed=0),
    "RNN-relu": lambda: ll.RNN(3, 4, "relu", seed=0),
    "RNN-identity": lambda: ll.RNN(3, 4, "identity", seed=0),
    "LSTM": lambda: ll.LSTM(3, 4, seed=0),
    "LSTM-float32": lambda: ll.LSTM(3, 4, seed=0, dtype=np.float32),
    "GRU": lambda: ll.GRU(3, 4, seed=0),
    "GRU-reset-before": lambda: ll.GRU(3, 4, reset_after=False, seed=0),
    **{f"LSTM-{v}": (lambda v=v: ll.LSTM(3, 4, variant=v, seed=0)) for v in ("peephole", "cifg", "nfg", "nog", "niaf")},
    "Dense": lambda: ll.Dense(3, 4, seed=0),
    "Sequential": lambda: ll.Sequential([ll.LSTM(3, 4, seed=0), ll.RNN(4, 4, seed=1), ll.LastStep(),
                                         ll.Dense(4, 2, seed=2)]),
}
COPIES = {"deepcopy": copy.deepcopy, "pickle": lambda m: pickle.loads(pickle.dumps(m))}


def _np(a):
    return ll.to_numpy(a)


def _run(model, x, dout):
    """Outputs and gradients of one forward/backward, as host arrays."""
    y = _np(model.forward(x)).copy()
    dx = _np(model.backward(dout)).copy()
    return y, dx, _np(model.dtheta).copy()


def _data(xp, model):
    rng = np.random.default_rng(0)
    x = xp.asarray(rng.normal(size=(2, 5, 3)), dtype=model.theta.dtype)
    out = model.forward(x).shape
    model.truncate()
    return x, xp.asarray(rng.normal(size=out), dtype=model.theta.dtype)


@pytest.mark.parametrize("how", COPIES)
@pytest.mark.parametrize("kind", MAKERS)
def test_copy_is_equal_and_independent(xp, kind, how):
    original = MAKERS[kind]()
    x, dout = _data(xp, original)
    before = _run(original, x, dout)
    clone = COPIES[how](original)
    assert type(clone) is type(original)
    assert isinstance(clone.theta, xp.ndarray) and clone.theta.dtype == original.theta.dtype
    assert set(clone.params) == set(original.params)
    for a, b in zip(_run(clone, x, dout), before):
        np.testing.assert_array_equal(a, b)
    # changing the copy's parameters, in place and through a training step, leaves the original alone
    clone.theta[...] += 0.5
    ll.Adam(0.1).update(clone)
    for name in clone.params:
        assert not np.array_equal(_np(clone.params[name]), _np(original.params[name])), name
    for a, b in zip(_run(original, x, dout), before):
        np.testing.assert_array_equal(a, b)
    # and the copy's named views are live views of its own flat vector
    for name, view in clone.params.items():
        view[...] = 0.25
        np.testing.assert_array_equal(_np(clone.params[name]), 0.25)
    np.testing.assert_array_equal(_np(clone.theta), 0.25)


@pytest.mark.parametrize("how", COPIES)
def test_sequential_copy_keeps_its_layers_on_its_own_vector(xp, how):
    model = MAKERS["Sequential"]()
    clone = COPIES[how](model)
    for layer in clone.layers:
        assert xp.shares_memory(layer.theta, clone.theta) or layer.theta.size == 0
        assert not xp.shares_memory(layer.theta, model.theta)
    x, dout = _data(xp, model)
    clone.forward(x)
    clone.backward(dout)
    for k, layer in enumerate(clone.layers):   # gradients land in the copy's dtheta, layer by layer
        for name, g in layer.grads.items():
            np.testing.assert_array_equal(_np(clone.grads[f"{k}.{name}"]), _np(g))
    assert float(xp.abs(clone.dtheta).sum()) > 0 and float(xp.abs(model.dtheta).sum()) == 0
    # training the copy with fit changes what its layers compute
    before = _np(clone.forward(x)).copy()
    y = xp.asarray(np.random.default_rng(3).normal(size=(2, 2)))
    ll.fit(clone, x, y, x, y, batch_size=2, max_epoch=3, early_stopping=False, progress=False, log=None)
    assert not np.array_equal(_np(clone.forward(x)), before)
    np.testing.assert_array_equal(_np(model.forward(x)), _np(MAKERS["Sequential"]().forward(x)))


@pytest.mark.parametrize("how", COPIES)
@pytest.mark.parametrize("kind", ["LSTM", "RNN-tanh", "Dense"])
def test_copy_in_the_middle_of_a_stepwise_run_continues_it(xp, kind, how):
    original = MAKERS[kind]()
    x, dout = _data(xp, original)
    for t in range(3):
        original.step(x[:, t])
    clone = COPIES[how](original)
    for t in range(3, 5):
        np.testing.assert_array_equal(_np(clone.step(x[:, t])), _np(original.step(x[:, t])))
    np.testing.assert_array_equal(_np(clone.backward(dout)), _np(original.backward(dout)))
    np.testing.assert_array_equal(_np(clone.dtheta), _np(original.dtheta))


def test_copied_layer_of_a_model_is_free_to_join_another(xp):
    model = MAKERS["Sequential"]()
    lstm = copy.deepcopy(model.layers[0])
    np.testing.assert_array_equal(_np(lstm.theta), _np(model.layers[0].theta))
    other = ll.Sequential([lstm, ll.LastStep(), ll.Dense(4, 1, seed=5)])
    other.theta[...] = 0.0
    assert float(xp.abs(model.layers[0].theta).sum()) > 0


def test_sine_result_pickles():
    result = ll.sine_experiment(seed=0, max_epoch=3, progress=False)
    clone = pickle.loads(pickle.dumps(result))
    X = result.data.X_test
    np.testing.assert_array_equal(clone.model.forward(X), result.model.forward(X))
    assert clone.history == result.history
