"""Photos from real phones through the hazard form: an EXIF-rotated JPEG arrives upright with
its GPS kept; an iPhone HEIC, which Chromium cannot decode, is sent as it is."""
from __future__ import annotations

import hashlib

import pytest

from .conftest import PHOTOS, login

pytestmark = pytest.mark.browser


def test_rotated_jpeg_and_heic(page, factory, api_as, live_server):
    community = factory.community()
    ent = factory.enterprise(community, name="照片测试厂")
    inspector = factory.user("inspector", communities=[community])
    api = api_as(inspector)
    login(page, inspector.username, inspector.password)
    page.goto(f"/e/{ent.qr_token}")
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    page.get_by_role("link", name="登记隐患").click()
    page.locator("input[name=title]").fill("照片测试")
    page.locator("select[name=category]").select_option("fire")
    page.locator("input[type=file]").set_input_files(
        [str(PHOTOS / "landscape_6.jpg"), str(PHOTOS / "DSCN0010.jpg"),
         str(PHOTOS / "iphone_13_pro_max.HEIC")])
    page.locator(".thumb img").nth(2).wait_for()
    page.get_by_role("button", name="保存隐患").click()
    page.wait_for_selector("text=已同步", timeout=60000)

    [hz] = api.get(f"/api/v1/hazards?enterprise_id={ent.id}")["items"]
    by_size = sorted(api.get(f"/api/v1/hazards/{hz['id']}")["photos"], key=lambda p: p["size"])
    assert len(by_size) == 3
    heic = next(p for p in by_size if "hei" in p["mime"])
    original = (PHOTOS / "iphone_13_pro_max.HEIC").read_bytes()
    assert heic["sha256"] == hashlib.sha256(original).hexdigest()  # byte for byte
    jpegs = [p for p in by_size if p["mime"] == "image/jpeg"]
    dims = sorted((p["width"], p["height"]) for p in jpegs)
    assert (600, 450) in dims  # landscape_6.jpg: stored 450×600 with Orientation 6, sent upright
    gps = [p["exif_location"] for p in jpegs if p["exif_location"]]
    assert any(abs(g["lat"] - 43.467448) < 1e-4 and abs(g["lng"] - 11.885127) < 1e-4 for g in gps)
