"""lstm_lib: RNN, LSTM and GRU layers with explicit backpropagation through time, on numpy or cupy.

The companion library of *rnn-lstm-book*. Sequences are batch-major (B, T, D); every layer has
``params``/``grads`` dicts named as in the book, ``forward``, ``backward`` (BPTT), ``step`` and
``truncate``. See the book's notation table for the symbol of each name.
"""
from .backend import get_array_module, get_backend, set_backend, to_numpy
from .data import (closed_loop_predict, create_dataset, horizon_forecasts, memory_task, one_step_predict,
                   sine_data, split_data)
from .dense import Dense, LastStep
from .experiments import SineResult, memory_experiment, sine_dataset, sine_experiment, sine_model
from .gru import GRU
from .gradcheck import gradcheck, gradcheck_layer, numerical_gradient, rel_error
from .io import load, save
from .losses import half_mse, mse
from .lstm import LSTM
from .optim import SGD, Adam, clip_grad_norm
from .rnn import RNN
from .sequential import Sequential
from .training import History, fit, train_step

from . import anomaly, baselines, datasets, equations, renom  # noqa: E402  (modules used by name)

__all__ = [
    "RNN", "LSTM", "GRU", "Dense", "LastStep", "Sequential",
    "mse", "half_mse", "SGD", "Adam", "clip_grad_norm",
    "fit", "train_step", "History",
    "sine_data", "memory_task", "create_dataset", "split_data", "one_step_predict", "closed_loop_predict",
    "horizon_forecasts",
    "sine_dataset", "sine_model", "sine_experiment", "SineResult", "memory_experiment",
    "gradcheck", "gradcheck_layer", "numerical_gradient", "rel_error",
    "save", "load",
    "set_backend", "get_backend", "get_array_module", "to_numpy",
    "anomaly", "baselines", "datasets", "equations", "renom",
]
__version__ = "0.1.0"
