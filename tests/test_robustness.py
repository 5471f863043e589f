"""No silently wrong result and no unnamed error (issue 12, classes 2-5 and 7-12): misuse is refused
with a ValueError/TypeError naming the argument, the expected and the actual value."""
import copy
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib import backend

ENV = dict(os.environ, LSTM_LIB_BACKEND="numpy")


def _model(seed=0):
    return ll.Sequential([ll.LSTM(1, 2, seed=seed), ll.LastStep(2), ll.Dense(2, 1, seed=seed + 1)])


def _data():
    d = ll.sine_dataset()
    return d.X_train, d.y_train, d.X_test, d.y_test


def _fit(model=None, *data, **kwargs):
    kwargs = dict(max_epoch=2, progress=False, log=None) | kwargs
    return ll.fit(_model() if model is None else model, *(data or _data()), **kwargs)


# --- class 2: lstm_lib.renom differentiates only what it records --------------------------------

def _renom_output():
    import lstm_lib.renom as rm

    np.random.seed(0)
    model = rm.Sequential([rm.Lstm(2), rm.Dense(1)])
    x = np.random.default_rng(0).normal(size=(4, 1))
    return rm, model(x), np.ones((4, 1))


@pytest.mark.parametrize("derive", [
    lambda z: z * 2.0, lambda z: z + 1.0, lambda z: -z, lambda z: np.tanh(z), lambda z: z[:, :1] * 1,
    lambda z: z[::-1], lambda z: z.reshape(4, 1)[:2], lambda z: z.copy(), lambda z: np.asarray(z),
    lambda z: np.array(z), lambda z: z.astype(np.float32),
], ids=["times-2", "plus-1", "negative", "tanh", "slice-times-1", "reversed", "reshaped-slice", "copy",
        "asarray", "array", "astype"])
def test_renom_mse_refuses_anything_but_the_unmodified_model_output(derive, msg):
    rm, z, y = _renom_output()
    with pytest.raises(TypeError, match=msg("z", "rm.Sequential")):
        rm.mse(derive(z), y)
    assert rm.mse(z, y).as_ndarray() > 0          # the unmodified output still works


def test_renom_output_cannot_be_changed_in_place():
    rm, z, y = _renom_output()
    before = np.array(z)
    for change in (lambda: z.__imul__(2.0), lambda: z.__setitem__(0, 5.0)):
        with pytest.raises(ValueError, match="read-only"):
            change()
    np.testing.assert_array_equal(z, before)


# --- class 3: one layer object in two places ----------------------------------------------------

def test_one_layer_twice_in_one_model(msg):
    d = ll.Dense(2, 2, seed=0)
    with pytest.raises(ValueError, match=msg("layers", "layers[1]", "layers[0]", "same")):
        ll.Sequential([d, d])
    rnn = ll.RNN(2, 2, seed=0)
    with pytest.raises(ValueError, match=msg("layers", "layers[2]", "layers[0]")):
        ll.Sequential([rnn, ll.RNN(2, 2, seed=1), rnn])


def test_one_layer_in_two_models(msg):
    lstm = ll.LSTM(1, 2, seed=0)
    first = ll.Sequential([lstm, ll.LastStep(), ll.Dense(2, 1, seed=1)])
    with pytest.raises(ValueError, match=msg("layers", "layers[0]", "LSTM", "another")):
        ll.Sequential([lstm, ll.LastStep(), ll.Dense(2, 1, seed=2)])
    last = first.layers[1]
    with pytest.raises(ValueError, match=msg("layers", "layers[1]", "LastStep", "another")):
        ll.Sequential([ll.LSTM(1, 2), last])
    # the first model is untouched and its saved parameters are the ones it computes with
    ll.Sequential([copy.deepcopy(lstm), ll.LastStep(), ll.Dense(2, 1, seed=2)])
    assert all(np.shares_memory(layer.theta, first.theta) for layer in first.layers if layer.theta.size)


# --- class 4: floating dtypes only --------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, bool, np.complex128, "int16", object, "floaty"],
                         ids=str)
