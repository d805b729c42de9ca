"""Browser tests: Debian's Chromium driven by Playwright against the real app (``live_server``).

Never downloads a browser: ``/usr/bin/chromium`` is launched directly. Each test gets a fresh
browser context (its own storage, service worker and IndexedDB) at phone size.

``ANXUN_SCREENS_DIR=docs/screens`` makes the screenshot test write the README's pictures there.
"""
from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
import requests

from config import test_database_kind

# Requests made by the service worker (Background Sync, update checks) go through
# context.route too, so that "the server is unreachable" holds for the whole app.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
# A phone's two device pixels per CSS pixel only where the pictures are kept (docs/screens):
# elsewhere Chromium would raster four times the pixels for screenshots nobody looks at, and
# rastering is most of what the browser tests cost on two cores. Layout is in CSS pixels either way.
SCALE = 2 if os.environ.get("ANXUN_SCREENS_DIR") else 1
# How long a step may take before the test fails: generous, as a screen can take several
# seconds on two busy cores (CI shares its machine), and a step that passes waits no longer.
TIMEOUT_MS = 30000
PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
# The enterprises of these tests stand here; the inspector's phone reports this position.
SITE = {"lat": 29.533, "lng": 106.5}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "screens: takes the README's screenshots (docs/screens); run on SQLite only")


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"{CHROMIUM} missing (make system-deps installs it)")
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(skip)
    # The screenshot tests walk screens the other browser tests walk on both engines; taken
    # twice they cost a minute of `make test`'s twenty for the same pictures.
    if test_database_kind() == "postgresql":
        once = pytest.mark.skip(reason="screenshots are taken on SQLite; the screens' flows run "
                                       "on PostgreSQL in the other browser tests")
        for item in items:
            if item.get_closest_marker("screens"):
                item.add_marker(once)


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


def new_phone_context(browser, base_url, *, locale="zh-CN", position=SITE, **kw):
    ctx = browser.new_context(
        base_url=base_url, viewport=PHONE, device_scale_factor=SCALE, is_mobile=True,
        has_touch=True,
        locale=locale, timezone_id="Asia/Shanghai",
        geolocation={"latitude": position["lat"], "longitude": position["lng"], "accuracy": 15},
        permissions=["geolocation"], **kw)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone: a browser context at 390×844 with GPS at the test site."""
    ctx = new_phone_context(browser, live_server)
    yield ctx
    ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(phone, request, tmp_path_factory):
    pg = phone.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot = tmp_path_factory.mktemp("failure") / f"{request.node.name}.png"
        try:
            pg.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failure: {shot}")
        except Exception:  # noqa: BLE001 - the page may be gone
            pass
    assert not errors, f"uncaught errors in the page: {errors}"


# --------------------------------------------------------------------------- helpers
@pytest.fixture
def folder(tmp_path):
    """Where a test's screenshots go: ANXUN_SCREENS_DIR (docs/screens when regenerating them),
    else the test's own temporary folder."""
    target = os.environ.get("ANXUN_SCREENS_DIR")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def login(page, username, password, *, path="/"):
    page.goto(path)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("#tabbar:not([hidden])")


def wait_for_js(page, expression, timeout=TIMEOUT_MS / 1000, message=None):
    """Poll a JS expression (page.wait_for_function would need 'unsafe-eval', which the app's
    Content-Security-Policy rightly forbids)."""
    return wait_until(lambda: page.evaluate(f"async () => ({expression})"), timeout=timeout,
                      message=message or expression)


def wait_sw_controlled(page, timeout=TIMEOUT_MS / 1000):
    wait_for_js(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)", timeout)


def outbox_count(page) -> int:
    """Items in the phone's outbox, read from IndexedDB."""
    return page.evaluate("""async () => {
        const { db } = await import('/static/js/db.js');
        return (await (await db()).getAll('outbox')).length;
    }""")


def outbox_items(page) -> list[dict]:
    return page.evaluate("""async () => {
        const { db } = await import('/static/js/db.js');
        return (await (await db()).getAll('outbox'))
            .map(({photo, ...i}) => ({...i, photo: !!photo}));
    }""")


def wait_until(predicate, timeout=30.0, interval=0.25, message="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


class Api:
    """A requests session logged in to the live server (to arrange and check data)."""

    def __init__(self, base, username, password):
        self.base = base
        self.s = requests.Session()
        r = self.s.post(f"{base}/api/v1/auth/login",
                        json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        self.s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        self.user = r.json()["user"]

    def get(self, path, **kw):
        r = self.s.get(self.base + path, **kw)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r.json()

    def post(self, path, **kw):
        r = self.s.post(self.base + path, **kw)
        assert r.status_code in (200, 201), (path, r.status_code, r.text[:500])
        return r.json()

    def patch(self, path, **kw):
        r = self.s.patch(self.base + path, **kw)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r.json()


@pytest.fixture
def api_as(live_server):
    def make(user):
        return Api(live_server, user.username, user.password)
    return make


def jpeg_with_gps(width=4000, height=3000, lat=29.5331, lng=106.5002,
                  when="2026:11:20 10:30:00") -> bytes:
    """A 12 MP camera-like JPEG with EXIF GPS and DateTimeOriginal (made with Pillow)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for i in range(0, width, 40):  # texture, so the JPEG has a realistic size
        draw.line([(i, 0), (width - i, height)], fill=(i % 255, (i * 7) % 255, (i * 13) % 255),
                  width=9)
    for j in range(0, height, 55):
        draw.rectangle([j % width, j, j % width + 300, j + 30], fill=((j * 3) % 255, 120, 200))

    def dms(value):
        value = abs(value)
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60 * 10000)
        return ((d, 1), (m, 1), (s, 10000))

    exif = Image.Exif()
    exif[0x0112] = 1
    exif[0x0132] = when
    exif.get_ifd(0x8769)[0x9003] = when
    gps = exif.get_ifd(0x8825)
    gps[1] = "N" if lat >= 0 else "S"
    gps[2] = tuple(v[0] / v[1] for v in dms(lat))
    gps[3] = "E" if lng >= 0 else "W"
    gps[4] = tuple(v[0] / v[1] for v in dms(lng))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def text_of(page, selector):
    return re.sub(r"\s+", " ", page.locator(selector).inner_text()).strip()
