"""Scanning a QR code the app printed, through Chromium's fake camera (a Y4M video made from
the enterprise's qr.png), with jsQR on the camera frames (Linux Chromium has no
BarcodeDetector)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from .conftest import CHROMIUM, CHROMIUM_ARGS, login, new_phone_context

pytestmark = pytest.mark.browser


def y4m_from_png(png: bytes, path, *, width=640, height=480, frames=10):
    """A YUV4MPEG2 (4:2:0) video showing the picture centred on white, as a camera would."""
    qr = Image.open(io.BytesIO(png)).convert("RGB")
    side = int(min(width, height) * 0.8)
    qr = qr.resize((side, side), Image.NEAREST)
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(qr, ((width - side) // 2, (height - side) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = (y.tobytes() + cb.resize(half, Image.BILINEAR).tobytes()
              + cr.resize(half, Image.BILINEAR).tobytes())
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


def test_scan_qr_with_the_camera(playwright_instance, live_server, factory, api_as, tmp_path):
    community = factory.community()
    ent = factory.enterprise(community, name="扫码测试五金厂", risk_level="red")
    inspector = factory.user("inspector", communities=[community])
    api = api_as(inspector)
    png = api.s.get(f"{live_server}/api/v1/enterprises/{ent.id}/qr.png")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    video = tmp_path / "qr.y4m"
    y4m_from_png(png.content, video)

    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        ctx = new_phone_context(browser, live_server)
        ctx.grant_permissions(["camera", "geolocation"])
        page = ctx.new_page()
        login(page, inspector.username, inspector.password)
        page.get_by_role("link", name="扫码检查").click()
        page.wait_for_selector(".scanner video")
        page.wait_for_selector("h2:has-text('扫码测试五金厂')", timeout=20000)
        assert "#/enterprise/" + ent.id in page.url
        assert page.locator(".chip.red").first.inner_text() == "重大风险"
        # The camera is released once the code is read.
        assert page.evaluate("document.querySelector('.scanner video') === null")
    finally:
        browser.close()


def test_manual_code_entry_and_unknown_code(page, factory):
    community = factory.community()
    ent = factory.enterprise(community, name="手输测试商店")
    inspector = factory.user("inspector", communities=[community])
    login(page, inspector.username, inspector.password)
    page.goto("/#/scan")
    page.locator("input[name=code]").fill("no-such-code-123")
    page.get_by_role("button", name="打开企业卡片").click()
    error = page.locator(".form-error")
    error.wait_for()
    assert "未找到" in error.inner_text()
    page.locator("input[name=code]").fill(ent.qr_token)
    page.get_by_role("button", name="打开企业卡片").click()
    page.wait_for_selector("h2:has-text('手输测试商店')")

    # Mangled links (a malformed %-escape) never stop the app (the page fixture asserts that no
    # error escaped): a printed QR link shows the 'unknown code' state, a typed one is refused,
    # an app link with one opens the home screen.
    page.goto("/e/%E0%A4")
    page.wait_for_selector("text=未找到该二维码对应的企业")
    page.goto("/#/scan")
    page.locator("input[name=code]").fill("https://anxun.example/e/%E0%A4")
    page.get_by_role("button", name="打开企业卡片").click()
    page.locator(".form-error >> text=编码格式不正确").wait_for()
    page.goto("/#/hazards/%E0%A4")
    page.wait_for_selector(".scan-hero")