@pytest.mark.parametrize("make", [
    lambda dt: ll.RNN(3, 4, dtype=dt), lambda dt: ll.LSTM(3, 4, dtype=dt), lambda dt: ll.Dense(3, 4, dtype=dt),
    lambda dt: ll.LastStep(dtype=dt),
], ids=["RNN", "LSTM", "Dense", "LastStep"])
def test_non_floating_dtype_is_refused(make, dtype, msg):
    with pytest.raises(TypeError, match=msg("dtype", "float")):
        make(dtype)
    for floating in (np.float32, "float64"):
        assert make(floating).theta.dtype == np.dtype(floating)


# --- class 5: arguments that would give NaN later -----------------------------------------------

@pytest.mark.parametrize("make, arg, value", [
    (lambda v: ll.Adam(eps=v), "eps", -1e-8), (lambda v: ll.Adam(eps=v), "eps", float("nan")),
    (lambda v: ll.Adam(eps=v), "eps", 0.0), (lambda v: ll.Adam(eps=v), "eps", float("inf")),
    (lambda v: ll.Adam(lr=v), "lr", float("nan")), (lambda v: ll.SGD(lr=v), "lr", float("inf")),
    (lambda v: ll.SGD(momentum=v), "momentum", float("nan")), (lambda v: ll.Adam(beta1=v), "beta1", float("nan")),
    (lambda v: ll.LSTM(1, 2, forget_bias=v), "forget_bias", float("nan")),
    (lambda v: ll.LSTM(1, 2, forget_bias=v), "forget_bias", float("-inf")),
    (lambda v: ll.sine_data(start=v), "start", float("nan")),
    (lambda v: ll.sine_data(stop=v), "stop", float("inf")),
    (lambda v: ll.gradcheck_layer(ll.Dense(1, 1), np.ones((1, 1)), h=v), "h", float("nan")),
], ids=lambda v: str(v) if not callable(v) else "")
def test_values_that_would_poison_later_results(make, arg, value, msg):
    with pytest.raises(ValueError, match=msg(arg, repr(value))):
        make(value)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_load_refuses_non_finite_parameters(tmp_path, bad, msg):
    path = tmp_path / "model.npz"
    model = _model()
    ll.save(model, path)
    with np.load(path) as f:
        arrays = dict(f)
    arrays["0.W_in"][0, 0] = bad
    np.savez(path, **arrays)
    target = _model(5)
    before = target.theta.copy()
    with pytest.raises(ValueError, match=msg(None, str(path), "0.W_in", "NaN or infinite")):
        ll.load(target, path)
    np.testing.assert_array_equal(target.theta, before)


# --- class 7: empty inputs ----------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda: _model().forward(np.zeros((2, 0, 1))),
    lambda: _model().forward(np.zeros((0, 5, 1))),
    lambda: ll.LastStep().forward(np.zeros((2, 0, 3))),
    lambda: ll.LSTM(1, 2).forward(np.zeros((3, 0, 1))),
    lambda: ll.RNN(1, 2).step(np.zeros((0, 1))),
    lambda: ll.Dense(1, 2).forward(np.zeros((0, 1))),
], ids=["Sequential-T0", "Sequential-B0", "LastStep-T0", "LSTM-T0", "RNN-step-B0", "Dense-B0"])
def test_empty_sequences_and_batches(call, msg):
    with pytest.raises(ValueError, match=msg(("x", "x_t"), "empty", "0")):
        call()


def test_other_empty_inputs(msg):
    with pytest.raises(ValueError, match=msg("window", "empty", "(0,)")):
        ll.closed_loop_predict(_model(), np.zeros(0), 3)
    X_train, y_train, X_test, y_test = _data()
    with pytest.raises(ValueError, match=msg("X_test", "empty", "(0, 5, 1)")):
        _fit(None, X_train, y_train, X_test[:0], y_test[:0])
    with pytest.raises(ValueError, match=msg("X_train", "empty", "(0, 5, 1)")):
        _fit(None, X_train[:0], y_train[:0], X_test, y_test)
    for loss in (ll.mse, ll.half_mse):
        with pytest.raises(ValueError, match=msg("pred", "empty", "(0, 1)")):
            loss(np.zeros((0, 1)), np.zeros((0, 1)))


# --- class 8: Sequential checks its layers ------------------------------------------------------

