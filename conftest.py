"""pytest set-up for the chapter notebooks, so that plain ``pytest --nbval chapters/`` checks them.

The stored outputs come from ``make notebooks``: executed with ``LSTM_LIB_BOOK=1`` (sliders as
precomputed frames, not live widgets) by the project's own Python. Under ``--nbval`` or
``--nbval-lax`` this file gives nbval's kernels the same conditions: it sets ``LSTM_LIB_BOOK=1``
(kernels inherit pytest's environment), runs them on the current Python (``--nbval-current-env``)
unless a kernel is named, and compares outputs up to ``tests/nbval_sanitize.cfg`` unless another
sanitize file is given. Without ``--nbval`` it does nothing.
"""
import os
from pathlib import Path

SANITIZE = Path(__file__).resolve().parent / "tests" / "nbval_sanitize.cfg"


def pytest_configure(config):
    option = config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        return
    os.environ["LSTM_LIB_BOOK"] = "1"
    if not option.nbval_kernel_name:
        option.nbval_current_env = True
    if option.nbval_sanitize_with is None and option.sanitize_with is None:
        option.nbval_sanitize_with = str(SANITIZE)
