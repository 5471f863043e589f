"""A figure with a slider, live in Jupyter and still responsive in the static book.

``slider_figure(draw, values, label=...)`` shows the figure that ``draw(fig, value)``
draws for one value of ``values``, with a slider to pick the value:

* ``LSTM_LIB_BOOK=1`` (the book build and nbval): every value is drawn once, at
  execution time, and shown as a matplotlib jshtml animation (frames embedded as
  PNG, a slider and buttons in plain JavaScript), so the rendered HTML responds
  without a kernel. Its Font Awesome stylesheet link (a CDN) is removed; the book
  theme bundles Font Awesome, which draws the buttons offline.
* otherwise (a reader's own Jupyter): an ipywidgets slider that redraws on change.

matplotlib and ipywidgets come with the ``book`` extra; they are imported lazily.
"""

import io
import itertools
import json
import os
import re

MAX_FRAMES = 60  # a jshtml frame at dpi 72 is ~20 KB; keep notebooks small

_ids = itertools.count(1)
_CDN_LINK = re.compile(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">\s*')
_ANIM_ID = re.compile(r"_anim_img([0-9a-f]{32})")


def slider_figure(draw, values, *, label, initial=None, figsize=(6, 3.5), dpi=72, fmt="{:.3g}"):
    """Display the figure ``draw(fig, value)`` with a slider over ``values``; return None.

    draw: callable(fig, value) drawing on a cleared ``matplotlib.figure.Figure``;
        must be deterministic (compute data outside or seed inside).
    values: the slider positions, a non-empty sequence of at most MAX_FRAMES items.
    label: the slider's name, shown with the current value formatted by ``fmt``.
    initial: the value shown first (one of ``values``; default ``values[0]``).
    """
    if not callable(draw):
        raise TypeError(f"draw: expected a callable draw(fig, value), got {type(draw).__name__}")
    if not isinstance(label, str) or not label:
        raise TypeError(f"label: expected a non-empty str, got {label!r}")
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
    show = _show_frames if os.environ.get("LSTM_LIB_BOOK") == "1" else _show_live
    show(draw, values, texts, index, label, figsize, dpi)


def _new_figure(figsize, dpi):
    # A Figure outside pyplot: the inline backend does not display it on its own.
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=dpi)


def _draw(fig, draw, value):
    fig.clear()
    draw(fig, value)


def _show_frames(draw, values, texts, index, label, figsize, dpi):
    """jshtml animation with one precomputed frame per value and a caption 'label = value'."""
    import matplotlib
    from IPython.display import HTML, display
    from matplotlib.animation import FuncAnimation

    fig = _new_figure(figsize, dpi)
    anim = FuncAnimation(fig, lambda k: _draw(fig, draw, values[k]), frames=len(values),
                         interval=400, repeat=False)
    # the frames are saved at savefig.dpi, which book.setup() raises for sharp static figures
    with matplotlib.rc_context({"savefig.dpi": dpi}):
        html = _CDN_LINK.sub("", anim.to_jshtml(default_mode="once"))
    # matplotlib names the animation with a random uuid; a counter keeps re-executed
    # notebooks byte-identical and still distinct for several sliders on one page.
    anim_id = f"lstmlib{next(_ids)}"
    html = html.replace(_ANIM_ID.search(html).group(1), anim_id)
    caption = f"_anim_caption{anim_id}"
    html += (
        f'<div id="{caption}" class="lstm-lib-slider-caption"></div>\n'
        '<script language="javascript">\n'
        "  (function() {\n"
        f"    var texts = {_js_strings(f'{label} = {t}' for t in texts)};\n"
        "    setTimeout(function() {  /* after matplotlib's own setTimeout creates the Animation */\n"
        f"      var anim = anim{anim_id};\n"
        "      var set_frame = anim.set_frame;\n"
        "      anim.set_frame = function(frame) {\n"
        "        set_frame.call(this, frame);\n"
        f'        document.getElementById("{caption}").textContent = texts[this.current_frame];\n'
        "      };\n"
        f"      anim.set_frame({index});\n"
        "    }, 0);\n"
        "  })()\n"
        "</script>\n"
    )
    display(HTML(html))


def _js_strings(strings):
    return json.dumps(list(strings), ensure_ascii=False).replace("</", "<\\/")


def _show_live(draw, values, texts, index, label, figsize, dpi):
    """ipywidgets slider; each change redraws the figure with the kernel."""
    import ipywidgets
    from IPython.display import Image, display

    fig = _new_figure(figsize, dpi)
    out = ipywidgets.Output()
    slider = ipywidgets.SelectionSlider(
        options=list(zip(texts, range(len(values)))), value=index, description=label,
        continuous_update=False, style={"description_width": "initial"},
        layout=ipywidgets.Layout(width=f"{max(300, int(figsize[0] * dpi))}px"),
    )

    def show(k):
        _draw(fig, draw, values[k])
        png = io.BytesIO()
        fig.savefig(png, format="png")  # PNG whatever matplotlib backend is active
        with out:
            out.clear_output(wait=True)
            display(Image(png.getvalue()))

    slider.observe(lambda change: show(change["new"]), names="value")
    show(index)
    display(ipywidgets.VBox([slider, out]))
