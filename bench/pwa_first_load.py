"""How fast the PWA becomes usable on a throttled mid-range phone profile.

    .venv/bin/python bench/pwa_first_load.py [BASE_URL] [USERNAME PASSWORD]

Against a running server (`make run`: http://127.0.0.1:5000, demo login inspector). Chromium
(Debian's /usr/bin/chromium) with CPU slowed 4× and a weak mobile link (1.6 Mbit/s down,
750 kbit/s up, 150 ms round trip). Prints, in milliseconds:
  cold   first visit, empty caches: navigation → login form usable
  bytes  what that first visit transferred (compressed as sent)
  warm   next visit, shell from the service worker: navigation → login form usable
  home   logged in, shell from the service worker: navigation → inspector home usable
Figures go into bench/RESULTS.md by hand; tests never assert timings.
"""
from __future__ import annotations

import sys
import time

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
USER, PASSWORD = ((sys.argv[2], sys.argv[3]) if len(sys.argv) > 3
                  else ("inspector", "anxun-check-2023"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
           "uploadThroughput": 750_000 / 8}


def throttle(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    return cdp


def timed(page, url, selector):
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(selector)
    return (time.perf_counter() - start) * 1000


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
        page = ctx.new_page()
        cdp = throttle(page)
        sent = []
        cdp.on("Network.loadingFinished", lambda e: sent.append(e.get("encodedDataLength", 0)))
        cold = timed(page, BASE + "/", "input[name=username]")
        page.wait_for_load_state("networkidle")
        transferred = sum(sent)
        deadline = time.time() + 30
        controlled = "() => !!navigator.serviceWorker.controller"
        while time.time() < deadline and not page.evaluate(controlled):
            time.sleep(0.2)
        warm = timed(page, BASE + "/", "input[name=username]")
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_selector(".scan-hero")
        home = timed(page, BASE + "/", ".scan-hero")
        print(f"cold {cold:.0f} ms · bytes {transferred / 1024:.0f} KB · warm {warm:.0f} ms · "
              f"home {home:.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()
