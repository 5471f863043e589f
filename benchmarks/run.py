"""Time lstm_lib (numpy) against PyTorch on the CPU; print a table and write benchmarks/results.md.

    python benchmarks/run.py          # the documented command (`make bench`); 5-10 minutes on 2 cores
    python benchmarks/run.py --quick  # smoke run: 1 repeat, short sine training, writes nothing

One training step is forward, backward and one Adam update (lr 1e-3) of an LSTM followed by a Dense layer on
the last time step, with the mean squared error; x is (B, T, D), the target (B, 1).

  S  the sine experiment: 2000 epochs, early stopping off (B=5, T=5, D=1, H=2; 22 training samples, so
     4 minibatches per epoch, plus the test loss on 23 samples every epoch). lstm_lib runs ``ll.fit``;
     PyTorch runs the same loop written with torch.nn.LSTM(batch_first=True) + nn.Linear. Seconds.
  M  B=32, T=50, D=8, H=64: steps per second.
  L  B=64, T=100, D=32, H=256: steps per second.

Every case runs with one thread (torch.set_num_threads(1); numpy's BLAS limited to one thread through
threadpoolctl) and with each library's default threads, in float64 (lstm_lib's default, the book's
precision) and float32 (PyTorch's default). lstm_lib and PyTorch alternate inside each repeat, so load from
other processes hits both; tables give the median over repeats and the spread of the paired ratios.
"""
import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import threadpoolctl
import torch

import lstm_lib as ll

RESULTS = Path(__file__).resolve().parent / "results.md"
SHAPES = {"M": (32, 50, 8, 64), "L": (64, 100, 32, 256)}
TARGETS = {"S": 5.0, "M": 1.5, "L": 0.67}  # lstm_lib speed / PyTorch speed, at least
THREADS = (1, None)  # None: the libraries' defaults
DTYPES = (np.float64, np.float32)
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
TORCH_DEFAULT_THREADS = torch.get_num_threads()
BUDGET_S = 60.0  # seconds per case and setting after which no further repeat starts


@contextmanager
def threads(n):
    """Run with ``n`` compute threads in both libraries (``None``: their defaults)."""
    torch.set_num_threads(n or TORCH_DEFAULT_THREADS)
    with threadpoolctl.threadpool_limits(limits=n, user_api="blas"):
        yield
    torch.set_num_threads(TORCH_DEFAULT_THREADS)


# ----------------------------------------------------------------------------------------------- models


def ll_model(D, H, dtype, seed=0):
    """lstm_lib LSTM(D->H) -> last step -> Dense(H->1)."""
    return ll.Sequential([ll.LSTM(D, H, seed=seed, dtype=dtype), ll.LastStep(dtype=dtype), ll.Dense(H, 1, seed=seed + 1, dtype=dtype)])


class TorchModel(torch.nn.Module):
    """torch.nn.LSTM(D->H, batch_first) -> last step -> nn.Linear(H->1)."""

    def __init__(self, D, H):
        super().__init__()
        self.lstm = torch.nn.LSTM(D, H, batch_first=True)
        self.dense = torch.nn.Linear(H, 1)

    def forward(self, x):
        z, _ = self.lstm(x)
        return self.dense(z[:, -1])


def torch_model(D, H, dtype, seed=0):
    torch.manual_seed(seed)
    return TorchModel(D, H).to(TORCH_DTYPE[dtype])


# ------------------------------------------------------------------------------------- S: sine training


def sine_data(dtype):
    """The tutorial's data: sin on 50 points of [-10, 10], windows of 5, first half for training."""
    _, y = ll.sine_data()
    X, t = ll.create_dataset(y, look_back=5)
    return [a.astype(dtype) for a in ll.split_data(X, t)]


def ll_sine(epochs, dtype):
    """Seconds for ``epochs`` epochs of ll.fit on the sine data, and the final test loss."""
    X_train, y_train, X_test, y_test = sine_data(dtype)
    model = ll_model(1, 2, dtype)
    start = time.perf_counter()
    history = ll.fit(model, X_train, y_train, X_test, y_test, optimizer=ll.Adam(lr=1e-3), batch_size=5,
                     max_epoch=epochs, early_stopping=False, progress=False, log=None, seed=0)
    return time.perf_counter() - start, history.test_loss[-1]


