"""Array backend: numpy by default, cupy on a GPU.

Layers allocate their parameters with the module chosen here and take the array module for every
computation from their own arrays (``xp = get_array_module(theta)``), so one code path serves both.
Choose cupy with ``LSTM_LIB_BACKEND=cupy`` or ``set_backend("cupy")``; when no GPU is usable a
``RuntimeWarning`` says so and numpy stays in use.
"""
import os
import warnings

import numpy as np

_BACKENDS = ("numpy", "cupy")
_current = "numpy"
_xp = np          # the module of _current, probed once by set_backend


def _cupy_if_usable():
    """(the cupy module, "") when it imports and a GPU is usable, else (None, the reason)."""
    try:
        import cupy
    except Exception as err:  # a broken CUDA install fails on import with arbitrary exception types
        return None, f"import cupy raised {type(err).__name__}: {err}"
    try:
        if cupy.is_available():
            return cupy, ""
        return None, "cupy.is_available() is False"
    except Exception as err:
        return None, f"cupy.is_available() raised {type(err).__name__}: {err}"


def set_backend(name):
    """Select the array module for newly created layers: ``"numpy"`` or ``"cupy"``.

    Returns the name actually in use (``"numpy"`` when cupy was asked for but no GPU is usable).
    """
    global _current, _xp
    if name not in _BACKENDS:
        raise ValueError(f"backend must be one of {_BACKENDS}, got {name!r}")
    xp = np
    if name == "cupy":
        xp, reason = _cupy_if_usable()
        if xp is None:
            warnings.warn(f"lstm_lib: the cupy backend was requested but no GPU is usable ({reason}); "
                          "falling back to numpy.", RuntimeWarning, stacklevel=2)
            name, xp = "numpy", np
    _current, _xp = name, xp
    return _current


def get_backend():
    """Name of the array module used for newly created layers."""
    return _current


def xp_default():
    """The array module of the current backend."""
    return _xp


def get_array_module(*arrays):
    """numpy or cupy, whichever the given arrays belong to (numpy for plain Python data)."""
    for a in arrays:
        if type(a).__module__.startswith("cupy"):
            import cupy

            return cupy
    return np


def to_numpy(a):
    """Copy a cupy array to the host; numpy arrays and scalars pass through."""
    if type(a).__module__.startswith("cupy"):
        return a.get()
    return np.asarray(a)


_env = os.environ.get("LSTM_LIB_BACKEND", "").strip().lower()
if _env and _env not in _BACKENDS:
    raise ValueError(f"the environment variable LSTM_LIB_BACKEND must be one of {_BACKENDS} (any case), "
                     f"got {os.environ['LSTM_LIB_BACKEND']!r}")
if _env:
    set_backend(_env)
