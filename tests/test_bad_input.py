"""Bad input raises ValueError/TypeError naming the argument, the expected and the actual value."""
import numpy as np
import pytest

import lstm_lib as ll

NAN_OR_INF = "(?=.*(?:[Nn][Aa][Nn]|[Ii][Nn][Ff]))"  # appended to msg(...)


def _recurrent(kind):
    return ll.LSTM(3, 4, seed=0) if kind == "LSTM" else ll.RNN(3, 4, "tanh", seed=0)


KINDS = ["LSTM", "RNN"]


# --- shapes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_wrong_feature_size(kind, msg):
    with pytest.raises(ValueError, match=msg("x", "3", "(2, 5, 4)")):
        _recurrent(kind).forward(np.zeros((2, 5, 4)))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", [(2, 3), (3,), (1, 2, 5, 3)], ids=str)
def test_wrong_ndim(kind, shape, msg):
    with pytest.raises(ValueError, match=msg("x", str(shape))):
        _recurrent(kind).forward(np.zeros(shape))


def test_dense_wrong_feature_size_and_ndim(msg):
    layer = ll.Dense(3, 2, seed=0)
    with pytest.raises(ValueError, match=msg("x", "3", "(4, 5)")):
        layer.forward(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=msg("x", "(3,)")):
        layer.forward(np.zeros(3))
    with pytest.raises(ValueError, match=msg("x", "(1, 1, 1, 3)")):
        layer.forward(np.zeros((1, 1, 1, 3)))


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_initial_state_shape(kind, msg):
    x = np.zeros((2, 5, 3))
    with pytest.raises(ValueError, match=msg("h0", "(2, 4)", "(2, 3)")):
        _recurrent(kind).forward(x, h0=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=msg("h0", "(2, 4)", "(3, 4)")):
        _recurrent(kind).forward(x, h0=np.zeros((3, 4)))
    if kind == "LSTM":
        with pytest.raises(ValueError, match=msg("c0", "(2, 4)", "(4,)")):
            _recurrent(kind).forward(x, c0=np.zeros(4))


def test_step_wrong_shape(msg):
    with pytest.raises(ValueError, match=msg(("x_t", "x"), "(2, 5, 3)")):
        ll.LSTM(3, 4, seed=0).step(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=msg(("x_t", "x"), "3", "(2, 2)")):
        ll.RNN(3, 4, seed=0).step(np.zeros((2, 2)))


@pytest.mark.parametrize("kind", KINDS)
def test_dout_of_wrong_shape(kind, msg):
    layer = _recurrent(kind)
    layer.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=msg("dout", "(2, 5, 4)", "(2, 5, 5)")):
        layer.backward(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match=msg("dout", "(2, 5, 4)", "(2, 4)")):
        layer.backward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=msg("dh_T", "(2, 4)", "(2, 5)")):
        layer.backward(np.zeros((2, 5, 4)), np.zeros((2, 5)))


def test_dense_laststep_sequential_dout_of_wrong_shape(msg):
    dense = ll.Dense(3, 2, seed=0)
    dense.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=msg("dout", "(4, 2)", "(4, 3)")):
        dense.backward(np.zeros((4, 3)))
    last = ll.LastStep()
    last.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=msg("dout", "(2, 3)", "(2, 5, 3)")):
        last.backward(np.zeros((2, 5, 3)))
    model = ll.Sequential([ll.LSTM(1, 2, seed=0), ll.LastStep(), ll.Dense(2, 1, seed=1)])
    model.forward(np.zeros((5, 4, 1)))
    with pytest.raises(ValueError, match=msg("dout", "(5, 1)", "(4, 1)")):
        model.backward(np.zeros((4, 1)))


def test_loss_shape_mismatch(msg):
    with pytest.raises(ValueError, match=msg(("pred", "target"), "(5, 1)", "(5,)")):
        ll.mse(np.zeros((5, 1)), np.zeros(5))
    with pytest.raises(ValueError, match=msg(("pred", "target"), "(5, 1)", "(4, 1)")):
        ll.half_mse(np.zeros((5, 1)), np.zeros((4, 1)))


def test_sequential_rejects_mismatched_layer_sizes(msg):
    with pytest.raises(ValueError, match=msg(None, "3", "2")):
        ll.Sequential([ll.LSTM(1, 2, seed=0), ll.Dense(3, 1, seed=0)])


# --- values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("kind", KINDS)
def test_nan_or_inf_in_inputs(kind, bad, msg):
    x = np.zeros((2, 5, 3))
    x[1, 2, 0] = bad
    with pytest.raises(ValueError, match=msg("x") + NAN_OR_INF):
        _recurrent(kind).forward(x)
    h0 = np.zeros((2, 4))
    h0[0, 1] = bad
    with pytest.raises(ValueError, match=msg("h0") + NAN_OR_INF):
        _recurrent(kind).forward(np.zeros((2, 5, 3)), h0=h0)
    layer = _recurrent(kind)
    layer.forward(np.zeros((2, 5, 3)))
    dout = np.zeros((2, 5, 4))
    dout[0, 0, 0] = bad
    with pytest.raises(ValueError, match=msg("dout") + NAN_OR_INF):
        layer.backward(dout)