def torch_sine(epochs, dtype, batch_size=5):
    """The same training loop in PyTorch: shuffled minibatches, remainder dropped, test loss every epoch.

    (The tutorial's check every 200 epochs only logs and stops early; both are off in this benchmark.)
    """
    X_train, y_train, X_test, y_test = (torch.from_numpy(a) for a in sine_data(dtype))
    model = torch_model(1, 2, dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    mse = torch.nn.functional.mse_loss
    rng = np.random.default_rng(0)
    n_train = len(X_train)
    train_curve, test_curve = [], []
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.from_numpy(rng.permutation(n_train))
        train_loss = 0.0
        for j in range(n_train // batch_size):
            idx = perm[j * batch_size:(j + 1) * batch_size]
            optimizer.zero_grad()
            loss = mse(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            train_loss += loss.item()
        train_curve.append(train_loss / (n_train // batch_size))
        with torch.no_grad():
            test_curve.append(mse(model(X_test), y_test).item())
    return time.perf_counter() - start, test_curve[-1]


# ------------------------------------------------------------------------------- M, L: training steps


def ll_step(B, T, D, H, dtype, seed=0, xp=np):
    """A function doing one lstm_lib training step on fixed random data held by array module ``xp``.

    The model lives on the current ``ll`` backend, which must match ``xp``.
    """
    rng = np.random.default_rng(seed)
    x = xp.asarray(rng.standard_normal((B, T, D)).astype(dtype))
    y = xp.asarray(rng.standard_normal((B, 1)).astype(dtype))
    model = ll_model(D, H, dtype, seed)
    optimizer = ll.Adam(lr=1e-3)

    def step():
        _, dpred = ll.mse(model.forward(x), y)
        model.backward(dpred)
        optimizer.update(model)

    return step


def torch_step(B, T, D, H, dtype, seed=0, device="cpu"):
    """A function doing one PyTorch training step on the same data, on ``device``."""
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((B, T, D)).astype(dtype)).to(device)
    y = torch.from_numpy(rng.standard_normal((B, 1)).astype(dtype)).to(device)
    model = torch_model(D, H, dtype, seed).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()

    return step


def steps_per_second(step, n):
    start = time.perf_counter()
    for _ in range(n):
        step()
    return n / (time.perf_counter() - start)


# ---------------------------------------------------------------------------------------------- runner


def compare(run_ll, run_torch, repeats, budget=BUDGET_S):
    """Alternate the two runs up to ``repeats`` times (order flipped every repeat); lists of their results.

    Stops repeating once ``budget`` seconds have passed, so that a pathologically slow setting (threads
    fighting other processes for the cores) cannot stretch the run without bound.
    """
    ours, theirs = [], []
    start = time.perf_counter()
    for r in range(repeats):
        if r and time.perf_counter() - start > budget:
            break
        pair = [(ours, run_ll), (theirs, run_torch)]
        for results, run in pair if r % 2 == 0 else pair[::-1]:
            time.sleep(0.05)  # let the other library's idle worker threads go to sleep
            results.append(run())
    return ours, theirs


def row(case, shape, n_threads, dtype, ours, theirs, unit):
    """A result row; ``speedup`` = lstm_lib speed / PyTorch speed (median and paired min..max)."""
    if unit == "s":  # times: smaller is faster
        paired = [t / o for o, t in zip(ours, theirs)]
    else:  # rates
        paired = [o / t for o, t in zip(ours, theirs)]
    ll_med, torch_med = statistics.median(ours), statistics.median(theirs)
    speedup = torch_med / ll_med if unit == "s" else ll_med / torch_med
    return dict(case=case, shape=shape, threads=n_threads or f"default ({TORCH_DEFAULT_THREADS})",
                dtype=np.dtype(dtype).name, unit=unit, ll=ll_med, torch=torch_med, speedup=speedup,
                lo=min(paired), hi=max(paired), target=TARGETS[case], repeats=len(ours))


def benchmark(quick):
    """Run S, M and L in every thread setting and dtype; returns (rows, sine test losses)."""
    epochs = 20 if quick else 2000
    repeats = {"S": 1, "M": 1, "L": 1} if quick else {"S": 3, "M": 5, "L": 3}
    n_steps = {"M": 5, "L": 1} if quick else {"M": 40, "L": 3}
    rows, sine_loss = [], {}
    for dtype in DTYPES:
        for n in THREADS:
            with threads(n):
                log(f"S  {np.dtype(dtype).name} threads={n or 'default'}")
                ours, theirs = compare(lambda: ll_sine(epochs, dtype), lambda: torch_sine(epochs, dtype), repeats["S"])
                sine_loss.setdefault(np.dtype(dtype).name, (ours[0][1], theirs[0][1]))
                rows.append(row("S", "(B=5, T=5, D=1, H=2)", n, dtype, [o[0] for o in ours], [t[0] for t in theirs], "s"))
                for case, (B, T, D, H) in SHAPES.items():
                    log(f"{case}  {np.dtype(dtype).name} threads={n or 'default'}")
                    ours_step, torch_step_ = ll_step(B, T, D, H, dtype), torch_step(B, T, D, H, dtype)
                    ours_step(), torch_step_()  # warm-up: caches, optimizer state, torch's lazy init
                    ours, theirs = compare(lambda: steps_per_second(ours_step, n_steps[case]),
                                           lambda: steps_per_second(torch_step_, n_steps[case]), repeats[case])
                    rows.append(row(case, f"(B={B}, T={T}, D={D}, H={H})", n, dtype, ours, theirs, "steps/s"))
    return rows, sine_loss


def memory_L():
    """Peak numpy memory (tracemalloc) of lstm_lib on L, float64, next to the BPTT cache size B*T*H."""
    B, T, D, H = SHAPES["L"]
    tracemalloc.start()
    step = ll_step(B, T, D, H, np.float64)
    setup = tracemalloc.get_traced_memory()[0]  # data + parameters
    tracemalloc.reset_peak()
    step()  # first step: allocates caches and the optimizer state
    resident, first_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    step()
    _, steady_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    unit = B * T * H * 8
    return dict(setup=setup, first_peak=first_peak, resident=resident, steady_peak=steady_peak, unit=unit)


def environment():
    blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    blas = ", ".join(f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')}, {i['num_threads']} threads)"
                     for i in blas) or "unknown BLAS"
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor() or "unknown CPU") if Path("/proc/cpuinfo").exists() else platform.processor()
    return (f"Python {platform.python_version()}, numpy {np.__version__} with {blas}, "
            f"OPENBLAS_CORETYPE {coretype}, torch {torch.__version__} ({TORCH_DEFAULT_THREADS} default threads), "
            f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.machine()}")


def fmt(value, unit):
    return f"{value:.2f} s" if unit == "s" else f"{value:.3g}/s"


def table(rows):
    lines = ["| case | dtype | threads | runs | lstm_lib | PyTorch | speed-up | paired range | target |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        verdict = "met" if r["speedup"] >= r["target"] else "missed"
        lines.append(f"| {r['case']} | {r['dtype']} | {r['threads']} | {r['repeats']} | {fmt(r['ll'], r['unit'])} "
                     f"| {fmt(r['torch'], r['unit'])} | {r['speedup']:.2f}x | {r['lo']:.2f}–{r['hi']:.2f} "
                     f"| ≥ {r['target']}x: {verdict} |")
    return "\n".join(lines)


def report(rows, sine_loss, mem, quick):
    mb = 1e6
    lines = [
        "# Benchmark results: lstm_lib (numpy) vs PyTorch on the CPU",
        "",
        f"Generated by `python benchmarks/run.py` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
        + (" (--quick smoke run)" if quick else "") + ". Do not edit by hand.",
        "",
        f"Environment: {environment()}.",
        "",
        "Cases: " + "; ".join(f"{case} {shape}" for case, shape in dict((r["case"], r["shape"]) for r in rows).items())
        + ". S is the whole 2000-epoch sine training in seconds; M and L are training steps per second. "
        "Speed-up = lstm_lib speed / PyTorch speed (above 1: lstm_lib faster), from the medians over the "
        "runs (pairs of back-to-back lstm_lib and PyTorch runs; fewer than planned where a setting was too "
        "slow); the paired range is the smallest and largest ratio within a pair.",
        "",
        table(rows),
        "",
        "Final test MSE of the sine training (a check that both loops train the same model): "
        + "; ".join(f"{dt}: lstm_lib {a:.2e}, PyTorch {b:.2e}" for dt, (a, b) in sine_loss.items()) + ".",
        "",
        f"Memory, L in float64 (numpy allocations traced by tracemalloc): one (B, T, H) array is "
        f"{mem['unit'] / mb:.1f} MB, so the cache that backpropagation through time needs in theory (four gate "
        f"activations, c_t, tanh c_t and z_t for every step: 7 such arrays) is {7 * mem['unit'] / mb:.1f} MB. "
        f"Data and parameters take {mem['setup'] / mb:.1f} MB; after a training step {mem['resident'] / mb:.1f} MB "
        f"stay allocated (cache, gradients, optimizer state); the first step peaks at {mem['first_peak'] / mb:.1f} MB, "
        f"later steps at {mem['steady_peak'] / mb:.1f} MB ({mem['steady_peak'] / mem['unit']:.1f} arrays of "
        "size (B, T, H)).",
    ]
    return "\n".join(lines) + "\n"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repeat, 20 epochs; writes nothing")
    args = parser.parse_args(argv)
    rows, sine_loss = benchmark(args.quick)
    text = report(rows, sine_loss, memory_L(), args.quick)
    print(text)
    if not args.quick:
        RESULTS.write_text(text)
        log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
