"""Command line: ``python -m lstm_lib sine ...``."""
import json
import os
import subprocess
import sys

import pytest

import lstm_lib as ll

ENV = dict(os.environ, LSTM_LIB_BACKEND="numpy")


def _cli(*args):
    proc = subprocess.run([sys.executable, "-m", "lstm_lib", "sine", *args], capture_output=True, text=True,
                          timeout=120, env=ENV)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_json_output():
    proc = _cli("--max-epoch", "200", "--seed", "3", "--json")
    result = json.loads(proc.stdout)  # stdout holds exactly one JSON object
    assert isinstance(result, dict)
    assert {"epochs_run", "train_loss", "test_loss", "seconds"} <= set(result)
    assert isinstance(result["epochs_run"], int) and 1 <= result["epochs_run"] <= 200
    assert isinstance(result["seconds"], (int, float)) and result["seconds"] >= 0
    assert 0 < result["train_loss"] < 1 and 0 < result["test_loss"] < 1
    # the same run in-process gives the same numbers
    ref = ll.sine_experiment(seed=3, max_epoch=200, progress=False)
    assert result["epochs_run"] == ref.epochs_run
    assert result["test_loss"] == pytest.approx(ref.test_mse, rel=1e-12)
    assert result["train_loss"] == pytest.approx(ref.history.train_loss[-1], rel=1e-12)


def test_log_output_and_no_early_stop():
    proc = _cli("--max-epoch", "400", "--no-early-stop", "--hidden", "3")
    lines = proc.stdout.splitlines()
    assert [ln.split(",")[0] for ln in lines if ln.startswith("epoch:")] == ["epoch:200", "epoch:400"]
    proc = _cli("--max-epoch", "30", "--no-early-stop", "--json")
    assert json.loads(proc.stdout)["epochs_run"] == 30


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "sine.png"
    _cli("--max-epoch", "5", "--plot", str(out), "--json")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_arguments_exit_non_zero():
    for args in (["sine", "--max-epoch", "zero"], ["sine", "--hidden", "0"], ["nonsense"]):
        proc = subprocess.run([sys.executable, "-m", "lstm_lib", *args], capture_output=True, text=True,
                              timeout=120, env=ENV)
        assert proc.returncode != 0, args
        assert proc.stderr.strip(), args
