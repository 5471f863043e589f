"""Browser test of the built book: headless Debian Chromium, driven by playwright.

Serves _build/html from 127.0.0.1 and opens every page at 1280 px: no console errors, no
request to a host other than localhost, math typeset by MathJax, no display equation wider
than its box, every image loaded, no nbval marker in the text, no matplotlib jshtml player.
Chapter pages: every image has a caption and alt text that describes it (not a file path)
and is a 2x PNG. At 390 px (a phone) no page scrolls sideways and nothing is cut off at the
edge (code, math and tables may scroll in their own boxes), and every slider fits the screen.
Moving a slider (lstm_lib.widgets.slider_figure) changes the figure, its alt text and its
caption. `make test` builds the book and installs chromium first, and sets
BROWSER_TEST_REQUIRED=1 so that a missing site or browser fails instead of skipping.
"""

import functools
import http.server
import os
import re
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
PHONE = {"width": 390, "height": 844}
REQUIRED = os.environ.get("BROWSER_TEST_REQUIRED") == "1"
PAGES = sorted(
    p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
    if not p.relative_to(SITE).parts[0].startswith("_")
) if SITE.is_dir() else []
CHAPTER_PAGES = [p for p in PAGES if p.startswith("chapters/")]
SLIDER_PAGES = [p for p in PAGES if 'class="lstm-lib-slider"' in (SITE / p).read_text(encoding="utf-8")]


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

    def __init__(self, context, url, viewport=None):
        self.errors, self.external = [], []
        self.page = context.new_page()
        if viewport:
            self.page.set_viewport_size(viewport)
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

    def open_page(path, viewport=None):
        visits.append(Visit(context, base_url + path, viewport))
        return visits[-1]

    yield open_page
    for v in visits:
        v.page.close()


# Display equations whose typeset width exceeds their box: either the box scrolls (its
# scrollWidth > clientWidth) or it sticks out of its parent. Each as "TeX... (content px in box px)".
WIDE_EQUATIONS = r"""() => {
  const items = window.MathJax?.startup?.document?.getMathItemsWithin?.(document.body) ?? [];
  const tex = new Map(items.map(item => [item.typesetRoot, item.math]));
  return [...document.querySelectorAll('mjx-container[display="true"]')].flatMap(box => {
    const room = Math.min(box.clientWidth, box.parentElement.clientWidth);
    const need = Math.max(box.scrollWidth, box.getBoundingClientRect().width);
    if (room === 0 || need <= room + 1) return [];
    const source = (tex.get(box) ?? box.textContent).replace(/\s+/g, " ").trim();
    return [`${source.slice(0, 80)} (${Math.round(need)} px in ${room} px)`];
  });
}"""

# Every <img> of the article: its alt text, sizes and whether a <figure> gives it a caption.
ARTICLE_IMAGES = r"""() => [...document.querySelectorAll(".bd-article img")].map(img => ({
  src: img.getAttribute("src").slice(0, 60),
  alt: img.getAttribute("alt"),
  natural: img.naturalWidth,
  shown: img.getBoundingClientRect().width,
  caption: (img.closest("figure")?.querySelector("figcaption")?.textContent ?? "").trim(),
}))"""

# Elements of the article that reach past the viewport's left or right edge without being
# inside a box that scrolls sideways and itself fits: what a phone reader cannot see or
# reach. Only the outermost such element is listed, as "tag.class: text...".
CUT_OFF = r"""() => {
  const W = document.documentElement.clientWidth;
  const fits = r => r.left >= -1 && r.right <= W + 1;
  const scroller = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(a).overflowX)) return a;
    }
    return null;
  };
  const bad = new Set();
  for (const el of document.querySelectorAll(".bd-article *")) {
    if (el.closest("mjx-assistive-mml")) continue;  // MathJax's off-screen copy for screen readers
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || fits(r)) continue;
    const box = scroller(el);
    if (box && fits(box.getBoundingClientRect())) continue;
    bad.add(el);
  }
  return [...bad].filter(el => !bad.has(el.parentElement)).map(el => {
    const r = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.classList.length ? "." + [...el.classList].join(".") : "");
    return `${name} [${Math.round(r.left)}..${Math.round(r.right)} px]: ${el.textContent.replace(/\s+/g, " ").trim().slice(0, 60)}`;
  });
}"""

