"""Array backends: numpy by default; cupy on a GPU; asking for cupy without one warns and keeps numpy."""
import os
import subprocess
import sys

import numpy as np
import pytest

import lstm_lib as ll


def _cupy_status():
    """(cupy module or None, reason it cannot be used)."""
    try:
        import cupy
    except ImportError:
        return None, "cupy is not installed (pip install 'lstm-lib[gpu]')"
    try:
        if not cupy.is_available():
            return None, "cupy is installed but cupy.is_available() is False (no usable GPU)"
    except Exception as err:  # broken CUDA installs fail in many ways
        return None, f"cupy.is_available() failed: {err!r}"
    return cupy, ""


cp, CUPY_REASON = _cupy_status()
needs_gpu = pytest.mark.skipif(cp is None, reason=CUPY_REASON)
needs_no_gpu = pytest.mark.skipif(cp is not None, reason="a GPU is usable here, so cupy does not fall back")


def test_numpy_is_the_default():
    assert ll.get_backend() == "numpy"
    layer = ll.LSTM(1, 2, seed=0)
    assert isinstance(layer.params["W_c"], np.ndarray)
    assert isinstance(layer.forward(np.zeros((1, 2, 1))), np.ndarray)
    a = np.arange(3.0)
    np.testing.assert_array_equal(ll.to_numpy(a), a)


@needs_no_gpu
def test_cupy_without_gpu_warns_and_numpy_keeps_working():
    with pytest.warns(RuntimeWarning, match="cupy"):
        ll.set_backend("cupy")
    assert ll.get_backend() == "numpy"
    layer = ll.LSTM(1, 2, seed=0)
    z = layer.forward(np.ones((2, 3, 1)))
    assert isinstance(z, np.ndarray) and z.shape == (2, 3, 2)
    layer.backward(np.ones_like(z))
    r = ll.sine_experiment(seed=0, max_epoch=3, progress=False)
    assert np.isfinite(r.test_mse)


@needs_no_gpu
def test_set_cuda_active_without_gpu_warns():
    from lstm_lib.renom.cuda import set_cuda_active

    with pytest.warns(RuntimeWarning, match="cupy"):
        set_cuda_active(True)
    assert ll.get_backend() == "numpy"
    set_cuda_active(False)
    assert ll.get_backend() == "numpy"


@needs_no_gpu
def test_environment_variable_without_gpu_warns_and_works():
    code = "import numpy as np, lstm_lib as ll; print(ll.get_backend()); print(ll.LSTM(1, 2, seed=0).forward(np.ones((1, 2, 1))).shape)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, LSTM_LIB_BACKEND="cupy"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["numpy", "(1,", "2,", "2)"]
    assert "cupy" in proc.stderr and "Warning" in proc.stderr


# --- real GPU ----------------------------------------------------------------------------------

def _pair(make):
    """The same layer/model on numpy and on cupy, with identical parameters."""
    ll.set_backend("numpy")
    host = make()
    assert ll.set_backend("cupy") == "cupy"
    dev = make()
    dev.theta[...] = cp.asarray(host.theta)
    return host, dev


@needs_gpu
def test_cupy_layers_live_on_the_gpu():
    ll.set_backend("cupy")
    assert ll.get_backend() == "cupy"
    layer = ll.LSTM(2, 3, seed=0)
    assert isinstance(layer.theta, cp.ndarray) and isinstance(layer.params["W_in"], cp.ndarray)
    z = layer.forward(cp.ones((2, 4, 2)))
    assert isinstance(z, cp.ndarray) and z.dtype == cp.float64
    assert isinstance(ll.to_numpy(z), np.ndarray)


