"""A figure with a slider, live in Jupyter and still responsive in the static book.

``slider_figure(draw, values, label=..., alt=...)`` shows the figure that ``draw(fig, value)``
draws for one value of ``values``, with a slider to pick the value:

* ``LSTM_LIB_BOOK=1`` (``make notebooks``, nbval, hence the book): every value is drawn once, at
  execution time, into a 2x PNG frame, and shown as a small HTML block: the frame, a caption
  ``label = value`` (``$...$`` in the label is typeset by the page's MathJax), and a range input
  between "previous" and "next" buttons, driven by a few lines of plain JavaScript. The page
  responds without a kernel and loads nothing; ``css/book.css`` styles the block.
* otherwise (a reader's own Jupyter): an ipywidgets slider that redraws on change.

matplotlib and ipywidgets come with the ``book`` extra; they are imported lazily.
"""

import base64
import html
import io
import itertools
import json
import os
import re

from .book import FIGURE_DPI, FIGURE_WIDTH

MAX_FRAMES = 30  # a 2x frame of a full-column figure is ~50 KB: keep notebooks small

_ids = itertools.count(1)


def slider_figure(draw, values, *, label, initial=None, alt=None, figsize=None, dpi=FIGURE_DPI, fmt="{:.3g}"):
    """Display the figure ``draw(fig, value)`` with a slider over ``values``; return None.

    draw: callable(fig, value) drawing on a cleared ``matplotlib.figure.Figure``;
        must be deterministic (compute data outside or seed inside).
    values: the slider positions, a non-empty sequence of at most MAX_FRAMES items.
    label: the slider's name, shown as ``label = value`` (value formatted by ``fmt``); may hold
        TeX between dollars, e.g. ``"$\\sigma_{\\max}(W_{hh})$"``.
    initial: the value shown first (one of ``values``; default ``values[0]``).
    alt: what the figure shows, for readers who cannot see it (the image's alt text, followed by
        ``(label = value)`` of the frame shown); default ``"Figure for <label> = <value>"``.
    figsize: (width, height) in inches, default full column width ``(FIGURE_WIDTH, FIGURE_WIDTH / 2)``;
        shown ``dpi`` CSS pixels per inch (scaled down to narrower columns), drawn at twice that.
    """
    if not callable(draw):
        raise TypeError(f"draw: expected a callable draw(fig, value), got {type(draw).__name__}")
    if not isinstance(label, str) or not label.strip():
        raise TypeError(f"label: expected a non-empty str, got {label!r}")
    if label.count("$") % 2:
        raise ValueError(f"label: expected TeX between pairs of '$', got an odd number of '$' in {label!r}")
    if alt is not None and (not isinstance(alt, str) or not alt.strip()):
        raise TypeError(f"alt: expected a non-empty str describing the figure (or None), got {alt!r}")
    if figsize is None:
        figsize = (FIGURE_WIDTH, FIGURE_WIDTH / 2)
    if (not isinstance(figsize, (tuple, list)) or len(figsize) != 2
            or not all(isinstance(s, (int, float)) and s > 0 for s in figsize)):
        raise ValueError(f"figsize: expected (width, height) in inches, both > 0, got {figsize!r}")
    if not isinstance(dpi, (int, float)) or not dpi > 0:
        raise ValueError(f"dpi: expected a number > 0 (CSS pixels per inch), got {dpi!r}")
    try:
        values = list(values)
    except TypeError:
        raise TypeError(f"values: expected a sequence of slider values, got {type(values).__name__}") from None
    if not 1 <= len(values) <= MAX_FRAMES:
        raise ValueError(f"values: expected 1 to {MAX_FRAMES} items, got {len(values)}")
    if initial is None:
        index = 0
    else:
        matches = [i for i, v in enumerate(values) if v == initial]
        if not matches:
            raise ValueError(f"initial: expected one of values {values}, got {initial!r}")
        index = matches[0]
    texts = [fmt.format(v) for v in values]
    plain = plain_label(label)
    alts = [f"{alt} ({plain} = {t})" if alt else f"Figure for {plain} = {t}" for t in texts]
    show = _show_frames if os.environ.get("LSTM_LIB_BOOK") == "1" else _show_live
    show(draw, values, texts, alts, index, label, tuple(figsize), dpi)


def plain_label(label):
    """``label`` without TeX markup, for alt text: ``"$\\sigma_{\\max}(W_{hh})$"`` -> ``"sigma_max(W_hh)"``."""
    text = label.replace("$", "")
    text = re.sub(r"\\(?:left|right|[,;:! ])", "", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return re.sub(r"[{}]", "", text).strip()


def _new_figure(figsize, dpi):
    # A Figure outside pyplot: the inline backend does not display it on its own.
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=dpi)


