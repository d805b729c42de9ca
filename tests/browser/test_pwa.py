"""Installable PWA: manifest and icons, service worker, the shell offline, the update prompt,
and the weight of the first load."""
from __future__ import annotations

import gzip
import io

import pytest
import requests
from PIL import Image

from .conftest import login, wait_sw_controlled

pytestmark = pytest.mark.browser


def test_manifest_meets_install_criteria(page, live_server):
    r = requests.get(f"{live_server}/manifest.webmanifest", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/manifest+json")
    m = r.json()
    assert m["name"].startswith("安巡") and m["short_name"] == "安巡"
    assert m["lang"] == "zh-CN" and m["display"] == "standalone"
    assert m["scope"] == "/" and m["start_url"].startswith("/")
    assert m["theme_color"] and m["background_color"]
    icons = {(i["sizes"], i.get("purpose", "any")): i["src"] for i in m["icons"]}
    for key in [("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")]:
        icon = requests.get(live_server + icons[key], timeout=10)
        assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/png"
        size = int(key[0].split("x")[0])
        assert Image.open(io.BytesIO(icon.content)).size == (size, size)

    sw = requests.get(f"{live_server}/sw.js", timeout=10)
    assert sw.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in sw.headers["Cache-Control"]
    assert "anxun-shell-v" in sw.text and "__SHELL_VERSION__" not in sw.text

    page.goto("/")
    wait_sw_controlled(page)
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{live_server}/"
    # Chromium's own verdict on installability (the manifest, icons, service worker).
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito windows, which Chromium never offers to install.
    errors = [e for e in errors if e["errorId"] != "in-incognito"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest.get("errors")


def test_shell_works_offline_and_cleans_old_caches(page, phone, factory, live_server):
    inspector = factory.user("inspector")
    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    caches = page.evaluate("caches.keys()")
    assert len(caches) == 1 and caches[0].startswith("anxun-shell-v")

    # A stale cache of an older version goes away when a worker activates.
    page.evaluate("caches.open('anxun-shell-vold').then((c) => c.put('/x', new Response('old')))")

    phone.set_offline(True)
    phone.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.reload()
    page.wait_for_selector(".scan-hero")  # the home screen, from cache, with the user kept
    assert page.locator("#banner").inner_text().startswith("离线模式")
    # A printed QR code's URL opens the shell too.
    page.goto("/e/some-token")
    page.wait_for_selector("text=当前离线，本机缓存中没有这个二维码")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"

    phone.unroute("**/*")
    phone.set_offline(False)
    # A new version of the worker is installed and waits: the user is asked, and on "reload"
    # it takes over (SKIP_WAITING) and the page reloads. (A new script URL forces the update;
    # the server ignores the query.)
    page.evaluate("""() => { navigator.serviceWorker.register('/sw.js?next=1',
        { scope: '/', type: 'module', updateViaCache: 'none' }); }""")
    page.wait_for_selector("#banner >> text=有新版本可用")
    with page.expect_event("load"):
        page.locator("#banner button").click()
    page.wait_for_selector("text=未找到该二维码对应的企业")  # online now: the server says 404
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js?next=1")
    assert page.evaluate("caches.keys()") == caches  # 'anxun-shell-vold' deleted on activate


def test_choice_labels_on_the_first_offline_open(page, phone, factory):
    """The labels of states, levels, … come from GET /api/v1/choices, which the service worker
    precaches: a phone opened offline with none of it in IndexedDB still shows them."""
    inspector = factory.user("inspector")
    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    page.evaluate("""async () => { const { db } = await import('/static/js/db.js');
        await (await db()).delete('cache', '/api/v1/choices'); }""")
    phone.set_offline(True)
    phone.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.evaluate("location.hash = '#/hazards'")
    page.reload()
    page.wait_for_selector("select[name=state]")
    options = page.locator("select[name=state] option").all_inner_texts()
    assert options[1:] == ["已登记", "整改中", "待复查", "已复查", "已销号", "已归档"], options
    phone.unroute("**/*")
    phone.set_offline(False)


def test_first_load_is_light(page, live_server):
    """Everything the browser fetches to show the login screen, gzip-compressed: ≤150 KB."""
    loaded = []

    def on_response(response):
        url = response.url
        if (url.startswith(live_server) and "/api/" not in url
                and url.split("?")[0] != f"{live_server}/sw.js"):
            try:
                loaded.append((url, response.body()))
            except Exception:  # noqa: BLE001 - redirects have no body
                pass

    page.on("response", on_response)
    page.goto("/")
    page.wait_for_selector("input[name=username]")
    page.wait_for_load_state("networkidle")
    total = sum(len(gzip.compress(body, 9)) for _, body in loaded)
    names = sorted(u.replace(live_server, "") for u, _ in loaded)
    assert "/static/js/app.js" in names and "/static/vendor/jsqr/jsQR.js" not in names
    assert "/static/js/map.js" not in names   # the dashboard imports it when it draws the map
    assert total <= 150 * 1024, (total, names)
