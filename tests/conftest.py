"""Shared test helpers: an independent central-difference oracle, message matchers, backend hygiene.

The finite-difference code here is deliberately separate from ``lstm_lib.gradcheck`` so that the
library's own checker is itself tested against an oracle it does not share code with.
"""
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import lstm_lib as ll

FD_STEP = 1e-6
GRAD_TOL = 1e-6
_GRAD_ERRORS = {}  # test id -> {name: relative error}, printed in the terminal summary


def numgrad(f, a, h=FD_STEP):
    """Central-difference gradient of the scalar ``f()`` w.r.t. array ``a``, perturbed in place."""
    if isinstance(a, np.ndarray):
        view = a.flat  # writes through, contiguous or not
    else:  # cupy: a flat view of a contiguous array
        assert a.flags.c_contiguous, "cannot perturb a non-contiguous device array in place"
        view = a.reshape(-1)
    g = np.zeros(a.shape, dtype=np.float64)
    for i in range(a.size):
        old = float(view[i])
        view[i] = old + h
        fp = float(f())
        view[i] = old - h
        fm = float(f())
        view[i] = old
        g.flat[i] = (fp - fm) / (2 * h)
    return g


def relerr(a, n):
    """||a - n|| / (||a|| + ||n||), 0 when both vanish."""
    a = np.asarray(ll.to_numpy(a), dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    assert a.shape == n.shape, f"analytic gradient shape {a.shape} != numeric shape {n.shape}"
    den = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if den == 0 else float(np.linalg.norm(a - n) / den)


def check_grads(f, arrays, analytic, record=None, tol=GRAD_TOL):
    """Compare ``analytic[name]`` with central differences of ``f`` w.r.t. ``arrays[name]`` for every name."""
    assert set(arrays) == set(analytic), (sorted(arrays), sorted(analytic))
    errors = {name: relerr(analytic[name], numgrad(f, arrays[name])) for name in arrays}
    if record is not None:
        _GRAD_ERRORS[record] = errors
    bad = {k: v for k, v in errors.items() if not v < tol}
    assert not bad, f"relative gradient error >= {tol}: {bad}"
    # the analytic gradients must not all be trivially zero (a check of zeros against zeros proves nothing)
    assert any(np.linalg.norm(ll.to_numpy(g)) > 0 for g in analytic.values())
    return errors


def assert_lstm_matches_equations(layer, forward, backward, rng, B=3, T=6):
    """``layer`` (an LSTM or a variant) against ``forward(x, z0, c0, p)`` and ``backward(dout, caches,
    dz_T, dc_T)`` of ``lstm_lib.equations``, to 1e-12: outputs, trace, final cell, every gradient,
    from zero and from given initial states."""
    D, H = layer.input_size, layer.hidden_size
    p = {name: np.array(ll.to_numpy(v)) for name, v in layer.params.items()}
    x, z0, c0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    dout, dz_T, dc_T = rng.normal(size=(B, T, H)), rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def close(actual, expected, what):
        np.testing.assert_allclose(ll.to_numpy(actual), expected, rtol=1e-12, atol=1e-12, err_msg=what)

    for states, finals in (((None, None), (None, None)), ((z0, c0), (dz_T, dc_T))):
        z, c, caches = forward(x, *states, p)
        dx, dz0, dc0, dp, dz, dc = backward(dout, caches, *finals)
        close(layer.forward(x, *states), z, "z")
        trace = layer.trace()
        for key, name in zip("gifoc", ("g_t", "i_t", "f_t", "o_t", "c_t")):
            close(trace[key], np.stack([cache[name] for cache in caches], axis=1), key)
        close(layer.final_state[1], c[:, -1], "c_T")
        close(layer.backward(dout, *finals), dx, "dx")
        close(layer.dh0, dz0, "dh0")
        close(layer.dc0, dc0, "dc0")
        close(layer.delta, dz, "delta")
        close(layer.delta_c, dc, "delta_c")
        for name in p:
            close(layer.grads[name], dp[name], name)


@pytest.fixture
def oracle():
    """Comparisons of the fast layers with ``lstm_lib.equations`` shared by several test files."""
    return SimpleNamespace(lstm=assert_lstm_matches_equations)


def record_errors(name, errors):
    _GRAD_ERRORS[name] = dict(errors)


@pytest.fixture
def fd(request):
    """Finite-difference helpers; ``fd.check(f, arrays, analytic)`` records errors under the test id."""
    return SimpleNamespace(
        numgrad=numgrad,
        relerr=relerr,
        check=lambda f, arrays, analytic, tol=GRAD_TOL: check_grads(f, arrays, analytic, request.node.name, tol),
        record=lambda errors: record_errors(request.node.name, errors),
    )


def names(arg, *fragments):
    """Regex for a message naming the argument ``arg`` (a word; a tuple means any of them; None: skip)
    and containing every other fragment literally, in any order."""
    parts = []
    if arg is not None:
        alts = arg if isinstance(arg, tuple) else (arg,)
        parts.append(r"(?=.*\b(?:" + "|".join(re.escape(a) for a in alts) + r")\b)")
    parts += [f"(?=.*{re.escape(str(f))})" for f in fragments]
    return "(?s)" + "".join(parts)


@pytest.fixture
def msg():
    return names


@pytest.fixture(autouse=True)
def _numpy_backend():
    """Every test starts and ends on the numpy backend."""
    ll.set_backend("numpy")
    yield
    ll.set_backend("numpy")


@pytest.fixture(params=["numpy", "cupy"])
def xp(request):
    """Runs the test on each backend and returns its array module; on cupy it is skipped, with the
    library's reason, where no GPU is usable."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if ll.set_backend(request.param) != request.param:
            pytest.skip(f"{request.param} backend unavailable: {caught[-1].message}")
    return ll.backend.xp_default()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def pytest_terminal_summary(terminalreporter):
    if not _GRAD_ERRORS:
        return
    tr = terminalreporter
    tr.section("finite-difference gradient checks (max relative error per test)")
    worst = 0.0
    for test, errors in sorted(_GRAD_ERRORS.items()):
        m = max(errors.values()) if errors else 0.0
        worst = max(worst, m)
        tr.write_line(f"{m:9.2e}  {test}  ({len(errors)} arrays)")
    tr.write_line(f"{worst:9.2e}  overall maximum over {len(_GRAD_ERRORS)} checks")
