"""Deadlines, listed supervision and evidence flags in the app (issue 17): a reviewer sees the
flags on the verify screen and overrides them with a note; an officer asks for an extension,
a supervisor approves it and lists a major hazard. Screens at 390×844 and 1280×800
(``ANXUN_SCREENS_DIR=docs/screens`` writes the README's pictures)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .conftest import PHONE, PHOTOS, SITE, login, new_phone_context, outbox_items, wait_until
from .test_screens import DESK, check

pytestmark = pytest.mark.browser


def both(page, folder, name, ready):
    """The screen at a phone's size and at a desk's (the layout redraws on resize); the desk's
    picture one pixel per CSS pixel, like tests/browser/test_screens.py's."""
    for size, suffix, scale in ((PHONE, "", "device"), (DESK, "-desk", "css")):
        page.set_viewport_size(size)
        page.wait_for_selector(ready)
        page.evaluate("window.scrollTo(0, 0)")
        check(page, f"{name}{suffix}")
        page.screenshot(path=str(folder / f"{name}{suffix}.png"), scale=scale)
    page.set_viewport_size(PHONE)


@pytest.fixture
def street(factory, api_as):
    community = factory.community(name="乌龙社区")
    ent = factory.enterprise(community, name="重庆乌龙精细化工有限公司", lat=SITE["lat"],
                             lng=SITE["lng"], risk_level="orange")
    inspector = factory.user("inspector", communities=[community],
                             display_name="祁旭（综合执法队）")
    officer = factory.user("officer", enterprise=ent, display_name="周敏")
    supervisor = factory.user("supervisor", communities=[community], display_name="街道安委办")
    return {"ent": ent, "inspector": inspector, "officer": officer, "supervisor": supervisor,
            "api": api_as(inspector), "officer_api": api_as(officer),
            "supervisor_api": api_as(supervisor)}


def test_a_reviewer_sees_the_flags_and_overrides_them_with_a_note(page, street, folder):
    now = datetime.now(timezone.utc)
    api, officer_api = street["api"], street["officer_api"]
    hz = api.post("/api/v1/hazards", json={
        "enterprise_id": street["ent"].id, "title": "车间安全出口堆放杂物", "category": "fire",
        "level": "general", "found_at": now.isoformat(), "place": "二号车间"})
    # The officer hands in a photo taken in 2008, in Italy (its EXIF says so).
    with open(PHOTOS / "DSCN0010.jpg", "rb") as f:
        officer_api.post("/api/v1/photos", data={"hazard_id": hz["id"], "kind": "rectification"},
                         files={"file": ("fix.jpg", f, "image/jpeg")})
    officer_api.post(f"/api/v1/hazards/{hz['id']}/transitions",
                     json={"action": "submit", "version": hz["version"]})

    login(page, street["inspector"].username, street["inspector"].password)
    page.goto(f"/#/hazards/{hz['id']}/do/verify")
    flags = page.locator("[data-testid=evidence-flags]")
    flags.wait_for()
    assert flags.locator("[data-flag]").count() == 2
    assert "早于隐患的发现时间" in flags.inner_text() and "公里" in flags.inner_text()
    assert page.locator(".thumb.flagged .flag-mark").count() == 1
    both(page, folder, "23-verify-flags", "[data-testid=evidence-flags]")

    # Without a note the step is not taken: the note is asked for, under its field.
    page.get_by_role("button", name="复查通过").click()
    assert "复查通过须在说明中写明核实情况" in page.locator(".field-error").inner_text()
    assert api.get(f"/api/v1/hazards/{hz['id']}")["state"] == "submitted"
    page.locator("textarea[name=note]").fill("现场复查，出口已清理畅通；照片系误传旧图，已当场拍照留存")
    page.get_by_role("button", name="复查通过").click()
    page.wait_for_selector(".chip.state-verified")
    after = wait_until(lambda: (lambda x: x if x["state"] == "verified" else None)(
        api.get(f"/api/v1/hazards/{hz['id']}")), message="verified on the server")
    assert all(not f["standing"] for f in after["evidence_flags"])
    page.wait_for_selector("[data-testid=evidence-flags] >> text=复查时说明")