def test_nan_in_loss_and_data_inputs(msg):
    t = np.zeros((3, 1))
    t[1] = np.nan
    with pytest.raises(ValueError, match=msg("target") + NAN_OR_INF):
        ll.mse(np.zeros((3, 1)), t)
    ts = np.sin(np.linspace(0, 3, 20))
    ts[7] = np.inf
    with pytest.raises(ValueError, match=msg("ts") + NAN_OR_INF):
        ll.create_dataset(ts, 3)


@pytest.mark.parametrize("bad", [np.array([["a", "b"]]), np.array([None, 1.0], dtype=object), "abc", [[1, "x"]]],
                         ids=["str-array", "object-array", "str", "mixed-list"])
def test_non_numeric_arrays(bad, msg):
    with pytest.raises(TypeError, match=msg("x")):
        ll.Dense(2, 1, seed=0).forward(bad)
    with pytest.raises(TypeError, match=msg("ts")):
        ll.create_dataset(bad, 1)


def test_non_numeric_recurrent_input_and_target(msg):
    with pytest.raises(TypeError, match=msg("x")):
        ll.LSTM(1, 2, seed=0).forward(np.array([[["a"]]]))
    with pytest.raises(TypeError, match=msg("target")):
        ll.mse(np.zeros((1, 1)), np.array([["a"]]))


@pytest.mark.parametrize("ctor, arg", [
    (lambda v: ll.RNN(3, v), "hidden_size"),
    (lambda v: ll.LSTM(3, v), "hidden_size"),
    (lambda v: ll.RNN(v, 3), "input_size"),
    (lambda v: ll.LSTM(v, 3), "input_size"),
    (lambda v: ll.Dense(v, 3), "input_size"),
    (lambda v: ll.Dense(3, v), "output_size"),
], ids=["RNN-hidden", "LSTM-hidden", "RNN-input", "LSTM-input", "Dense-input", "Dense-output"])
@pytest.mark.parametrize("value", [0, -2])
def test_sizes_below_one(ctor, arg, value, msg):
    with pytest.raises(ValueError, match=msg(arg, str(value))):
        ctor(value)


@pytest.mark.parametrize("value", [2.5, "2", True])
def test_non_integer_hidden_size(value, msg):
    with pytest.raises(TypeError, match=msg("hidden_size", repr(value))):
        ll.LSTM(3, value)


def test_unknown_activation(msg):
    with pytest.raises(ValueError, match=msg("activation", "softplus", "tanh")):
        ll.RNN(3, 4, "softplus")


# --- backward before forward -------------------------------------------------------------------

@pytest.mark.parametrize("make, dout", [
    (lambda: ll.RNN(3, 4), np.zeros((2, 5, 4))),
    (lambda: ll.LSTM(3, 4), np.zeros((2, 5, 4))),
    (lambda: ll.Dense(3, 4), np.zeros((2, 4))),
    (lambda: ll.LastStep(), np.zeros((2, 4))),
    (lambda: ll.Sequential([ll.LSTM(1, 2), ll.LastStep(), ll.Dense(2, 1)]), np.zeros((2, 1))),
], ids=["RNN", "LSTM", "Dense", "LastStep", "Sequential"])
def test_backward_before_forward(make, dout):
    with pytest.raises((ValueError, TypeError), match="forward"):
        make().backward(dout)


def test_backward_after_truncate_discarded_history():
    layer = ll.LSTM(3, 4, seed=0)
    layer.forward(np.zeros((2, 5, 3)))
    layer.truncate()
    with pytest.raises((ValueError, TypeError), match="forward"):
        layer.backward(np.zeros((2, 5, 4)))


# --- data helpers ------------------------------------------------------------------------------

@pytest.mark.parametrize("look_back", [5, 6, 50])
def test_look_back_not_shorter_than_series(look_back, msg):
    with pytest.raises(ValueError, match=msg("look_back", str(look_back), "5")):
        ll.create_dataset(np.arange(5.0), look_back)


@pytest.mark.parametrize("look_back", [0, -1])
def test_look_back_below_one(look_back, msg):
    with pytest.raises(ValueError, match=msg("look_back", str(look_back))):
        ll.create_dataset(np.arange(5.0), look_back)


def test_series_of_wrong_ndim(msg):
    with pytest.raises(ValueError, match=msg("ts", "(2, 3, 4)")):
        ll.create_dataset(np.zeros((2, 3, 4)), 1)


@pytest.mark.parametrize("ratio", [0, 0.0, 1, 1.0, 1.5, -0.1])
def test_train_ratio_outside_open_unit_interval(ratio, msg):
    X, y = ll.create_dataset(np.sin(np.linspace(-10, 10, 50)), 5)
    with pytest.raises(ValueError, match=msg("train_ratio", str(ratio))):
        ll.split_data(X, y, ratio)


