"""Saving and loading parameters as ``.npz`` (host numpy arrays keyed by parameter name).

``save`` writes a temporary file in the target's folder, flushes it to disk and renames it over the
target, so a crash mid-save leaves any existing file intact.
"""
import os
import tempfile

import numpy as np

from .backend import to_numpy


def save(model, path):
    """Write ``model.params`` to ``path`` (.npz), atomically."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{name: to_numpy(v) for name, v in model.params.items()})
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load(model, path):
    """Copy the arrays saved at ``path`` into ``model.params`` (names, shapes and dtypes must match)."""
    with np.load(os.fspath(path)) as saved:
        missing, extra = set(model.params) - set(saved.files), set(saved.files) - set(model.params)
        if missing or extra:
            raise ValueError(f"{path} does not match the model: missing {sorted(missing)}, "
                             f"unexpected {sorted(extra)}")
        for name, target in model.params.items():
            value = saved[name]
            if value.shape != target.shape or value.dtype != target.dtype:
                raise ValueError(f"{path}: {name} has shape {value.shape} and dtype {value.dtype}, "
                                 f"the model expects {tuple(target.shape)} and {target.dtype}")
        for name, target in model.params.items():
            target[...] = model.xp.asarray(saved[name])
    return model
