"""Anomaly scores, CUSUM and event scoring against hand-computed cases."""
import numpy as np
import pytest

from lstm_lib.anomaly import cusum, event_scores, rolling_zscore


def test_rolling_zscore_uses_only_the_values_before():
    y = np.random.default_rng(0).normal(size=30)
    z = rolling_zscore(y, 5)
    assert z.shape == (30,) and np.isnan(z[:5]).all()
    for t in range(5, 30):
        past = y[t - 5:t]
        assert z[t] == pytest.approx((y[t] - past.mean()) / past.std(), rel=1e-12)
    spiked = y.copy()
    spiked[20] += 10.0
    z2 = rolling_zscore(spiked, 5)
    np.testing.assert_array_equal(z2[:20], z[:20])   # a spike changes nothing before it
    assert z2[20] > 5


def test_rolling_zscore_arguments(msg):
    with pytest.raises(ValueError, match=msg("window", "between 2 and", "got 1")):
        rolling_zscore(np.arange(10.0), 1)
    with pytest.raises(ValueError, match=msg("series", "constant", "0..2")):
        rolling_zscore(np.array([1.0, 1, 1, 2, 3, 4]), 3)
    with pytest.raises(ValueError, match=msg("series", "(N,)")):
        rolling_zscore(np.zeros((5, 2)), 2)


def test_cusum_by_hand():
    s = np.array([0.0, 1.0, 2.0, -3.0, 2.0, 2.0, 2.0])
    result = cusum(s, k=0.5, h=2.5)
    # S: 0, 0.5, 2.0, 0, 1.5, 3.0 (> 2.5: alarm at 5), 4.5; S was last 0 at step 3
    np.testing.assert_allclose(result.statistic, [0, 0.5, 2.0, 0, 1.5, 3.0, 4.5])
    assert (result.alarm, result.change) == (5, 4)
    assert cusum(s, k=0.5, h=10.0)[1:] == (None, None)
    assert cusum(np.full(4, 3.0), k=0.0, h=4.0)[1:] == (1, 0)   # above zero from the start


def test_cusum_locates_a_shift_in_noise():
    s = np.random.default_rng(1).normal(size=200)
    s[120:] += 1.5
    result = cusum(s)
    assert 120 <= result.alarm <= 135 and 115 <= result.change <= 125


def test_cusum_arguments(msg):
    with pytest.raises(ValueError, match=msg("k", ">= 0", "-1")):
        cusum(np.zeros(3), k=-1)
    with pytest.raises(ValueError, match=msg("h", "> 0", "0")):
        cusum(np.zeros(3), h=0)
    with pytest.raises(ValueError, match=msg("scores", "NaN")):
        cusum(np.array([0.0, np.nan]))


def test_event_scores_by_hand():
    flags = np.zeros(20, dtype=bool)
    flags[[3, 4, 9, 15]] = True
    # anomalies at 3 (flags 3, 4 in its window 3..4), 10 (flag 9 is before it: missed), 15 (flag 15)
    result = event_scores(flags, np.array([3, 10, 15]), tolerance=1)
    assert result.precision == pytest.approx(3 / 4) and result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 * (3 / 4) * (2 / 3) / (3 / 4 + 2 / 3))
    assert (result.flagged, result.found) == (4, 2)
    strict = event_scores(flags, np.array([3, 10, 15]), tolerance=0)
    assert strict.precision == pytest.approx(2 / 4) and strict.recall == pytest.approx(2 / 3)
    assert event_scores(np.zeros(20, dtype=bool), np.array([3])) == (0.0, 0.0, 0.0, 0, 0)


def test_event_scores_arguments(msg):
    with pytest.raises(TypeError, match=msg("flags", "boolean")):
        event_scores(np.zeros(5), np.array([1]))
    with pytest.raises(ValueError, match=msg("events", "0..4", "7")):
        event_scores(np.zeros(5, dtype=bool), np.array([1, 7]))
    with pytest.raises(ValueError, match=msg("events", "integer")):
        event_scores(np.zeros(5, dtype=bool), np.array([1.0]))
    with pytest.raises(ValueError, match=msg("tolerance", ">= 0")):
        event_scores(np.zeros(5, dtype=bool), np.array([1]), tolerance=-1)