@needs_gpu
@pytest.mark.parametrize("make", [
    lambda: ll.Sequential([ll.LSTM(3, 4, seed=0), ll.RNN(4, 3, "sigmoid", seed=1), ll.LastStep(), ll.Dense(3, 2, seed=2)]),
    lambda: ll.Sequential([ll.RNN(3, 4, "relu", seed=0), ll.Dense(4, 2, seed=1)]),
    lambda: ll.Sequential([ll.GRU(3, 4, seed=0), ll.GRU(4, 3, reset_after=False, seed=1), ll.LastStep(),
                           ll.Dense(3, 2, seed=2)]),
    lambda: ll.Sequential([ll.LSTM(3, 4, variant=v, seed=k) if k == 0 else ll.LSTM(4, 4, variant=v, seed=k)
                           for k, v in enumerate(("peephole", "cifg", "nfg", "nog", "niaf"))]),
], ids=["LSTM-RNN-LastStep-Dense", "RNNrelu-Dense3d", "GRU-GRUcho-LastStep-Dense", "LSTM-variants"])
def test_cupy_forward_and_backward_agree_with_numpy(make):
    host, dev = _pair(make)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 6, 3))
    out_h = host.forward(x)
    out_d = dev.forward(cp.asarray(x))
    assert isinstance(out_d, cp.ndarray)
    np.testing.assert_allclose(ll.to_numpy(out_d), out_h, rtol=1e-10, atol=1e-12)
    dout = rng.normal(size=out_h.shape)
    dx_h = host.backward(dout)
    dx_d = dev.backward(cp.asarray(dout))
    np.testing.assert_allclose(ll.to_numpy(dx_d), dx_h, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ll.to_numpy(dev.dtheta), host.dtheta, rtol=1e-10, atol=1e-12)


@needs_gpu
def test_gradcheck_on_cupy_float64(fd):
    ll.set_backend("cupy")
    layer = ll.LSTM(2, 3, seed=0)
    rng = np.random.default_rng(1)
    layer.theta[...] = cp.asarray(rng.uniform(-0.9, 0.9, layer.theta.shape))
    x = cp.asarray(rng.normal(size=(2, 3, 2)))
    h0, c0 = cp.asarray(rng.normal(size=(2, 3))), cp.asarray(rng.normal(size=(2, 3)))
    errors = ll.gradcheck_layer(layer, x, h0, c0)
    fd.record(errors)
    assert set(errors) >= set(layer.params) | {"x", "h0", "c0"}
    assert max(errors.values()) < 1e-6, errors
    # and against the independent oracle, perturbing the GPU arrays in place
    dout = cp.asarray(rng.normal(size=(2, 3, 3)))
    layer.forward(x, h0, c0)
    dx = layer.backward(dout)
    analytic = {k: ll.to_numpy(g).copy() for k, g in layer.grads.items()} | {"x": ll.to_numpy(dx)}
    fd.check(lambda: float((layer.forward(x, h0, c0) * dout).sum()), dict(layer.params) | {"x": x}, analytic)


@needs_gpu
def test_training_on_cupy_matches_numpy():
    ll.set_backend("numpy")
    host = ll.sine_experiment(seed=2, max_epoch=30, progress=False)
    ll.set_backend("cupy")
    dev = ll.sine_experiment(seed=2, max_epoch=30, progress=False)
    assert isinstance(dev.model.theta, cp.ndarray)
    np.testing.assert_allclose(np.array(dev.history.train_loss, dtype=float), host.history.train_loss, rtol=1e-8)
    assert dev.test_mse == pytest.approx(host.test_mse, rel=1e-8)
    assert dev.closed_loop.shape == (23,)


@needs_gpu
def test_cupy_float32_and_save_load_to_numpy(tmp_path):
    ll.set_backend("cupy")
    l32 = ll.LSTM(1, 2, seed=0, dtype=np.float32)
    assert l32.theta.dtype == cp.float32
    assert l32.forward(cp.ones((1, 3, 1), dtype=cp.float32)).dtype == cp.float32
    dev = ll.LSTM(1, 2, seed=0)
    ll.save(dev, tmp_path / "m.npz")
    ll.set_backend("numpy")
    host = ll.LSTM(1, 2, seed=5)
    ll.load(host, tmp_path / "m.npz")
    np.testing.assert_array_equal(host.theta, ll.to_numpy(dev.theta))
