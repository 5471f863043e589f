"""Data helpers: the sine series, sliding windows, the ordered split and the two prediction modes."""
import numpy as np
import pytest

import lstm_lib as ll


def test_sine_data_is_the_tutorials():
    x, y = ll.sine_data()
    np.testing.assert_array_equal(x, np.linspace(-10, 10, 50))
    np.testing.assert_array_equal(y, np.sin(np.linspace(-10, 10, 50)))
    x, y = ll.sine_data(n=7, start=0.0, stop=3.0)
    np.testing.assert_array_equal(x, np.linspace(0, 3, 7))


def test_create_dataset_windows_of_a_1d_series():
    ts = np.arange(10.0) ** 2
    X, y = ll.create_dataset(ts, 3)
    assert X.shape == (7, 3, 1) and y.shape == (7, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    for i in range(7):
        np.testing.assert_array_equal(X[i, :, 0], ts[i:i + 3])
        assert y[i, 0] == ts[i + 3]
    X2, y2 = ll.create_dataset(list(ts), 3)  # plain Python sequences are accepted
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


def test_create_dataset_windows_of_a_multivariate_series():
    ts = np.arange(24.0).reshape(12, 2)
    X, y = ll.create_dataset(ts, 4)
    assert X.shape == (8, 4, 2) and y.shape == (8, 2)
    np.testing.assert_array_equal(X[5], ts[5:9])
    np.testing.assert_array_equal(y[5], ts[9])


def test_create_dataset_longest_window():
    X, y = ll.create_dataset(np.arange(6.0), 5)
    assert X.shape == (1, 5, 1)
    assert y[0, 0] == 5.0


def test_split_tutorial_setting_gives_22_and_23():
    x, y = ll.sine_data()
    X, Y = ll.create_dataset(y, 5)
    assert len(X) == 45
    X_train, y_train, X_test, y_test = ll.split_data(X, Y, 0.5)
    assert (len(X_train), len(y_train), len(X_test), len(y_test)) == (22, 22, 23, 23)
    np.testing.assert_array_equal(X_train, X[:22])
    np.testing.assert_array_equal(y_test, Y[22:])
    # the test windows start right after the training targets: y_train[-1] is X_test[0]'s last value
    assert X_test[0, -1, 0] == y_train[-1, 0]
    np.testing.assert_array_equal(ll.split_data(X, Y)[0], X_train)  # default ratio 0.5


@pytest.mark.parametrize("ratio, n_train", [(0.3, 13), (0.8, 36), (0.99, 44)])
def test_split_takes_the_first_int_n_ratio_samples(ratio, n_train):
    X, Y = ll.create_dataset(np.sin(np.linspace(-10, 10, 50)), 5)
    X_train, y_train, X_test, y_test = ll.split_data(X, Y, ratio)
    assert len(X_train) == n_train == int(45 * ratio)
    assert len(X_test) == 45 - n_train


def _trained_like_model():
    model = ll.Sequential([ll.LSTM(1, 3, seed=0), ll.LastStep(), ll.Dense(3, 1, seed=1)])
    model.theta[...] = np.random.default_rng(5).uniform(-1, 1, model.theta.shape)
    return model


def test_one_step_predict_uses_true_windows():
    model = _trained_like_model()
    X, _ = ll.create_dataset(np.sin(np.linspace(-10, 10, 50)), 5)
    pred = ll.one_step_predict(model, X)
    assert isinstance(pred, np.ndarray) and pred.shape == (45, 1)
    for i in (0, 17, 44):
        np.testing.assert_allclose(pred[i], model.forward(X[i:i + 1])[0], rtol=1e-13, atol=1e-15)


def test_closed_loop_feeds_predictions_back():
    model = _trained_like_model()
    window = np.sin(np.linspace(0, 1, 5))
    out = ll.closed_loop_predict(model, window, 8)
    assert out.shape == (8, 1)
    w = window.reshape(5, 1)
    expected = []
    for _ in range(8):
        p = ll.one_step_predict(model, w[None])[0]
        expected.append(p)
        w = np.vstack([w[1:], p[None]])
    np.testing.assert_allclose(out, np.array(expected), rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(ll.closed_loop_predict(model, window.reshape(5, 1), 8), out)


def test_memory_task_puts_the_target_bit_first_and_noise_after():
    X, y = ll.memory_task(6, 50, np.random.default_rng(0))
    assert X.shape == (50, 6, 1) and y.shape == (50, 1)
    np.testing.assert_array_equal(X[:, 0, 0], y[:, 0])
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert abs(X[:, 1:].std() - 1) < 0.15          # N(0, 1) distractors
    X2, _ = ll.memory_task(6, 50, np.random.default_rng(0))
    np.testing.assert_array_equal(X, X2)
    with pytest.raises(TypeError, match="rng"):
        ll.memory_task(6, 50, 0)
    with pytest.raises(ValueError, match="lag"):
        ll.memory_task(0, 50, np.random.default_rng(0))


def test_memory_experiment_learns_a_short_lag_and_is_repeatable():
    acc = ll.memory_experiment("lstm", 2, seed=0)
    assert acc == ll.memory_experiment("lstm", 2, seed=0)
    assert acc >= 0.95


def test_horizon_forecasts_score_every_horizon_on_the_same_targets():
    model = _trained_like_model()
    series = np.sin(np.linspace(-10, 10, 50))
    targets, horizons = np.arange(30, 50), np.array([1, 2, 5])
    F = ll.horizon_forecasts(model, series, targets, horizons, look_back=5)
    assert F.shape == (20, 3)
    X, _ = ll.create_dataset(series, 5)   # X[i] ends at series[i + 4] and predicts series[i + 5]
    np.testing.assert_allclose(F[:, 0], ll.one_step_predict(model, X[targets - 5])[:, 0], rtol=1e-13)
    for k, m in ((0, 1), (7, 2), (19, 2)):
        j, h = targets[k], horizons[m]
        path = ll.closed_loop_predict(model, series[j - h - 4:j - h + 1], h)
        assert F[k, m] == path[-1, 0]


def test_horizon_forecasts_of_persistence_repeat_the_origin():
    series = np.arange(20.0) ** 2
    F = ll.horizon_forecasts(ll.baselines.Persistence(), series, np.arange(10, 20), np.array([1, 3, 4]), 2)
    np.testing.assert_array_equal(F, series[np.arange(10, 20)[:, None] - np.array([1, 3, 4])])


def test_horizon_forecasts_arguments(msg):
    model, series = ll.baselines.Persistence(), np.arange(20.0)
    with pytest.raises(ValueError, match=msg("targets", "3..19", "2..19")):
        ll.horizon_forecasts(model, series, np.arange(2, 20), np.array([1, 2]), 2)
    with pytest.raises(ValueError, match=msg("horizons", ">= 1")):
        ll.horizon_forecasts(model, series, np.arange(5, 20), np.array([0, 1]), 2)
    with pytest.raises(ValueError, match=msg("targets", "integers")):
        ll.horizon_forecasts(model, series, np.array([5.0, 6.0]), np.array([1]), 2)
    with pytest.raises(ValueError, match=msg("series", "(N,)")):
        ll.horizon_forecasts(model, series[:, None], np.arange(5, 20), np.array([1]), 2)