@pytest.mark.parametrize("layers, position, got", [
    ([ll.LSTM(1, 2), 3], "layers[1]", "int"),
    ([None, ll.Dense(2, 1)], "layers[0]", "NoneType"),
    ([ll.LSTM(1, 2), ll.LastStep(), "Dense"], "layers[2]", "str"),
    ([ll.Sequential([ll.Dense(1, 1)])], "layers[0]", "Sequential"),
], ids=["int", "None", "str", "nested-Sequential"])
def test_sequential_refuses_non_layers(layers, position, got, msg):
    with pytest.raises(TypeError, match=msg("layers", position, got)):
        ll.Sequential(layers)


def test_sequential_refuses_a_non_list(msg):
    with pytest.raises(TypeError, match=msg("layers", "int")):
        ll.Sequential(5)


@pytest.mark.parametrize("layers, fragments", [
    (lambda: [ll.LSTM(1, 2), ll.LastStep(), ll.LSTM(2, 3)], ("layers[2]", "LSTM", "3-D", "layers[1]", "2-D")),
    (lambda: [ll.RNN(1, 2), ll.LastStep(), ll.LastStep()], ("layers[2]", "LastStep", "3-D", "2-D")),
    (lambda: [ll.Dense(1, 2), ll.LastStep(), ll.RNN(2, 2)], ("layers[2]", "RNN", "3-D", "2-D")),
], ids=["LSTM-after-LastStep", "LastStep-after-LastStep", "RNN-after-Dense-LastStep"])
def test_sequential_refuses_a_3d_layer_after_a_2d_one(layers, fragments, msg):
    with pytest.raises(ValueError, match=msg(None, *fragments)):
        ll.Sequential(layers())


def test_sequential_input_rank_follows_from_its_layers(msg):
    model = ll.Sequential([ll.Dense(1, 2, seed=0), ll.LSTM(2, 3, seed=1)])   # Dense alone takes 2-D too
    with pytest.raises(ValueError, match=msg("x", "3-D", "(4, 1)")):
        model.forward(np.zeros((4, 1)))
    assert model.forward(np.zeros((4, 5, 1))).shape == (4, 5, 3)


def test_sequential_checks_sizes_through_an_unsized_laststep(msg):
    with pytest.raises(ValueError, match=msg(None, "layers[2]", "3", "2")):
        ll.Sequential([ll.LSTM(1, 2), ll.LastStep(), ll.Dense(3, 1)])
    model = ll.Sequential([ll.LastStep(), ll.Dense(3, 1, seed=0)])
    with pytest.raises(ValueError, match=msg("x", "3", "(2, 4, 2)")):
        model.forward(np.zeros((2, 4, 2)))


# --- class 9: load and save ---------------------------------------------------------------------

def _open_files(path):
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return [n for n in names if n == str(path)]


def _damaged(kind, path, good):
    data = good.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif kind == "corrupt":
        mid = len(data) // 3
        path.write_bytes(data[:mid] + bytes(b ^ 0xFF for b in data[mid:mid + 64]) + data[mid + 64:])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "npy":
        with open(path, "wb") as fh:
            np.save(fh, np.zeros(3))
    elif kind == "text":
        path.write_text("epoch:200, train loss:0.1\n" * 20)
    elif kind == "pickle":
        with np.load(good) as f:
            np.savez(path, **(dict(f) | {"0.W_in": np.array([None], dtype=object)}))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc")
@pytest.mark.parametrize("kind, what", [
    ("truncated", "truncated or corrupt"), ("corrupt", "truncated or corrupt"), ("empty", "empty"),
    ("npy", ".npy"), ("text", "not an .npz"), ("pickle", "")],
    ids=["truncated", "corrupt", "empty", "npy", "text", "object-array"])
def test_load_of_a_damaged_or_foreign_file(tmp_path, kind, what, msg):
    good = tmp_path / "good.npz"
    ll.save(_model(), good)
    path = tmp_path / "model.npz"
    _damaged(kind, path, good)
    target = _model(5)
    before = target.theta.copy()
    with pytest.raises(ValueError, match=msg(None, str(path), what)) as caught:
        ll.load(target, path)
    assert not _open_files(path), f"{path} is still open while the error is alive: {caught.value}"
    np.testing.assert_array_equal(target.theta, before)


