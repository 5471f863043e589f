"""Time lstm_lib (numpy) against PyTorch on the CPU; print a table and write benchmarks/results.md.

    python benchmarks/run.py          # the documented command (`make bench`); 5-10 minutes on 2 cores;
                                      # also writes the chart benchmarks/speedup.svg
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
The project's targets (TARGETS, MEMORY_TARGET) are checked on the console only; results.md is for readers.
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
CHART = Path(__file__).resolve().parent / "speedup.svg"
SHAPES = {"M": (32, 50, 8, 64), "L": (64, 100, 32, 256)}
# lstm_lib speed / PyTorch speed, at least (issue 13), per case and dtype
TARGETS = {("S", "float64"): 7.0, ("S", "float32"): 6.0, ("M", "float64"): 2.0, ("M", "float32"): 1.0,
           ("L", "float64"): 1.2, ("L", "float32"): 1.0}
MEMORY_TARGET = 1.5  # steady peak of an L float64 training step / the theoretical BPTT cache, at most
CACHE_ARRAYS = 7     # four gate activations, c_t, tanh c_t and z_t per step: 7 arrays of size (B, T, H)
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
                lo=min(paired), hi=max(paired), repeats=len(ours))


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
    lines = ["| case | dtype | threads | runs | lstm_lib | PyTorch | speed-up | paired range |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['dtype']} | {r['threads']} | {r['repeats']} | {fmt(r['ll'], r['unit'])} "
                     f"| {fmt(r['torch'], r['unit'])} | {r['speedup']:.2f}x | {r['lo']:.2f}–{r['hi']:.2f} |")
    return "\n".join(lines)


def target_check(rows, mem):
    """Lines comparing the results with the project's targets (console only)."""
    lines = []
    for r in rows:
        target = TARGETS[r["case"], r["dtype"]]
        lines.append(f"{r['case']} {r['dtype']} threads={r['threads']}: {r['speedup']:.2f}x "
                     f"(paired {r['lo']:.2f}-{r['hi']:.2f}), target >= {target}x: "
                     f"{'met' if r['speedup'] >= target else 'missed'}")
    ratio = mem["steady_peak"] / (CACHE_ARRAYS * mem["unit"])
    lines.append(f"memory: L float64 steady peak {ratio:.2f}x the theoretical cache, target <= {MEMORY_TARGET}x: "
                 f"{'met' if ratio <= MEMORY_TARGET else 'missed'}")
    return lines


