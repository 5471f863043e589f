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


def _cupy_if_usable():
    """Return the cupy module when it imports and a GPU is usable, else None."""
    try:
        import cupy
    except ImportError:
        return None
    try:
        return cupy if cupy.is_available() else None
    except Exception:  # a broken CUDA install reports through arbitrary exception types
        return None


def set_backend(name):
    """Select the array module for newly created layers: ``"numpy"`` or ``"cupy"``.

    Returns the name actually in use (``"numpy"`` when cupy was asked for but no GPU is usable).
    """
    global _current
    if name not in _BACKENDS:
        raise ValueError(f"backend must be one of {_BACKENDS}, got {name!r}")
    if name == "cupy" and _cupy_if_usable() is None:
        warnings.warn(
            "lstm_lib: the cupy backend was requested but no GPU is usable "
            "(cupy is not installed or cupy.is_available() is False); falling back to numpy.",
            RuntimeWarning,
            stacklevel=2,
        )
        name = "numpy"
    _current = name
    return _current


def get_backend():
    """Name of the array module used for newly created layers."""
    return _current


def xp_default():
    """The array module of the current backend."""
    return _cupy_if_usable() if _current == "cupy" else np


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


if os.environ.get("LSTM_LIB_BACKEND"):
    set_backend(os.environ["LSTM_LIB_BACKEND"].strip().lower())
