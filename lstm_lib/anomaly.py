"""Anomaly scores, a change detector and the scores of a detector against known anomalies.

* ``rolling_zscore(series, w)``: how far each value lies from the w values before it, in their
  standard deviations (the simplest detector, no model);
* ``cusum(scores, k, h)``: Page's one-sided cumulative sum, which finds a lasting shift in the mean of
  standardized scores (e.g. prediction errors) too small to flag point by point;
* ``event_scores(flags, events, tolerance)``: precision, recall and F1 of flagged steps against the
  positions where anomalies were put.
"""
import numbers
from typing import NamedTuple

import numpy as np

from .checks import float_array, positive_int, real


def _series(x, name):
    x = float_array(x, name, np, np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must have shape (N,), got {tuple(x.shape)}")
    return x


def rolling_zscore(series, window):
    """z_t = (y_t - mean(y_{t-w}, ..., y_{t-1})) / std(y_{t-w}, ..., y_{t-1}): series (N,) -> z (N,).

    ``window`` = w >= 2 values before t (population standard deviation); z is NaN for t < w, where no
    full window exists. A window of w equal values has std 0: raises ValueError naming its position.
    """
    y = _series(series, "series")
    w = positive_int(window, "window")
    if not 2 <= w < len(y):
        raise ValueError(f"window must be between 2 and len(series) - 1 = {len(y) - 1}, got {w}")
    past = np.lib.stride_tricks.sliding_window_view(y[:-1], w)   # past[k] = y[k : k + w], before y[k + w]
    std = past.std(axis=1)
    if not (std > 0).all():
        k = int(np.flatnonzero(std == 0)[0])
        raise ValueError(f"series is constant over the window {k}..{k + w - 1}: its z-score is undefined")
    z = np.full(len(y), np.nan)
    z[w:] = (y[w:] - past.mean(axis=1)) / std
    return z


class Cusum(NamedTuple):
    """``statistic`` S (N,); ``alarm``: first t with S_t > h (None if never); ``change``: the step after
    S last left zero before the alarm, the estimated start of the shift (None without an alarm)."""

    statistic: np.ndarray
    alarm: int | None
    change: int | None


def cusum(scores, k=0.5, h=5.0):
    """Page's one-sided CUSUM for an upward shift of standardized ``scores`` s_t (N,) -> ``Cusum``.

    S_t = max(0, S_{t-1} + s_t - k), S_0 = 0; alarm when S_t > h. ``k`` (>= 0) is the slack, about half
    the shift to detect in standard deviations; ``h`` (> 0) the decision interval. For a downward shift
    pass ``-scores``.
    """
    s = _series(scores, "scores")
    k, h = real(k, "k", 0.0, include_low=True), real(h, "h", 0.0)
    S = np.empty(len(s))
    total = 0.0
    for t, value in enumerate(s):
        total = max(0.0, total + value - k)
        S[t] = total
    above = np.flatnonzero(S > h)
    if not len(above):
        return Cusum(S, None, None)
    alarm = int(above[0])
    zeros = np.flatnonzero(S[:alarm] == 0)
    return Cusum(S, alarm, int(zeros[-1]) + 1 if len(zeros) else 0)


class EventScores(NamedTuple):
    precision: float   # flagged steps that fall in an anomaly's window / all flagged steps (0 if none)
    recall: float      # anomalies with at least one flagged step in their window / all anomalies
    f1: float          # 2 precision recall / (precision + recall), 0 if both are 0
    flagged: int       # number of flagged steps
    found: int         # number of anomalies found


def event_scores(flags, events, tolerance=0):
    """Score boolean ``flags`` (N,) against anomalies at the positions ``events`` (E,) -> ``EventScores``.

    The window of an anomaly at position e is e, e + 1, ..., e + tolerance (an anomaly can disturb the
    steps just after it). A flagged step is a true positive if it lies in some window; an anomaly is
    found if some flagged step lies in its window.
    """
    flags = np.asarray(flags)
    if flags.dtype != bool or flags.ndim != 1:
        raise TypeError(f"flags must be a 1-D boolean array, got dtype {flags.dtype} with shape {flags.shape}")
    events = np.asarray(events)
    if events.ndim != 1 or events.dtype.kind not in "iu" or len(events) == 0:
        raise ValueError(f"events must be a non-empty 1-D array of integer positions, got {events!r}")
    if events.min() < 0 or events.max() >= len(flags):
        raise ValueError(f"events must lie in 0..{len(flags) - 1} (positions in flags), got "
                         f"{events.min()}..{events.max()}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Integral) or tolerance < 0:
        raise ValueError(f"tolerance must be an integer >= 0, got {tolerance!r}")
    in_window = np.zeros(len(flags), dtype=bool)
    found = 0
    for e in events:
        window = slice(e, e + tolerance + 1)
        in_window[window] = True
        found += bool(flags[window].any())
    flagged = int(flags.sum())
    precision = float((flags & in_window).sum() / flagged) if flagged else 0.0
    recall = found / len(events)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return EventScores(precision, recall, f1, flagged, found)
