"""The book's experiments as one call each: the tutorial's sine experiment and the memory task."""
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace

import numpy as np

from .backend import to_numpy
from .checks import choice
from .data import closed_loop_predict, create_dataset, memory_task, sine_data, split_data
from .dense import Dense, LastStep
from .gru import GRU
from .initializers import make_rng
from .losses import mse
from .lstm import LSTM
from .lstm_variants import VARIANTS
from .optim import Adam
from .rnn import RNN
from .sequential import Sequential
from .training import History, fit

#: the cells ``sine_model`` builds: "lstm", Greff et al.'s variants as "lstm-<variant>", "gru", "rnn"
CELLS = {"lstm": LSTM, **{f"lstm-{v}": partial(LSTM, variant=v) for v in VARIANTS if v != "vanilla"},
         "gru": GRU, "rnn": RNN}


def sine_model(cell="lstm", hidden=2, input_size=1, output_size=1, seed=None, **cell_options):
    """``Sequential([cell(input_size, hidden, **cell_options), LastStep(), Dense(hidden, output_size)])``."""
    choice(cell, "cell", CELLS)
    rng = make_rng(seed)
    return Sequential([CELLS[cell](input_size, hidden, seed=rng, **cell_options), LastStep(hidden),
                       Dense(hidden, output_size, seed=rng)])


def sine_dataset(look_back=5, train_ratio=0.5, n=50):
    """The tutorial's data: sin on linspace(-10, 10, n), windows of ``look_back``, ordered split."""
    x, y = sine_data(n)
    X, Y = create_dataset(y, look_back)
    X_train, y_train, X_test, y_test = split_data(X, Y, train_ratio)
    return SimpleNamespace(x=x, y=y, look_back=look_back, X_train=X_train, y_train=y_train,
                           X_test=X_test, y_test=y_test, train_size=len(X_train), test_size=len(X_test))


@dataclass
class SineResult:
    model: Sequential
    history: History
    data: SimpleNamespace
    test_mse: float          # plain MSE of the final model on the test windows (one-step-ahead)
    closed_loop: np.ndarray  # (test_size,) predictions fed back as inputs, from X_test[0]

    @property
    def epochs_run(self):
        return self.history.epochs_run


def sine_experiment(cell="lstm", hidden=2, look_back=5, train_ratio=0.5, batch_size=5, lr=1e-3,
                    max_epoch=2000, period=200, early_stopping=True, seed=0, progress=True, log=None,
                    callback=None, clip=None, loss="mse", **cell_options):
    """Train ``cell`` (hidden units) + Dense(1) on the tutorial's sine task with Adam -> SineResult.

    One Generator from ``seed`` initialises the model and then shuffles the minibatches;
    ``cell_options`` go to the cell (e.g. ``variant="cifg"`` for "lstm", ``update_bias=1.0`` for "gru").
    """
    data = sine_dataset(look_back, train_ratio)
    rng = make_rng(seed)
    model = sine_model(cell, hidden, seed=rng, **cell_options)
    history = fit(model, data.X_train, data.y_train, data.X_test, data.y_test, optimizer=Adam(lr),
                  batch_size=batch_size, max_epoch=max_epoch, period=period,
                  early_stopping=early_stopping, loss=loss, clip=clip, callback=callback,
                  progress=progress, seed=rng, log=log)
    test_mse = mse(to_numpy(model.forward(data.X_test)), data.y_test)[0]
    curve = closed_loop_predict(model, data.X_test[0], data.test_size)[:, 0]
    return SineResult(model, history, data, test_mse, curve)


def memory_experiment(cell, lag, seed, hidden=8, n_train=256, n_test=256, lr=0.01,
                      batch_size=32, max_epoch=40, **cell_options):
    """Train ``sine_model(cell, hidden)`` on the memory task -> test accuracy.

    The accuracy is that of the sign of the output; chance is 0.5. One Generator
    from ``seed`` draws the training set, then the test set, initialises the model
    and shuffles the minibatches (Adam, mean squared error, no early stopping).
    ``cell_options`` go to the cell, e.g. ``forget_bias=0.0``.
    """
    rng = make_rng(seed)
    X_train, y_train = memory_task(lag, n_train, rng)
    X_test, y_test = memory_task(lag, n_test, rng)
    model = sine_model(cell, hidden, seed=rng, **cell_options)
    fit(model, X_train, y_train, optimizer=Adam(lr), batch_size=batch_size,
        max_epoch=max_epoch, period=max_epoch, early_stopping=False, progress=False,
        seed=rng, log=None)
    return float(np.mean(np.sign(to_numpy(model.forward(X_test))) == y_test))