def test_split_data_length_mismatch(msg):
    X, y = ll.create_dataset(np.arange(20.0), 3)
    with pytest.raises(ValueError, match=msg(("X", "y"), "17", "16")):
        ll.split_data(X, y[:-1], 0.5)


# --- training ----------------------------------------------------------------------------------

def _sine_split():
    x, y = ll.sine_data()
    X, Y = ll.create_dataset(y, 5)
    return ll.split_data(X, Y, 0.5)


def _model():
    return ll.Sequential([ll.LSTM(1, 2, seed=0), ll.LastStep(), ll.Dense(2, 1, seed=1)])


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_one(batch_size, msg):
    with pytest.raises(ValueError, match=msg("batch_size", str(batch_size))):
        ll.fit(_model(), *_sine_split(), batch_size=batch_size, max_epoch=1, progress=False, log=None)


def test_batch_size_larger_than_training_data(msg):
    Xtr, ytr, Xte, yte = _sine_split()
    assert len(Xtr) == 22
    with pytest.raises(ValueError, match=msg("batch_size", "23", "22")):
        ll.fit(_model(), Xtr, ytr, Xte, yte, batch_size=23, max_epoch=1, progress=False, log=None)


def test_non_integer_batch_size(msg):
    with pytest.raises(TypeError, match=msg("batch_size", "2.5")):
        ll.fit(_model(), *_sine_split(), batch_size=2.5, max_epoch=1, progress=False, log=None)


def test_fit_checks_its_arrays(msg):
    Xtr, ytr, Xte, yte = _sine_split()
    with pytest.raises(ValueError, match=msg("X_train", "(22, 5)")):
        ll.fit(_model(), Xtr[..., 0], ytr, Xte, yte, max_epoch=1, progress=False, log=None)
    with pytest.raises(ValueError, match=msg(("X_train", "y_train"), "22", "21")):
        ll.fit(_model(), Xtr, ytr[:-1], Xte, yte, max_epoch=1, progress=False, log=None)
    bad = Xte.copy()
    bad[3, 2, 0] = np.nan
    with pytest.raises(ValueError, match=msg("X_test") + NAN_OR_INF):
        ll.fit(_model(), Xtr, ytr, bad, yte, max_epoch=1, progress=False, log=None)
    with pytest.raises(ValueError, match=msg(("X_train", "x"), "2", "1")):
        ll.fit(_model(), np.concatenate([Xtr, Xtr], axis=2), ytr, Xte, yte, max_epoch=1, progress=False, log=None)


def test_fit_rejects_non_numeric_data(msg):
    Xtr, ytr, Xte, yte = _sine_split()
    with pytest.raises(TypeError, match=msg("y_train")):
        ll.fit(_model(), Xtr, ytr.astype(str), Xte, yte, max_epoch=1, progress=False, log=None)


@pytest.mark.parametrize("arg", ["max_epoch", "period"])
def test_fit_epoch_counts_below_one(arg, msg):
    with pytest.raises(ValueError, match=msg(arg, "0")):
        ll.fit(_model(), *_sine_split(), progress=False, log=None, **{"max_epoch": 5, "period": 5, arg: 0})


@pytest.mark.parametrize("lr, seed", [(1e30, 0), (1e4, 1), (1e4, 0)])
def test_diverging_training_raises_naming_the_epoch(lr, seed):
    """Whether the overflow first shows in the loss value or in its gradient, the error is the same."""
    Xtr, ytr, Xte, yte = _sine_split()
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match=r"(?i)epoch\D{0,3}\d+"):
        ll.fit(_model(), Xtr, ytr, Xte, yte, optimizer=ll.SGD(lr=lr), max_epoch=50,
               early_stopping=False, progress=False, log=None, seed=seed)


@pytest.mark.parametrize("kwargs, arg, value", [
    ({"cell": "transformer"}, "cell", "transformer"),
    ({"hidden": 0}, "hidden", "0"),
    ({"look_back": 50}, "look_back", "50"),
    ({"train_ratio": 1.0}, "train_ratio", "1.0"),
    ({"batch_size": 0}, "batch_size", "0"),
], ids=["cell", "hidden", "look_back", "train_ratio", "batch_size"])
def test_sine_experiment_arguments(kwargs, arg, value, msg):
    with pytest.raises(ValueError, match=msg(("hidden", "hidden_size") if arg == "hidden" else arg, value)):
        ll.sine_experiment(max_epoch=1, progress=False, **kwargs)


def test_closed_loop_predict_arguments(msg):
    model = _model()
    with pytest.raises(ValueError, match=msg("window", "(5, 2)")):
        ll.closed_loop_predict(model, np.zeros((5, 2)), 3)
    with pytest.raises(ValueError, match=msg("n_steps", "0")):
        ll.closed_loop_predict(model, np.zeros(5), 0)


def test_unknown_backend(msg):
    with pytest.raises(ValueError, match=msg("backend", "tpu")):
        ll.set_backend("tpu")