# Sliders (lstm_lib's, and matplotlib jshtml players): any part of one outside the text
# column (the article's content box, within the viewport), where it would be clipped or need
# sideways scrolling, and sliders taller than the screen.
SLIDERS_OFF_SCREEN = r"""() => {
  const W = document.documentElement.clientWidth, H = window.innerHeight;
  const article = document.querySelector(".bd-article");
  if (!article) return [];
  const style = getComputedStyle(article), a = article.getBoundingClientRect();
  const left = Math.max(0, a.left + parseFloat(style.paddingLeft)), right = Math.min(W, a.right - parseFloat(style.paddingRight));
  return [...document.querySelectorAll(".lstm-lib-slider, .bd-article div.animation")].flatMap((s, k) => {
    const problems = [s, ...s.querySelectorAll("img, input, button")].flatMap(el => {
      const r = el.getBoundingClientRect();
      return r.left < left - 1 || r.right > right + 1
        ? [`${el.tagName.toLowerCase()} spans ${Math.round(r.left)}..${Math.round(r.right)} px`] : [];
    });
    const height = s.getBoundingClientRect().height;
    if (height > H) problems.push(`${Math.round(height)} px tall, the screen is ${H}`);
    return problems.length ? [`slider ${k + 1} (column ${Math.round(left)}..${Math.round(right)} px): ${problems.join(", ")}`] : [];
  });
}"""


def path_like(alt):
    """True if ``alt`` names a file rather than describing a picture (what docutils writes by default)."""
    alt = (alt or "").strip()
    return not alt or re.fullmatch(r"\S+", alt) is not None and ("/" in alt or re.search(r"\.(png|jpe?g|gif|svg|webp)$", alt, re.I) is not None)


def test_path_like():
    assert path_like("../_images/3f2a.png") and path_like("") and path_like(None) and path_like("fig.svg")
    assert not path_like("The loss falls from 0.5 to 0.01 in 30 epochs")


