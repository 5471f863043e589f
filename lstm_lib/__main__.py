"""Command line: ``python -m lstm_lib sine [options]`` runs the tutorial's sine experiment."""
import argparse
import json
import os

from .experiments import CELLS, sine_experiment


def _integer(low):
    """An argparse type: an integer >= ``low``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}")
        return value
    return parse


def _parser():
    parser = argparse.ArgumentParser(prog="python -m lstm_lib", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sine = sub.add_parser("sine", help="train on the tutorial's sine curve and report the losses")
    sine.add_argument("--cell", choices=tuple(CELLS), default="lstm")
    sine.add_argument("--seed", type=_integer(0), default=0)
    sine.add_argument("--max-epoch", type=_integer(1), default=2000)
    sine.add_argument("--period", type=_integer(1), default=200)
    sine.add_argument("--no-early-stop", action="store_true", help="train for all --max-epoch epochs")
    sine.add_argument("--hidden", type=_integer(1), default=2)
    sine.add_argument("--plot", metavar="FILE.png", help="save prediction and loss curves (needs matplotlib)")
    sine.add_argument("--json", action="store_true", help="print one JSON object instead of the log")
    return parser, sine


def _check_plot(parser, path):
    """Refuse, before any training, a --plot file that could not be written."""
    try:
        import matplotlib
    except ImportError:
        parser.error("--plot needs matplotlib: pip install 'lstm-lib[plot]'")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        parser.error(f"--plot {path}: the folder {folder} does not exist or is not writable")
    if os.path.isdir(path):
        parser.error(f"--plot {path}: is a folder, expected an image file name")
    ext = os.path.splitext(path)[1][1:].lower() or matplotlib.rcParams["savefig.format"]
    formats = FigureCanvasAgg(Figure()).get_supported_filetypes()
    if ext not in formats:
        parser.error(f"--plot {path}: unknown image format {ext!r}, expected one of {sorted(formats)}")


def _plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = result.data
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(d.x, d.y, color="C0", label="sin(x)")
    ax1.plot(d.x[d.train_size + d.look_back:], result.closed_loop, "o-", color="C1", ms=3,
             label="closed-loop prediction")
    ax1.axvline(d.x[d.train_size + d.look_back - 1], color="gray", ls=":")
    ax1.set(xlabel="x", ylabel="y", title="prediction on the test span")
    ax1.legend(loc="upper left")
    ax2.semilogy(result.history.train_loss, label="train")
    ax2.semilogy(result.history.test_loss, label="test")
    ax2.set(xlabel="epoch", ylabel="MSE", title="loss curves")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser, sine = _parser()
    args = parser.parse_args(argv)
    if args.plot:
        _check_plot(sine, args.plot)
    result = sine_experiment(cell=args.cell, hidden=args.hidden, max_epoch=args.max_epoch,
                             period=args.period, early_stopping=not args.no_early_stop, seed=args.seed,
                             progress=True, log=None if args.json else print)
    h = result.history
    if args.plot:
        _plot(result, args.plot)
    if args.json:
        print(json.dumps({"cell": args.cell, "hidden": args.hidden, "seed": args.seed,
                          "epochs_run": h.epochs_run, "stopped_early": h.stopped_early,
                          "train_loss": h.train_loss[-1], "test_loss": result.test_mse,
                          "seconds": round(h.seconds, 3)}))
    else:
        print(f"train size : {result.data.train_size}, test size : {result.data.test_size}")
        print(f"epochs run: {h.epochs_run}, final test MSE: {result.test_mse:.4g}, "
              f"training time: {h.seconds:.2f} s")


if __name__ == "__main__":
    main()
