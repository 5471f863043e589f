"""A layer owns what its backward pass needs: changing the caller's arrays, or the arrays a layer
returned, after a call changes no later result (issue 12, class 1). Every layer, both backends."""
import numpy as np
import pytest

import lstm_lib as ll

MAKERS = {
    "RNN": lambda: ll.RNN(3, 4, seed=0),
    "LSTM": lambda: ll.LSTM(3, 4, seed=0),
    "GRU": lambda: ll.GRU(3, 4, seed=0),
    "GRU-reset-before": lambda: ll.GRU(3, 4, reset_after=False, seed=0),
    **{f"LSTM-{v}": (lambda v=v: ll.LSTM(3, 4, variant=v, seed=0)) for v in ("peephole", "cifg", "nfg", "nog", "niaf")},
    "Dense": lambda: ll.Dense(3, 4, seed=0),
    "Sequential": lambda: ll.Sequential([ll.LSTM(3, 4, seed=0), ll.RNN(4, 4, "sigmoid", seed=1),
                                         ll.Dense(4, 2, seed=2)]),
    "Sequential-LastStep": lambda: ll.Sequential([ll.RNN(3, 4, seed=0), ll.LastStep(4), ll.Dense(4, 2, seed=1)]),
    # a model hands on its last layer's output: it must not be a view of that layer's cache either
    "Sequential-ending-RNN": lambda: ll.Sequential([ll.LSTM(3, 4, seed=0), ll.RNN(4, 3, seed=1)]),
    "Sequential-ending-LSTM": lambda: ll.Sequential([ll.Dense(3, 4, seed=0), ll.LSTM(4, 3, seed=1)]),
    "Sequential-ending-LastStep": lambda: ll.Sequential([ll.RNN(3, 4, seed=0), ll.LastStep()]),
}
RECURRENT = ["RNN", "LSTM", "GRU", "GRU-reset-before", "LSTM-peephole", "LSTM-cifg", "LSTM-nfg", "LSTM-nog",
             "LSTM-niaf"]
# one sample, one step, both, neither: the layouts in which a transpose or a slice is free (a view)
SHAPES = [(1, 4, 3), (3, 1, 3), (1, 1, 3), (2, 4, 3)]


def _same(a, b):
    np.testing.assert_array_equal(ll.to_numpy(a), ll.to_numpy(b))


def _data(xp, shape, out, seed=0):
    rng = np.random.default_rng(seed)
    return xp.asarray(rng.normal(size=shape)), xp.asarray(rng.normal(size=out))


def _results(layer, dout):
    return ll.to_numpy(layer.backward(dout)), ll.to_numpy(layer.dtheta).copy()


@pytest.mark.parametrize("kind", MAKERS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_overwriting_the_input_after_forward(xp, kind, shape):
    ref, layer = MAKERS[kind](), MAKERS[kind]()
    x, _ = _data(xp, shape, (1,))
    out = ref.forward(x.copy())
    layer.forward(x)
    x[...] = 7.0                                  # the caller reuses its buffer
    dout = xp.asarray(np.random.default_rng(1).normal(size=out.shape))
    for a, b in zip(_results(layer, dout), _results(ref, dout)):
        _same(a, b)


@pytest.mark.parametrize("kind", MAKERS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_overwriting_the_output_after_forward(xp, kind, shape):
    ref, layer = MAKERS[kind](), MAKERS[kind]()
    x, _ = _data(xp, shape, (1,))
    out = ref.forward(x)
    y = layer.forward(x)
    _same(y, out)
    y[...] = 7.0                                  # e.g. an in-place post-processing of the prediction
    dout = xp.asarray(np.random.default_rng(1).normal(size=out.shape))
    for a, b in zip(_results(layer, dout), _results(ref, dout)):
        _same(a, b)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "Dense", "Sequential"])
@pytest.mark.parametrize("batch", [1, 3])
def test_step_with_one_reused_input_buffer(xp, kind, batch):
    """The tutorial's loop ``for t: buf[:] = x[:, t]; model.step(buf)`` against fresh arrays per step."""
    ref, layer = MAKERS[kind](), MAKERS[kind]()
    x, _ = _data(xp, (batch, 5, 3), (1,))
    buf = xp.empty((batch, 3))
    for t in range(5):
        ref.step(x[:, t].copy())
        buf[...] = x[:, t]
        y = layer.step(buf)
        y[...] = -3.0                             # the returned step output is the caller's too
    dout = xp.asarray(np.random.default_rng(1).normal(size=(batch, 5, 2 if kind == "Sequential" else 4)))
    for a, b in zip(_results(layer, dout), _results(ref, dout)):
        _same(a, b)


@pytest.mark.parametrize("kind", RECURRENT)
@pytest.mark.parametrize("batch", [1, 3])
def test_overwriting_initial_and_final_states(xp, kind, batch):
    ref, layer = MAKERS[kind](), MAKERS[kind]()
    x, _ = _data(xp, (batch, 4, 3), (1,))
    states = [xp.asarray(np.random.default_rng(k).normal(size=(batch, 4))) for k in range(len(ref.state_names))]
    ref.forward(x, *[s.copy() for s in states])
    layer.forward(x, *states)
    for s in states:
        s[...] = 7.0
    final = layer.final_state
    for s in (final,) if kind == "RNN" else final:
        s[...] = 7.0
    _same(ref.step(x[:, 0]), layer.step(x[:, 0]))   # continues from its own final state
    dout = xp.asarray(np.random.default_rng(1).normal(size=(batch, 5, 4)))
    for a, b in zip(_results(layer, dout), _results(ref, dout)):
        _same(a, b)


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 4, 3), (2, 4, 3)], ids=str)
def test_overwriting_the_lstm_trace(xp, shape):
    layer = ll.LSTM(3, 1 if shape[0] == 1 else 4, seed=0)
    x, _ = _data(xp, shape, (1,))
    out = layer.forward(x)
    dout = xp.asarray(np.random.default_rng(1).normal(size=out.shape))
    dx = ll.to_numpy(layer.backward(dout))
    first = {k: ll.to_numpy(v).copy() for k, v in layer.trace().items()}
    for v in layer.trace().values():
        v[...] = 7.0
    for k, v in layer.trace().items():
        _same(v, first[k])
    _same(layer.backward(dout), dx)


@pytest.mark.parametrize("batch", [1, 3])
def test_laststep_output_is_not_a_view_of_its_input(xp, batch):
    x, _ = _data(xp, (batch, 4, 3), (1,))
    before = x.copy()
    ll.LastStep(3).forward(x)[...] = 7.0
    _same(x, before)