def test_an_extension_asked_approved_and_a_major_hazard_listed(browser, live_server, page,
                                                               street, folder):
    now = datetime.now(timezone.utc)
    api = street["api"]
    general = api.post("/api/v1/hazards", json={
        "enterprise_id": street["ent"].id, "title": "配电柜防护等级不足", "category": "electrical",
        "level": "general", "found_at": now.isoformat(),
        "deadline": (now + timedelta(days=3)).isoformat()})
    major = api.post("/api/v1/hazards", json={
        "enterprise_id": street["ent"].id, "title": "液氨储罐区未设置泄漏报警装置",
        "category": "chemicals", "level": "major", "found_at": now.isoformat(),
        "place": "东侧储罐区"})
    wanted = (now + timedelta(hours=8) + timedelta(days=25)).date().isoformat()

    # The officer asks for more time.
    login(page, street["officer"].username, street["officer"].password)
    page.goto(f"/#/hazards/{general['id']}")
    page.locator("[data-action=request_extension]").click()
    page.locator("input[name=new_deadline]").fill(wanted)
    page.locator("textarea[name=reason]").fill("防爆配电柜已向厂家订货，交货期约 20 天")
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "portrait_8.jpg"))
    page.wait_for_selector(".thumb img")
    both(page, folder, "24-extension-request", "textarea[name=reason]")
    page.get_by_role("button", name="提交延期申请").click()
    wait_until(lambda: street["officer_api"].get(
        f"/api/v1/hazards/{general['id']}/extensions")["total"],
        message=f"the request on the server: {outbox_items(page)}")
    page.wait_for_selector("[data-testid=extensions] .chip.ext-pending")
    page.wait_for_selector("[data-blocked=request_extension]")

    # The supervisor approves it, then lists the major hazard.
    ctx = new_phone_context(browser, live_server)
    try:
        sp = ctx.new_page()
        login(sp, street["supervisor"].username, street["supervisor"].password)
        wait_until(lambda: street["supervisor_api"].get(
            f"/api/v1/hazards/{general['id']}/extensions")["total"], message="request synced")
        sp.goto(f"/#/hazards/{general['id']}")
        sp.locator("[data-decide=approve]").click()
        sp.wait_for_selector("[data-testid=extension-request]")
        sp.locator("textarea[name=note]").fill("同意延期，请按期完成并提交整改照片")
        both(sp, folder, "25-extension-approval", "[data-testid=extension-request]")
        sp.get_by_role("button", name="批准延期").click()
        sp.wait_for_selector("[data-testid=extensions] .chip.ext-approved")
        moved = street["supervisor_api"].get(f"/api/v1/hazards/{general['id']}")
        assert (datetime.fromisoformat(moved["deadline"]) + timedelta(hours=8)).date().isoformat() \
            == wanted

        sp.goto(f"/#/hazards/{major['id']}")
        sp.locator("[data-action=list]").click()
        sp.locator("input[name=unit]").fill("乌龙街道安全生产委员会办公室")
        sp.locator("input[name=responsible]").fill("陈建国（法定代表人）")
        both(sp, folder, "26-listing-form", "input[name=unit]")
        sp.get_by_role("button", name="挂牌督办").click()
        sp.wait_for_selector("[data-testid=listing].listed")
        sp.wait_for_selector(".chip.listed")
        both(sp, folder, "27-hazard-listed", "[data-testid=listing].listed")
        sp.goto("/#/hazards")
        sp.wait_for_selector("[data-testid=hazard-item] .chip.listed")
    finally:
        ctx.close()
    assert street["supervisor_api"].get(f"/api/v1/hazards/{major['id']}")["listed"] is True
