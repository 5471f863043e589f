"""lstm_lib.widgets.slider_figure: argument checks, the static book's HTML slider, the live ipywidgets one."""
import base64
import io
import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("IPython")
from PIL import Image  # noqa: E402  (matplotlib's dependency)

from lstm_lib import widgets  # noqa: E402
from lstm_lib.widgets import plain_label, slider_figure  # noqa: E402


def draw(fig, scale):
    ax = fig.subplots()
    ax.plot(np.tanh(scale * np.sin(np.linspace(0, 6, 50))))


@pytest.fixture
def shown(monkeypatch):
    """What slider_figure displays, instead of displaying it."""
    import IPython.display

    objects = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: objects.extend(objs))
    return objects


@pytest.fixture
def book(monkeypatch, shown):
    monkeypatch.setenv("LSTM_LIB_BOOK", "1")

    def html(*args, **kwargs):
        shown.clear()
        slider_figure(*args, **kwargs)
        assert len(shown) == 1
        return shown[0].data

    return html


def frames(html):
    return re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html.split("<script>")[1])


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(draw=None), TypeError, r"draw: expected a callable"),
    (dict(values=[]), ValueError, r"values: expected 1 to 30 items, got 0"),
    (dict(values=range(31)), ValueError, r"values: expected 1 to 30 items, got 31"),
    (dict(values=3), TypeError, r"values: expected a sequence .* got int"),
    (dict(label=""), TypeError, r"label: expected a non-empty str"),
    (dict(label=None), TypeError, r"label: expected a non-empty str, got None"),
    (dict(label="$\\sigma"), ValueError, r"label: .*odd number of '\$'"),
    (dict(initial=7), ValueError, r"initial: expected one of values \[0.5, 1.0\], got 7"),
    (dict(alt=""), TypeError, r"alt: expected a non-empty str"),
    (dict(alt=3), TypeError, r"alt: expected a non-empty str .* got 3"),
    (dict(figsize=(7,)), ValueError, r"figsize: expected \(width, height\)"),
    (dict(figsize=(7, -1)), ValueError, r"figsize: expected \(width, height\) .* got \(7, -1\)"),
    (dict(dpi=0), ValueError, r"dpi: expected a number > 0"),
])
def test_bad_arguments(shown, kwargs, error, pattern):
    args = dict(draw=draw, values=[0.5, 1.0], label="scale") | kwargs
    draw_, values = args.pop("draw"), args.pop("values")
    with pytest.raises(error, match=pattern):
        slider_figure(draw_, values, **args)
    assert shown == []


@pytest.mark.parametrize("label, plain", [
    ("$\\sigma_{\\max}(W_{hh})$", "sigma_max(W_hh)"),
    ("forget-gate bias $b_{\\text{for}}$", "forget-gate bias b_textfor"),
    ("look_back", "look_back"),
    ("$\\left\\lVert W \\right\\rVert$", "lVert W rVert"),
])
def test_plain_label(label, plain):
    assert plain_label(label) == plain


def test_book_slider_html(book):
    html = book(draw, [0.5, 1.0, 2.0], label="$\\sigma_{\\max}(W_{hh})$", initial=1.0,
                alt="tanh of a scaled sine", figsize=(4, 2), dpi=50)
    # one <img>, showing the initial frame, with alt text that describes it and names the value
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 1
    assert 'alt="tanh of a scaled sine (sigma_max(W_hh) = 1)"' in imgs[0]
    assert 'width="200" height="100"' in imgs[0]
    # the label typeset by the page's MathJax, the value beside it
    assert ('<span class="math notranslate nohighlight">\\(\\sigma_{\\max}(W_{hh})\\)</span> = '
            '<span class="lstm-lib-slider-value">1</span>') in html
    # previous and next buttons, a range over the three values, nothing else to press
    assert len(re.findall(r"<button ", html)) == 2
    assert 'class="lstm-lib-slider-previous"' in html and 'class="lstm-lib-slider-next"' in html
    assert 'type="range" class="lstm-lib-slider-range" min="0" max="2" step="1" value="1"' in html
    assert "Once" not in html and "Loop" not in html and "https://" not in html
    # every frame: a PNG at twice the displayed size, each with its own alt text
    pngs = [Image.open(io.BytesIO(base64.b64decode(f))) for f in frames(html)]
    assert [p.size for p in pngs] == [(400, 200)] * 3
    assert '"alts": ["tanh of a scaled sine (sigma_max(W_hh) = 0.5)", ' in html
    assert '"values": ["0.5", "1", "2"]' in html


def test_book_slider_defaults(book):
    html = book(draw, [1, 2], label="hidden units")
    assert 'alt="Figure for hidden units = 1"' in html
    assert "previous value" in html and " disabled>" in html  # at the first value, previous is disabled
    width, height = widgets.FIGURE_WIDTH * widgets.FIGURE_DPI, widgets.FIGURE_WIDTH / 2 * widgets.FIGURE_DPI
    assert f'width="{round(width)}" height="{round(height)}"' in html
    assert Image.open(io.BytesIO(base64.b64decode(frames(html)[0]))).size == (2 * round(width), 2 * round(height))


def test_book_slider_is_deterministic_small_and_distinct(book):
    first = book(draw, [0.5, 1.0, 2.0, 4.0], label="scale")
    second = book(draw, [0.5, 1.0, 2.0, 4.0], label="scale")
    ids = [re.search(r'id="(lstm-lib-slider-\d+)"', h).group(1) for h in (first, second)]
    assert ids[0] != ids[1]  # two sliders on one page do not collide
    assert first.replace(ids[0], "ID") == second.replace(ids[1], "ID")  # nothing random
    assert max(len(f) for f in frames(first)) < 60_000  # palette PNGs: ~20 KB for a line plot


def test_book_slider_escapes_text(book):
    html = book(draw, [1], label="a <b> & c", fmt="<{}>")
    markup, script = html.split("<script>")
    assert "a &lt;b&gt; &amp; c = " in markup and "&lt;1&gt;</span>" in markup and "<b>" not in markup
    assert '"Figure for a \\u003cb> & c = \\u003c1>"' in script and "<b>" not in script


def test_draw_errors_propagate(book):
    def broken(fig, value):
        raise RuntimeError("draw failed")

    with pytest.raises(RuntimeError, match="draw failed"):
        book(broken, [1, 2], label="x")


def test_live_slider(monkeypatch, shown):
    ipywidgets = pytest.importorskip("ipywidgets")
    monkeypatch.delenv("LSTM_LIB_BOOK", raising=False)
    slider_figure(draw, [0.5, 1.0, 2.0], label="$\\sigma_{\\max}(W_{hh})$", initial=2.0)
    (box,) = [obj for obj in shown if isinstance(obj, ipywidgets.VBox)]
    slider, out = box.children
    assert isinstance(slider, ipywidgets.SelectionSlider) and isinstance(out, ipywidgets.Output)
    assert slider.description == "$\\sigma_{\\max}(W_{hh})$"  # ipywidgets typesets $...$ in descriptions
    assert [label for label, _ in slider.options] == ["0.5", "1", "2"]
    assert slider.value == 2
