"""A ReNom-shaped surface over lstm_lib, so the tutorial's code runs with only its imports changed.

    import lstm_lib.renom as rm
    from lstm_lib.renom.optimizer import Adam
    from lstm_lib.renom.cuda import set_cuda_active

``rm.Sequential([rm.Lstm(2), rm.Dense(1)])`` infers input sizes on its first call and then wraps a
real ``lstm_lib.Sequential``. Each call ``model(x_t)`` runs one time step (``x_t`` (B, D), or (D,) for
one sample) and returns a numpy array that remembers which model and step produced it;
``rm.mse(z, y)`` is the tutorial's loss sum((z - y)^2) / (2N), and ``loss.grad().update(opt)``
backpropagates through every step since the last ``truncate()`` and applies the optimizer.
Unlike ReNom, no operation on ``z`` is recorded: ``rm.mse`` takes only an unmodified model output
(read-only; any array computed from it is refused with a TypeError).
The weights are initialised as ReNom does (``init="renom"``: Glorot normal over its fused LSTM
matrices) from numpy's global random state, so ``np.random.seed`` makes a run repeatable.
"""
from contextlib import contextmanager

import numpy as np

from .. import dense as _dense
from .. import losses as _losses
from .. import lstm as _lstm
from ..backend import to_numpy
from ..sequential import Sequential as _Sequential


class _Lazy:
    """A layer whose input size is known only at the first call."""

    def __init__(self, output_size):
        self.output_size = output_size


class Lstm(_Lazy):
    """``Lstm(H)``: an ``lstm_lib.LSTM`` with hidden size H."""

    def build(self, input_size, rng):
        return _lstm.LSTM(input_size, self.output_size, init="renom", seed=rng)


class Dense(_Lazy):
    """``Dense(O)``: an ``lstm_lib.Dense`` with O outputs."""

    def build(self, input_size, rng):
        return _dense.Dense(input_size, self.output_size, init="renom", seed=rng)


class Node(np.ndarray):
    """A model output that remembers its model, step index and the history generation it belongs to.

    Arrays derived from it (arithmetic, slices, copies) are Nodes without an origin.
    """

    def __array_finalize__(self, obj):
        self._origin = None


class Sequential:
    """Stepwise model in ReNom's style; ``self.model`` is the wrapped ``lstm_lib.Sequential``."""

    def __init__(self, layers):
        self._specs = list(layers)
        self.model = None
        self._steps = 0
        self._generation = 0
        self._stale = False

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x[None, :]
        if self.model is None:
            rng = np.random.default_rng(np.random.randint(2**31 - 1))
            layers, size = [], x.shape[1]
            for spec in self._specs:
                layers.append(spec.build(size, rng))
                size = spec.output_size
            self.model = _Sequential(layers)
        if self._stale:
            self.model.truncate()
            self._steps, self._stale = 0, False
            self._generation += 1
        z = to_numpy(self.model.step(x)).view(Node)
        z._origin = (self, self._generation, self._steps)
        z.flags.writeable = False
        self._steps += 1
        return z

    def truncate(self):
        """End the current sequence: the next call starts from zero state.

        The history stays available to a loss computed before the truncate, as in ReNom.
        """
        self._stale = True

    @contextmanager
    def train(self):
        """ReNom records the graph only inside ``train()``; lstm_lib always keeps what backward needs."""
        yield self

    def _backward(self, generation, step, dz):
        if generation != self._generation:
            raise RuntimeError("the steps behind this loss were discarded by later model calls")
        dout = np.zeros((dz.shape[0], self._steps, dz.shape[1]))
        dout[:, step] = dz
        self.model.backward(dout)


class _Loss:
    def __init__(self, value, origin, dz):
        self._value, self._origin, self._dz = value, origin, dz

    def as_ndarray(self):
        return np.array(self._value)

    def grad(self):
        """Backpropagate through the model's recorded steps; returns an object with ``update(opt)``."""
        model, generation, step = self._origin
        model._backward(generation, step, self._dz)
        return _Grad(model.model)


class _Grad:
    def __init__(self, model):
        self._model = model

    def update(self, optimizer):
        optimizer.update(self._model)


def mse(z, y):
    """The tutorial's loss sum((z - y)^2) / (2N) of a model output ``z`` (from a call) and target ``y``."""
    origin = getattr(z, "_origin", None)
    if origin is None:
        got = "an array computed from one" if isinstance(z, Node) else type(z).__name__
        raise TypeError("rm.mse expects as z the unmodified output of an rm.Sequential call (operations on "
                        f"it are not differentiated), got {got}")
    value, dz = _losses.half_mse(np.asarray(z), y)
    return _Loss(value, origin, to_numpy(dz))


__all__ = ["Sequential", "Lstm", "Dense", "mse"]