@pytest.mark.parametrize("path", PAGES or ["index.html"])
def test_page(visit, path):
    v = visit(path)
    page = v.page
    assert v.errors == [], f"console errors on {path}: {v.errors}"
    assert v.external == [], f"{path} requested hosts other than localhost"

    n_math = page.locator(".math").count()
    typeset = page.locator(".math mjx-container").count()
    assert typeset >= n_math, f"{path}: {n_math - typeset} of {n_math} math elements not typeset"
    assert page.locator("mjx-merror").count() == 0, f"{path}: MathJax reported a TeX error"

    broken = page.evaluate("() => [...document.images].filter(i => !i.naturalWidth).map(i => i.src.slice(0, 80))")
    assert broken == [], f"{path}: images that did not load"

    problems = []
    wide = page.evaluate(WIDE_EQUATIONS)
    if wide:
        problems.append(f"{len(wide)} display equation(s) wider than the column at 1280 px "
                        f"(break them with aligned): {wide}")
    text = page.evaluate("() => (document.querySelector('.bd-article') ?? document.body).textContent")
    nbval = sorted({line.strip()[:80] for line in text.splitlines() if "NBVAL" in line})
    if nbval:
        problems.append(f"nbval markers in the page text (use cell tags such as nbval-ignore-output): {nbval}")
    players = page.locator(".anim-state").count()
    if players:
        problems.append(f"{players} matplotlib jshtml player(s) with Once/Loop/Reflect controls; "
                        "lstm_lib.widgets.slider_figure shows previous/next only (re-execute the notebook)")
    if problems:
        pytest.fail(f"{path}:\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("path", CHAPTER_PAGES or ["index.html"])
def test_chapter_images(visit, path):
    if not CHAPTER_PAGES:
        unavailable(f"no chapter pages in {SITE}: run `make book` (or `make test`)")
    images = visit(path).page.evaluate(ARTICLE_IMAGES)
    problems = []
    no_alt = [f"{i['src']}... alt={i['alt']!r}" for i in images if path_like(i["alt"])]
    if no_alt:
        problems.append(f"{len(no_alt)} of {len(images)} images have no alt text or a file path as alt text: {no_alt}")
    no_caption = [f"{i['src']}... alt={(i['alt'] or '')[:50]!r}" for i in images if not i["caption"]]
    if no_caption:
        problems.append(f"{len(no_caption)} of {len(images)} images have no figure caption: {no_caption}")
    blurry = [f"{i['src']}... {i['natural']} px wide, shown at {i['shown']:.0f} px" for i in images
              if i["shown"] > 0 and not i["src"].startswith("data:image/svg") and not i["src"].endswith(".svg")
              and i["natural"] < 1.9 * i["shown"]]
    if blurry:
        problems.append(f"{len(blurry)} of {len(images)} images are drawn at less than 2x their displayed size: {blurry}")
    if problems:
        pytest.fail(f"{path}:\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("path", PAGES or ["index.html"])
def test_page_on_a_phone(visit, path):
    page = visit(path, PHONE).page
    problems = []
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1] + 1:
        problems.append(f"the page scrolls sideways ({width[0]} px wide)")
    cut = page.evaluate(CUT_OFF)
    if cut:
        problems.append(f"{len(cut)} element(s) cut off at the screen's edge (not in a box that scrolls): {cut}")
    off = page.evaluate(SLIDERS_OFF_SCREEN)
    if off:
        problems.append(f"sliders that do not fit the screen: {off}")
    if problems:
        pytest.fail(f"{path} at {PHONE['width']} px:\n" + "\n".join(problems), pytrace=False)


def test_some_page_has_a_slider():
    if not PAGES:
        unavailable(f"no built book at {SITE}: run `make book` (or `make test`)")
    assert SLIDER_PAGES, "no page has a slider of lstm_lib.widgets.slider_figure"


@pytest.mark.parametrize("path", SLIDER_PAGES or ["index.html"])
def test_slider_changes_figure(visit, path):
    if not SLIDER_PAGES:
        unavailable("no page has a slider of lstm_lib.widgets.slider_figure")
    page = visit(path).page
    sliders = page.locator(".lstm-lib-slider")
    for k in range(sliders.count()):
        root = sliders.nth(k)
        image, value, slider = root.locator("img"), root.locator(".lstm-lib-slider-value"), root.locator("input[type=range]")
        buttons = root.locator("button")
        assert buttons.count() == 2, f"{path}: slider {k} has {buttons.count()} buttons, expected previous and next"
        for b in range(2):
            box = buttons.nth(b).bounding_box()
            assert box and box["width"] > 0 and buttons.nth(b).text_content().strip(), f"{path}: slider {k} button {b} not drawn"
        natural, shown = image.evaluate("(img) => [img.naturalWidth, img.getBoundingClientRect().width]")
        assert natural >= 1.9 * shown, f"{path}: slider {k} frame is {natural} px wide, shown at {shown:.0f} px (expected 2x)"
        if slider.get_attribute("max") == "0":
            continue

        def state():
            return image.get_attribute("src"), image.get_attribute("alt"), value.text_content()

        before = state()
        at_end = slider.input_value() == slider.get_attribute("max")
        slider.scroll_into_view_if_needed()
        slider.focus()
        page.keyboard.press("Home" if at_end else "End")  # a real input event, as from a reader
        after = state()
        assert after[0] != before[0], f"{path}: slider {k} moved but the figure did not change"
        assert after[1] != before[1], f"{path}: slider {k} moved but the image's alt text did not change"
        assert after[2] != before[2], f"{path}: slider {k} moved but its caption did not change"
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        root.locator(".lstm-lib-slider-next" if at_end else ".lstm-lib-slider-previous").click()
        assert state() != after, f"{path}: slider {k}'s {'next' if at_end else 'previous'} button did not change the figure"