def test_save_errors_name_the_target_not_the_temporary_file(tmp_path):
    missing = tmp_path / "no" / "such" / "model.npz"
    with pytest.raises(FileNotFoundError) as caught:
        ll.save(_model(), missing)
    assert caught.value.filename == str(missing) and ".tmp" not in str(caught.value)
    folder = tmp_path / "a-folder.npz"
    folder.mkdir()
    with pytest.raises(OSError) as caught:
        ll.save(_model(), folder)
    assert caught.value.filename == str(folder) and ".tmp" not in str(caught.value)
    assert sorted(os.listdir(tmp_path)) == ["a-folder.npz"]       # no temporary file left behind
    assert os.listdir(folder) == []


def test_save_refuses_a_non_model_and_leaves_no_file(tmp_path, msg):
    path = tmp_path / "model.npz"
    with pytest.raises(TypeError, match=msg("model", "NoneType")):
        ll.save(None, path)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664])
def test_save_keeps_an_existing_files_mode(tmp_path, mode):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    os.chmod(path, mode)
    ll.save(_model(), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_gives_a_new_file_the_usual_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        ll.save(_model(), tmp_path / "model.npz")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "model.npz").st_mode) == 0o644


# --- class 10: the command line -----------------------------------------------------------------

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "lstm_lib", "sine", *args], capture_output=True, text=True,
                          timeout=120, env=ENV)


