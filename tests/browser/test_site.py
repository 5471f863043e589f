"""Browser test of the built book: headless Debian Chromium, driven by playwright.

Serves _build/html from 127.0.0.1 and opens every page: no console errors, no request to
a host other than localhost, math typeset by MathJax, every image loaded, jshtml slider
buttons drawn; moving a slider changes the figure. `make test` builds the book and
installs chromium first, and sets BROWSER_TEST_REQUIRED=1 so that a missing site or
browser fails instead of skipping.
"""

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SITE = Path(__file__).resolve().parents[2] / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
REQUIRED = os.environ.get("BROWSER_TEST_REQUIRED") == "1"
PAGES = sorted(
    p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
    if not p.relative_to(SITE).parts[0].startswith("_")
) if SITE.is_dir() else []


def unavailable(reason):
    (pytest.fail if REQUIRED else pytest.skip)(reason)


@pytest.fixture(scope="module")
def base_url():
    if not (SITE / "index.html").is_file():
        unavailable(f"no built book at {SITE}: run `make book` (or `make test`)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh --user-data-dir
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield ctx
        ctx.close()


class Visit:
    """One page opened in the browser, with what it logged and requested."""

    def __init__(self, context, url):
        self.errors, self.external = [], []
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="networkidle")
        # MathJax typesets asynchronously; its startup promise settles when it is done.
        self.page.evaluate("() => window.MathJax?.startup?.promise")
        self.page.wait_for_function("() => [...document.images].every(i => i.complete && i.src)")

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


@pytest.fixture
def visit(context, base_url):
    visits = []

    def open_page(path):
        visits.append(Visit(context, base_url + path))
        return visits[-1]

    yield open_page
    for v in visits:
        v.page.close()


@pytest.mark.parametrize("path", PAGES or ["index.html"])
def test_page(visit, path):
    v = visit(path)
    page = v.page
    assert v.errors == [], f"console errors on {path}"
    assert v.external == [], f"{path} requested hosts other than localhost"

    n_math = page.locator(".math").count()
    typeset = page.locator(".math mjx-container").count()
    assert typeset >= n_math, f"{path}: {n_math - typeset} of {n_math} math elements not typeset"
    assert page.locator("mjx-merror").count() == 0, f"{path}: MathJax reported a TeX error"

    broken = page.evaluate("() => [...document.images].filter(i => !i.naturalWidth).map(i => i.src.slice(0, 80))")
    assert broken == [], f"{path}: images that did not load"

    # jshtml buttons: Font Awesome <i class="fa ..."> icons, drawn by the theme's bundled
    # fontawesome.js as inline SVG (the CDN stylesheet link is stripped by slider_figure).
    buttons = page.locator(".anim-buttons button")
    for k in range(buttons.count()):
        box = buttons.nth(k).locator("svg").bounding_box()
        assert box and box["width"] > 0, f"{path}: slider button {k} has no icon"


SLIDER_PAGES = [p for p in PAGES if "anim-slider" in (SITE / p).read_text(encoding="utf-8")]


def test_some_page_has_a_slider():
    if not PAGES:
        unavailable(f"no built book at {SITE}: run `make book` (or `make test`)")
    assert SLIDER_PAGES, "no page has a jshtml slider (lstm_lib.widgets.slider_figure)"


@pytest.mark.parametrize("path", SLIDER_PAGES or ["index.html"])
def test_slider_changes_figure(visit, path):
    if not SLIDER_PAGES:
        unavailable("no page has a jshtml slider")
    page = visit(path).page
    sliders = page.locator("input.anim-slider")
    for k in range(sliders.count()):
        slider = sliders.nth(k)
        anim_id = slider.get_attribute("id").removeprefix("_anim_slider")
        image = page.locator(f"#_anim_img{anim_id}")
        caption = page.locator(f"#_anim_caption{anim_id}")  # added by slider_figure
        has_caption = caption.count() == 1
        before = image.get_attribute("src"), has_caption and caption.text_content()
        at_end = slider.input_value() == slider.get_attribute("max")
        slider.scroll_into_view_if_needed()
        slider.focus()
        page.keyboard.press("Home" if at_end else "End")  # a real input event, as from a reader
        after = image.get_attribute("src"), has_caption and caption.text_content()
        assert after[0] != before[0], f"{path}: slider {k} moved but the figure did not change"
        assert not has_caption or after[1] != before[1], f"{path}: slider {k} caption did not change"
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