def _png(fig, draw, value, dpi):
    """PNG bytes of ``draw(fig, value)`` at ``2 * dpi``, as a 256-colour palette image (a third the size)."""
    from PIL import Image

    fig.clear()
    draw(fig, value)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * dpi, facecolor="white")
    image = Image.open(buffer).convert("RGB").quantize(
        256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)   # fast, exact for plots
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _caption_html(label):
    """The label as HTML: text escaped, each ``$tex$`` as inline math for the page's MathJax."""
    parts = label.split("$")
    return "".join(
        f'<span class="math notranslate nohighlight">\\({html.escape(part)}\\)</span>' if k % 2
        else html.escape(part)
        for k, part in enumerate(parts)
    )


def _show_frames(draw, values, texts, alts, index, label, figsize, dpi):
    """The static slider: one 2x PNG frame per value in an <img>, a caption, previous/range/next."""
    from IPython.display import HTML, display

    fig = _new_figure(figsize, dpi)
    frames = [base64.b64encode(_png(fig, draw, v, dpi)).decode("ascii") for v in values]
    # A counter, not a random id: re-executed notebooks stay byte-identical, and several
    # sliders on one page stay distinct.
    sid = f"lstm-lib-slider-{next(_ids)}"
    width, height = round(figsize[0] * dpi), round(figsize[1] * dpi)
    last = len(values) - 1
    data = {
        "frames": ["data:image/png;base64," + f for f in frames],
        "alts": alts,
        "values": texts,
    }
    html_text = f"""\
<div class="lstm-lib-slider" id="{sid}">
<img class="lstm-lib-slider-frame" width="{width}" height="{height}" alt="{html.escape(alts[index])}"
     src="data:image/png;base64,{frames[index]}">
<div class="lstm-lib-slider-caption">{_caption_html(label)} = <span class="lstm-lib-slider-value">{html.escape(texts[index])}</span></div>
<div class="lstm-lib-slider-controls">
<button type="button" class="lstm-lib-slider-previous" aria-label="previous value" title="previous value"{" disabled" if index == 0 else ""}>&#9664;&#xFE0E;</button>
<input type="range" class="lstm-lib-slider-range" min="0" max="{last}" step="1" value="{index}" aria-label="{html.escape(plain_label(label))}">
<button type="button" class="lstm-lib-slider-next" aria-label="next value" title="next value"{" disabled" if index == last else ""}>&#9654;&#xFE0E;</button>
</div>
</div>
<script>
(function () {{
  var data = {_json_for_script(data)};
  var root = document.getElementById("{sid}");
  var img = root.querySelector("img"), range = root.querySelector("input");
  var value = root.querySelector(".lstm-lib-slider-value");
  var previous = root.querySelector(".lstm-lib-slider-previous"), next = root.querySelector(".lstm-lib-slider-next");
  function show(k) {{
    k = Math.max(0, Math.min({last}, k));
    range.value = k;
    img.src = data.frames[k];
    img.alt = data.alts[k];
    value.textContent = data.values[k];
    previous.disabled = k === 0;
    next.disabled = k === {last};
  }}
  range.addEventListener("input", function () {{ show(+range.value); }});
  previous.addEventListener("click", function () {{ show(+range.value - 1); }});
  next.addEventListener("click", function () {{ show(+range.value + 1); }});
}})();
</script>
"""
    display(HTML(html_text))


def _json_for_script(obj):
    """JSON safe inside an HTML <script> element: no ``<`` that could end or comment out the script."""
    return json.dumps(obj, ensure_ascii=False).replace("<", "\\u003c")


def _show_live(draw, values, texts, alts, index, label, figsize, dpi):
    """ipywidgets slider; each change redraws the figure with the kernel."""
    import ipywidgets
    from IPython.display import Image, display

    fig = _new_figure(figsize, dpi)
    out = ipywidgets.Output()
    slider = ipywidgets.SelectionSlider(
        options=list(zip(texts, range(len(values)))), value=index, description=label,
        continuous_update=False, style={"description_width": "initial"},
        layout=ipywidgets.Layout(width="100%", max_width=f"{max(300, round(figsize[0] * dpi))}px"),
    )

    def show(k):
        with out:
            out.clear_output(wait=True)
            display(Image(_png(fig, draw, values[k], dpi), retina=True))  # 2x PNG shown at 1x size

    slider.observe(lambda change: show(change["new"]), names="value")
    show(index)
    display(ipywidgets.VBox([slider, out]))