@pytest.mark.parametrize("args, fragment", [
    (["--hidden", "0"], "--hidden"), (["--hidden", "-3"], "--hidden"), (["--max-epoch", "-1"], "--max-epoch"),
    (["--max-epoch", "0"], "--max-epoch"), (["--period", "0"], "--period"), (["--seed", "-1"], "--seed"),
    (["--hidden", "2.5"], "--hidden"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_cli_bad_numbers_are_usage_errors(args, fragment):
    proc = _cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "usage:" in proc.stderr and fragment in proc.stderr and args[1] in proc.stderr


@pytest.mark.parametrize("plot, fragment", [
    ("{tmp}/no/such/folder/sine.png", "folder"), ("{tmp}/sine.notaformat", "notaformat"), ("{tmp}", "folder"),
], ids=["missing-folder", "unknown-format", "a-folder"])
def test_cli_checks_plot_before_training(tmp_path, plot, fragment):
    pytest.importorskip("matplotlib")
    proc = _cli("--max-epoch", "2000", "--no-early-stop", "--plot", plot.format(tmp=tmp_path), "--json")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "--plot" in proc.stderr and fragment in proc.stderr
    assert proc.stdout == ""                     # refused before any training


# --- class 11: backend selection ----------------------------------------------------------------

def test_bad_environment_variable_is_named():
    proc = subprocess.run([sys.executable, "-c", "import lstm_lib"], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, LSTM_LIB_BACKEND="bogus"))
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert "LSTM_LIB_BACKEND" in last and "bogus" in last and "numpy" in last, last


@pytest.fixture
def fake_cupy(tmp_path, monkeypatch):
    """Puts a package ``cupy`` with the given source first on sys.path (the real one, if any, hidden)."""
    def install(source):
        (tmp_path / "cupy").mkdir()
        (tmp_path / "cupy" / "__init__.py").write_text(source)
        monkeypatch.syspath_prepend(str(tmp_path))
        for name in [m for m in sys.modules if m == "cupy" or m.startswith("cupy.")]:
            monkeypatch.delitem(sys.modules, name)
    yield install
    ll.set_backend("numpy")
    sys.modules.pop("cupy", None)        # the fake, if it imported; monkeypatch restores a real one


@pytest.mark.parametrize("error", ["RuntimeError", "OSError", "AttributeError"])
def test_set_backend_survives_a_cupy_whose_import_fails(fake_cupy, error):
    fake_cupy(f"raise {error}('libcudart.so.12: cannot open shared object file')\n")
    with pytest.warns(RuntimeWarning, match=f"(?s)cupy.*{error}.*libcudart"):
        assert ll.set_backend("cupy") == "numpy"
    assert ll.get_backend() == "numpy"
    assert isinstance(ll.LSTM(1, 2).theta, np.ndarray)


def test_cupy_is_probed_once_per_set_backend(fake_cupy):
    fake_cupy("import numpy\nprobes = []\n"
              "def is_available():\n    probes.append(1)\n    return True\n"
              "def __getattr__(name):\n    return getattr(numpy, name)\n")
    assert ll.set_backend("cupy") == "cupy"
    cupy = sys.modules["cupy"]
    probes = len(cupy.probes)
    for _ in range(5):
        assert backend.xp_default() is cupy
    assert len(cupy.probes) == probes


# --- class 12: the remaining unnamed errors -----------------------------------------------------

@pytest.mark.parametrize("call, exc, arg, value", [
    (lambda: ll.LSTM(1, 2, seed=-1), ValueError, "seed", "-1"),
    (lambda: ll.sine_experiment(seed=-1, max_epoch=1, progress=False), ValueError, "seed", "-1"),
    (lambda: _fit(seed=-1), ValueError, "seed", "-1"),
    (lambda: ll.gradcheck_layer(ll.Dense(1, 1), np.ones((1, 1)), seed=-1), ValueError, "seed", "-1"),
    (lambda: ll.LSTM(1, 2, forget_bias="a"), TypeError, "forget_bias", "'a'"),
    (lambda: ll.LSTM(1, 2, forget_bias="1.0"), TypeError, "forget_bias", "'1.0'"),
    (lambda: ll.SGD(momentum="a"), TypeError, "momentum", "'a'"),
    (lambda: ll.Adam(beta2="a"), TypeError, "beta2", "'a'"),
    (lambda: ll.RNN(1, 2, activation=["tanh"]), TypeError, "activation", "['tanh']"),
    (lambda: _fit(loss=["mse"]), TypeError, "loss", "['mse']"),
    (lambda: ll.sine_model(cell=None), TypeError, "cell", "None"),
    (lambda: ll.LastStep(-1), ValueError, "size", "-1"),
    (lambda: ll.LastStep(2.5), TypeError, "size", "2.5"),
    (lambda: _fit(optimizer="adam"), TypeError, "optimizer", "'adam'"),
    (lambda: _fit(callback="print"), TypeError, "callback", "'print'"),
    (lambda: _fit(log="print"), TypeError, "log", "'print'"),
    (lambda: ll.fit(None, *_data(), progress=False, log=None), TypeError, "model", "NoneType"),
    (lambda: ll.Adam().update(None), TypeError, "model", "NoneType"),
    (lambda: ll.load(None, "x.npz"), TypeError, "model", "NoneType"),
    (lambda: ll.gradcheck_layer(None, np.ones((1, 1))), TypeError, "layer", "NoneType"),
    (lambda: ll.closed_loop_predict(None, np.ones(5), 3), TypeError, "model", "NoneType"),
    (lambda: ll.gradcheck_layer(ll.Dense(1, 1), np.ones((1, 1)), h=0), ValueError, "h", "0"),
    (lambda: ll.gradcheck_layer(ll.Dense(1, 1), np.ones((1, 1)), h=-1e-6), ValueError, "h", "-1e-06"),
    (lambda: ll.numerical_gradient(lambda: 0.0, np.ones(2), h=0.0), ValueError, "h", "0.0"),
], ids=["LSTM-seed", "sine_experiment-seed", "fit-seed", "gradcheck-seed", "forget_bias-str", "forget_bias-numstr",
        "momentum", "beta2", "activation-list", "loss-list", "cell-None", "LastStep-negative", "LastStep-float",
        "fit-optimizer-str", "fit-callback", "fit-log", "fit-None", "update-None", "load-None", "gradcheck-None",
        "closed_loop-None", "gradcheck-h0", "gradcheck-h-negative", "numerical_gradient-h0"])
def test_named_errors(call, exc, arg, value, msg):
    with pytest.raises(exc, match=msg(arg, value)):
        call()


def test_dense_step_with_a_changed_batch_size(msg):
    dense = ll.Dense(2, 3, seed=0)
    dense.step(np.ones((4, 2)))
    with pytest.raises(ValueError, match=msg("x_t", "batch", "3", "4", "truncate()")):
        dense.step(np.ones((3, 2)))
    dense.truncate()
    assert dense.step(np.ones((3, 2))).shape == (3, 3)
    dense.truncate()
    dense.forward(np.ones((4, 2)))            # a (B, D) call is no sequence to continue
    with pytest.raises(ValueError, match=msg("x_t", "truncate()")):
        dense.step(np.ones((4, 2)))


@pytest.mark.parametrize("make, name", [
    (lambda: ll.RNN(1, 2), "dh0"), (lambda: ll.LSTM(1, 2), "dh0"), (lambda: ll.LSTM(1, 2), "dc0")])
def test_initial_state_gradients_before_backward(make, name, msg):
    layer = make()
    with pytest.raises(ValueError, match=msg(name, "backward()")):
        getattr(layer, name)
    layer.forward(np.ones((2, 3, 1)))
    with pytest.raises(ValueError, match=msg(name, "backward()")):
        getattr(layer, name)
    layer.backward(np.ones((2, 3, 2)))
    assert getattr(layer, name).shape == (2, 2)


@pytest.mark.parametrize("call", [
    lambda: ll.Adam(np.float32(1e-3)), lambda: ll.Adam(1e-3, np.float64(0.9), np.float32(0.999), np.float16(1e-4)),
    lambda: ll.SGD(np.float32(0.1), momentum=np.float64(0.5)), lambda: ll.SGD(np.int64(1)),
    lambda: ll.LSTM(np.int64(1), np.int32(2), forget_bias=np.float32(0.5)),
    lambda: ll.LastStep(np.int16(3)),
    lambda: ll.split_data(*ll.create_dataset(np.arange(10.0), 2), np.float32(0.5)),
    lambda: ll.clip_grad_norm(ll.Dense(1, 1), np.float32(1.0)),
    lambda: _fit(clip=np.float32(1.0), batch_size=np.int64(5), max_epoch=np.int32(2)),
], ids=["Adam-lr", "Adam-all", "SGD", "SGD-int", "LSTM", "LastStep", "split_data", "clip_grad_norm", "fit"])
def test_numpy_scalars_are_numbers(call):
    call()


@pytest.mark.parametrize("call, arg", [
    (lambda: ll.Adam(True), "lr"), (lambda: ll.SGD(momentum=False), "momentum"),
    (lambda: ll.Adam(eps=True), "eps"), (lambda: ll.LSTM(1, 2, forget_bias=True), "forget_bias"),
    (lambda: ll.clip_grad_norm(ll.Dense(1, 1), True), "max_norm"), (lambda: _fit(clip=True), "clip"),
    (lambda: ll.LastStep(True), "size"), (lambda: ll.sine_data(start=False), "start"),
    (lambda: ll.gradcheck_layer(ll.Dense(1, 1), np.ones((1, 1)), h=True), "h"),
], ids=["Adam-lr", "SGD-momentum", "Adam-eps", "forget_bias", "clip_grad_norm", "fit-clip", "LastStep",
        "sine_data", "gradcheck-h"])
def test_bools_are_not_numbers(call, arg, msg):
    with pytest.raises(TypeError, match=msg(arg, "bool")):
        call()


@pytest.mark.parametrize("clip", [0, 0.0, -1.0])
def test_clip_zero_means_the_same_in_fit_and_clip_grad_norm(clip, msg):
    with pytest.raises(ValueError, match=msg("max_norm", repr(clip))):
        ll.clip_grad_norm(ll.Dense(1, 1), clip)
    with pytest.raises(ValueError, match=msg("clip", repr(clip))):
        _fit(clip=clip)
    model, data = ll.sine_model(seed=0), ll.sine_dataset()
    with pytest.raises(ValueError, match=msg("max_norm", repr(clip))):
        ll.train_step(model, data.X_train[:5], data.y_train[:5], ll.mse, ll.Adam(), clip=clip)


def test_diverging_run_keeps_its_partial_history():
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as caught:
        _fit(optimizer=ll.SGD(lr=30.0), max_epoch=200, early_stopping=False, seed=0)
    history = caught.value.history
    assert isinstance(history, ll.History)
    assert f"epoch {history.epochs_run + 1}" in str(caught.value)
    assert len(history.train_loss) == len(history.test_loss) == history.epochs_run >= 1
    assert all(np.isfinite(history.train_loss)) and history.seconds > 0