def chart(rows, path):
    """A bar chart of the speed-ups (median, paired range as whiskers), one group per case; SVG by default."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = list(dict.fromkeys(r["case"] for r in rows))
    settings = list(dict.fromkeys((r["dtype"], r["threads"]) for r in rows))
    width = 0.8 / len(settings)
    colors = {"float64": "#1f77b4", "float32": "#ff7f0e"}
    with plt.rc_context({"font.size": 10, "svg.hashsalt": "lstm_lib"}):
        fig, ax = plt.subplots(figsize=(7.0, 3.8), layout="constrained")
        for k, (dtype, n_threads) in enumerate(settings):
            chosen = {r["case"]: r for r in rows if (r["dtype"], r["threads"]) == (dtype, n_threads)}
            xs = [cases.index(c) + (k - (len(settings) - 1) / 2) * width for c in chosen]
            ys = [r["speedup"] for r in chosen.values()]
            err = [[y - r["lo"] for y, r in zip(ys, chosen.values())], [r["hi"] - y for y, r in zip(ys, chosen.values())]]
            one_thread = n_threads == 1
            ax.bar(xs, [y - 1 for y in ys], width * 0.92, bottom=1, color=colors[dtype] if one_thread else "white",
                   edgecolor=colors[dtype], hatch=None if one_thread else "///", linewidth=1.2,
                   label=f"{dtype}, {'1 thread' if one_thread else 'default threads'}")
            ax.errorbar(xs, ys, yerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=2.5)
            for x, y, r in zip(xs, ys, chosen.values()):   # the median, beyond the end of the whisker
                above = y >= 1
                ax.annotate(f"{y:.1f}" if y >= 1 else f"{y:.2f}", (x, r["hi"] if above else r["lo"]),
                            xytext=(0, 2 if above else -2), textcoords="offset points", ha="center",
                            va="bottom" if above else "top", fontsize=9)
        ax.axhline(1.0, color="0.3", linewidth=1, label="PyTorch's speed")
        ax.set_yscale("log", base=2)
        bottom, top = min(0.5, min(r["lo"] for r in rows) / 1.4), max(r["hi"] for r in rows) * 1.3
        ax.set_ylim(bottom, top)
        ticks = [2.0 ** k for k in range(-8, 9) if bottom <= 2.0 ** k <= top]
        ax.set_yticks(ticks, [f"{t:g}x" for t in ticks])
        ax.set_xticks(range(len(cases)), [f"{c}\n{next(r['shape'] for r in rows if r['case'] == c)}" for c in cases])
        ax.set_xlim(-0.5, len(cases) - 0.5)
        ax.set_ylabel("speed-up over PyTorch")
        fig.legend(loc="outside upper center", fontsize=9, ncols=3, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.savefig(path, metadata={"Date": None} if Path(path).suffix == ".svg" else None, dpi=200)
        plt.close(fig)


def report(rows, sine_loss, mem, quick):
    mb = 1e6
    stamp = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC" + (" (--quick smoke run)" if quick else "")
    cache = CACHE_ARRAYS * mem["unit"]
    lines = [
        "# Benchmark results: lstm_lib (numpy) vs PyTorch on the CPU",
        f"<!-- Generated by `python benchmarks/run.py` (with benchmarks/speedup.svg). Do not edit by hand: rerun it. -->",
        "",
        f"Measured on {stamp}. Environment: {environment()}.",
        "",
        "Cases: " + "; ".join(f"{case} {shape}" for case, shape in dict((r["case"], r["shape"]) for r in rows).items())
        + ". S is the whole 2000-epoch sine training in seconds; M and L are training steps per second. "
        "Speed-up = lstm_lib speed / PyTorch speed (above 1: lstm_lib faster), from the medians over the "
        "runs (pairs of back-to-back lstm_lib and PyTorch runs; fewer than planned where a setting was too "
        "slow); the paired range is the smallest and largest ratio within a pair.",
        "",
        table(rows),
        "",
        "Final test MSE of the sine training (the same architecture and recipe in both libraries, from different initial weights): "
        + "; ".join(f"{dt}: lstm_lib {a:.2e}, PyTorch {b:.2e}" for dt, (a, b) in sine_loss.items()) + ".",
        "",
        f"Memory, L in float64, counted with tracemalloc (every array numpy allocates): one (B, T, H) array "
        f"is {mem['unit'] / mb:.1f} MB, and the cache that backpropagation through time needs in theory (four "
        f"gate activations, c_t, tanh c_t and z_t for every step: {CACHE_ARRAYS} such arrays) is {cache / mb:.1f} MB. "
        f"Data and parameters take {mem['setup'] / mb:.1f} MB. A training step after the first peaks at "
        f"{mem['steady_peak'] / mb:.1f} MB, {mem['steady_peak'] / cache:.2f} times the theoretical cache "
        f"({mem['steady_peak'] / mem['unit']:.1f} arrays of size (B, T, H)); the peak counts everything allocated "
        "at that moment: data, parameters, gradients and optimizer state, the cache, the gradient arriving from "
        "the next layer, the outputs delta and delta_c, and the backward pass's work arrays. Between steps "
        f"{mem['resident'] / mb:.1f} MB stay allocated (the cache of the last forward pass, its delta and "
        f"delta_c, the optimizer state and the work arrays kept for the next step); the first step peaks at "
        f"{mem['first_peak'] / mb:.1f} MB.",
    ]
    return "\n".join(lines) + "\n"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repeat, 20 epochs; writes nothing")
    args = parser.parse_args(argv)
    rows, sine_loss = benchmark(args.quick)
    mem = memory_L()
    text = report(rows, sine_loss, mem, args.quick)
    print(text)
    print("\n".join(target_check(rows, mem)))
    if not args.quick:
        RESULTS.write_text(text)
        chart(rows, CHART)
        log(f"wrote {RESULTS} and {CHART}")


if __name__ == "__main__":
    main()
