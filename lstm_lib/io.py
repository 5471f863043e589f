"""Saving and loading parameters as ``.npz`` (host numpy arrays keyed by parameter name).

``save`` writes a temporary file in the target's folder, flushes it to disk and renames it over the
target, so a crash mid-save leaves any existing file intact; the target keeps its permissions (a new
file gets the usual ones, 0o666 less the umask). ``load`` checks the whole file before it changes the
model: a file that is not such an archive, or that does not match the model, raises ValueError.
"""
import os
import stat
import tempfile

import numpy as np

from .backend import to_numpy
from .checks import trainable


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save(model, path):
    """Write ``model.params`` to ``path`` (.npz), atomically. OS errors name ``path``."""
    arrays = {name: to_numpy(v) for name, v in trainable(model).params.items()}
    path = os.fspath(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-", suffix=".npz")
    except OSError as err:
        raise OSError(err.errno, err.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as err:
        os.unlink(tmp)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, path) from None
        raise


def _read(path):
    """The arrays of the ``.npz`` archive at ``path``; ValueError saying what is wrong with the file."""
    with open(path, "rb") as fh:
        head = fh.read(6)
        fh.seek(0)
        if not head:
            raise ValueError(f"{path} is empty: expected an .npz archive written by lstm_lib.save")
        if head == b"\x93NUMPY":
            raise ValueError(f"{path} is a .npy file (one array): expected an .npz archive written by "
                             "lstm_lib.save")
        if not head.startswith(b"PK"):
            raise ValueError(f"{path} is not an .npz archive (it is no zip file): expected one written by "
                             "lstm_lib.save")
        try:
            with np.load(fh) as archive:
                return {name: archive[name] for name in archive.files}
        except Exception as err:  # zipfile, zlib and numpy report damage with many exception types
            raise ValueError(f"{path} is a truncated or corrupt .npz archive, or holds objects other than "
                             f"numeric arrays ({type(err).__name__}: {err})") from None


def load(model, path):
    """Copy the arrays saved at ``path`` into ``model.params`` (names, shapes and dtypes must match and
    every value be finite); the model is unchanged when the file is refused."""
    trainable(model)
    path = os.fspath(path)
    saved = _read(path)
    missing, extra = set(model.params) - set(saved), set(saved) - set(model.params)
    if missing or extra:
        raise ValueError(f"{path} does not match the model: missing {sorted(missing)}, "
                         f"unexpected {sorted(extra)}")
    for name, target in model.params.items():
        value = saved[name]
        if value.shape != target.shape or value.dtype != target.dtype:
            raise ValueError(f"{path}: {name} has shape {value.shape} and dtype {value.dtype}, "
                             f"the model expects {tuple(target.shape)} and {target.dtype}")
        if not np.isfinite(value).all():
            raise ValueError(f"{path}: {name} holds NaN or infinite values")
    xp = model.xp
    for name, target in model.params.items():
        target[...] = xp.asarray(saved[name])
    return model
