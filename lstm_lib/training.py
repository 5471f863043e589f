"""The training loop of the tutorial: shuffled minibatches, per-epoch test loss, early stopping.

Each epoch draws a permutation of the training set and runs ``train_size // batch_size`` minibatches
(the remainder is dropped, as in the tutorial), then evaluates the test loss. Every ``period`` epochs
it logs ``epoch:E, train loss:..., test loss:...``, calls ``callback(epoch, model, history)``, and
(with early stopping) stops when the test loss exceeds 0.99 times its value at the previous check.
"""
import math
import time
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from .checks import NonFiniteError, choice, float_array, nonempty, positive_int, real, trainable
from .initializers import make_rng
from .losses import LOSSES
from .optim import Adam, clip_grad_norm


@dataclass
class History:
    """Per-epoch curves of one ``fit`` run (losses in the convention of its ``loss``)."""

    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)   # global gradient norm, mean over the epoch's batches
    epochs_run: int = 0
    stopped_early: bool = False
    seconds: float = 0.0


def _samples(X, y, model, which):
    X = float_array(X, f"X_{which}", model.xp, model.theta.dtype)
    y = float_array(y, f"y_{which}", model.xp, model.theta.dtype)
    D = getattr(model, "input_size", None)
    if X.ndim != 3 or len(X) != len(y) or D not in (None, X.shape[2]):
        raise ValueError(f"X_{which} must have shape (N, T, {D or 'D'}) and y_{which} N rows, "
                         f"got {tuple(X.shape)} and {tuple(y.shape)}")
    return nonempty(X, f"X_{which}"), nonempty(y, f"y_{which}")


def train_step(model, xb, yb, loss_fn, optimizer, clip=None):
    """Forward, loss, backward, (clip,) update on one minibatch -> (loss value, gradient norm)."""
    value, norm = _update(model, xb, yb, loss_fn, optimizer, clip)
    return value, float(norm)


def _update(model, xb, yb, loss_fn, optimizer, clip, validate=True):
    """``train_step`` with the gradient norm left as a scalar of the model's array module (no host sync).

    ``validate=False``: ``xb`` is a slice of ``fit``'s own checked copy of the data.
    """
    value, dpred = loss_fn(model.forward(xb, validate=validate), yb)
    if not math.isfinite(value):
        raise NonFiniteError(f"the minibatch loss is {value}")
    model.backward(dpred)
    norm = clip_grad_norm(model, clip) if clip is not None else (model.dtheta @ model.dtheta) ** 0.5
    optimizer.update(model)
    return value, norm


def _epoch(model, X, y, rng, batch_size, loss_fn, optimizer, clip):
    """One pass over shuffled minibatches (remainder dropped) -> (mean loss, mean gradient norm)."""
    n_batches = len(X) // batch_size
    perm = model.xp.asarray(rng.permutation(len(X)))
    X, y = X[perm], y[perm]                  # this epoch's order: the minibatches are slices of it
    results = [_update(model, X[j:j + batch_size], y[j:j + batch_size], loss_fn, optimizer, clip,
                       validate=False) for j in range(0, n_batches * batch_size, batch_size)]
    total = norms = 0.0
    for value, norm in results:              # the gradient norms reach the host once per epoch
        total, norms = total + value, norms + float(norm)
    return total / n_batches, norms / n_batches


def fit(model, X_train, y_train, X_test=None, y_test=None, *, optimizer=None, batch_size=5,
        max_epoch=2000, period=200, early_stopping=True, loss="mse", clip=None, callback=None,
        progress=True, seed=None, log=print):
    """Train ``model`` (a ``Sequential`` mapping (N, T, D) to y's shape) -> ``History``.

    Without ``X_test``/``y_test`` no test loss is computed (``history.test_loss`` stays empty) and
    ``early_stopping`` must be False. ``loss`` is "mse" or "half_mse" (the tutorial's sum/2N); ``clip`` a
    max global gradient norm;
    ``seed`` (int or Generator) drives the shuffling; ``log`` receives the periodic lines (None: silent).
    Raises FloatingPointError naming the epoch when a loss becomes NaN or infinite; its ``history``
    holds the epochs completed before.
    """
    model = trainable(model)
    loss_fn = LOSSES[choice(loss, "loss", LOSSES)]
    X_train, y_train = _samples(X_train, y_train, model, "train")
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together or both be None")
    if X_test is None and early_stopping:
        raise ValueError("early_stopping=True needs a test set: pass X_test and y_test, or early_stopping=False")
    if X_test is not None:
        X_test, y_test = _samples(X_test, y_test, model, "test")
    batch_size = positive_int(batch_size, "batch_size")
    if batch_size > len(X_train):
        raise ValueError(f"batch_size must be at most the number of training samples ({len(X_train)}), "
                         f"got {batch_size}")
    max_epoch, period = positive_int(max_epoch, "max_epoch"), positive_int(period, "period")
    clip = None if clip is None else real(clip, "clip", 0)
    optimizer = optimizer if optimizer is not None else Adam()
    if not callable(getattr(optimizer, "update", None)):
        raise TypeError(f"optimizer must be an optimizer such as lstm_lib.Adam() (with update(model)), "
                        f"got {optimizer!r}")
    for name, f in (("callback", callback), ("log", log)):
        if f is not None and not callable(f):
            raise TypeError(f"{name} must be callable or None, got {f!r}")
    rng = make_rng(seed)
    history, loss_prev, start = History(), math.inf, time.perf_counter()
    bar = tqdm(range(1, max_epoch + 1), disable=not progress, desc="epochs", leave=False)
    for epoch in bar:
        try:
            with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported below
                train_loss, grad_norm = _epoch(model, X_train, y_train, rng, batch_size, loss_fn,
                                               optimizer, clip)
                test_loss = None if X_test is None else loss_fn(model.forward(X_test), y_test)[0]
            if not (math.isfinite(train_loss) and (test_loss is None or math.isfinite(test_loss))):
                raise NonFiniteError(f"train loss {train_loss}, test loss {test_loss}")
        except NonFiniteError as err:
            bar.close()
            history.seconds = time.perf_counter() - start
            error = FloatingPointError(f"training diverged at epoch {epoch}: {err}")
            error.history = history
            raise error from None
        history.train_loss.append(train_loss)
        if test_loss is not None:
            history.test_loss.append(test_loss)
        history.grad_norms.append(grad_norm)
        history.epochs_run = epoch
        if epoch % 50 == 0:
            bar.set_postfix({"train_loss": f"{train_loss:.3g}"} if test_loss is None
                            else {"test_loss": f"{test_loss:.3g}"})
        if epoch % period == 0:
            if log:
                log(f"epoch:{epoch}, train loss:{train_loss:.4g}"
                    + ("" if test_loss is None else f", test loss:{test_loss:.4g}"))
            if callback is not None:
                callback(epoch, model, history)
            if early_stopping and test_loss > loss_prev * 0.99:
                history.stopped_early = True
                if log:
                    log("Stop learning")
                break
            loss_prev = test_loss
    bar.close()
    history.seconds = time.perf_counter() - start
    return history
