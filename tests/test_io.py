"""save/load: exact round trip, mismatches refused, and a crash mid-save never corrupts a file."""
import os

import numpy as np
import pytest

import lstm_lib as ll
from numpy.lib import format as npy_format


def _model(seed=0, hidden=3):
    model = ll.Sequential([ll.LSTM(2, hidden, seed=seed), ll.RNN(hidden, 2, seed=seed + 1), ll.LastStep(),
                           ll.Dense(2, 1, seed=seed + 2)])
    model.theta[...] = np.random.default_rng(seed).normal(size=model.theta.shape)
    return model


def test_round_trip_is_exact(tmp_path):
    src, dst = _model(0), _model(1)
    path = tmp_path / "model.npz"
    ll.save(src, path)
    assert path.exists()
    assert not np.array_equal(src.theta, dst.theta)
    ll.load(dst, path)
    np.testing.assert_array_equal(dst.theta, src.theta)
    for name in src.params:
        np.testing.assert_array_equal(dst.params[name], src.params[name])
        assert np.shares_memory(dst.params[name], dst.theta)  # loading writes into the live storage
    x = np.random.default_rng(2).normal(size=(3, 4, 2))
    np.testing.assert_array_equal(dst.forward(x), src.forward(x))
    with np.load(path) as saved:
        assert set(saved.files) == set(src.params)


def test_round_trip_single_layer_with_str_path(tmp_path):
    a, b = ll.LSTM(1, 2, seed=0), ll.LSTM(1, 2, seed=1)
    path = str(tmp_path / "lstm.npz")
    ll.save(a, path)
    ll.load(b, path)
    for name in a.params:
        np.testing.assert_array_equal(b.params[name], a.params[name])


@pytest.mark.parametrize("other", [
    lambda: _model(0, hidden=4),
    lambda: ll.Sequential([ll.RNN(2, 3), ll.RNN(3, 2), ll.LastStep(), ll.Dense(2, 1)]),
    lambda: ll.Sequential([ll.LSTM(2, 3), ll.LastStep(), ll.Dense(3, 1)]),
], ids=["other-hidden-size", "other-cell", "fewer-layers"])
def test_loading_into_a_mismatched_model_raises_and_changes_nothing(tmp_path, other):
    path = tmp_path / "model.npz"
    ll.save(_model(0), path)
    target = other()
    before = target.theta.copy()
    with pytest.raises(ValueError):
        ll.load(target, path)
    np.testing.assert_array_equal(target.theta, before)


class SimulatedCrash(Exception):
    pass


def test_crash_mid_save_leaves_existing_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    original_model = _model(0)
    ll.save(original_model, path)
    original_bytes = path.read_bytes()

    real_write_array = npy_format.write_array
    written = []

    def crash_after_first_array(*args, **kwargs):
        if written:  # the first array reaches the file, then the "process dies"
            raise SimulatedCrash("simulated crash while writing")
        written.append(True)
        return real_write_array(*args, **kwargs)

    monkeypatch.setattr(npy_format, "write_array", crash_after_first_array)
    with pytest.raises(SimulatedCrash):
        ll.save(_model(5), path)
    monkeypatch.undo()

    assert written, "the crash was not simulated mid-write (save does not go through numpy's npz writer)"
    assert path.read_bytes() == original_bytes
    restored = _model(9)
    ll.load(restored, path)
    np.testing.assert_array_equal(restored.theta, original_model.theta)


def test_crash_mid_save_leaves_no_stray_files(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    ll.save(_model(0), path)

    def crash(*args, **kwargs):
        raise SimulatedCrash("simulated crash while writing")

    monkeypatch.setattr(npy_format, "write_array", crash)
    with pytest.raises(SimulatedCrash):
        ll.save(_model(1), path)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]


def test_crash_during_first_save_creates_no_file(tmp_path, monkeypatch):
    path = tmp_path / "new.npz"

    def crash(*args, **kwargs):
        raise SimulatedCrash("simulated crash while writing")

    monkeypatch.setattr(npy_format, "write_array", crash)
    with pytest.raises(SimulatedCrash):
        ll.save(_model(1), path)
    monkeypatch.undo()
    assert not path.exists()
