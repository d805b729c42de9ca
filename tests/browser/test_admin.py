"""The administrator's first day (管理员): the registry (企业名录) and the accounts (用户).

An administrator registers an enterprise (a wrong credit code is refused at the field, the right
one is taken), edits it with the version it saw, imports a CSV with a bad row (the dry run names
the row, the real import keeps the good one), downloads a community's QR label sheet, replaces a
QR code, opens an inspector's account that logs in, disables it (its session ends at once) and
lets it in again with a reset password. Supervisors download labels for their communities.

``ANXUN_SCREENS_DIR=docs/screens`` also writes the administration screens to the README's folder.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from .conftest import login, new_phone_context, wait_until
from .test_screens import shot

pytestmark = pytest.mark.browser

GOOD_CODE = "91350100M000100Y43"  # DOMAIN.md's example that passes GB 32100
BAD_CODE = "91350100M000100Y44"   # the same with a wrong check character


@pytest.fixture
def screens(tmp_path):
    target = os.environ.get("ANXUN_SCREENS_DIR")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def street(factory, api_as):
    community = factory.community(name="乌龙社区")
    other = factory.community(name="青松社区")
    existing = factory.enterprise(community, name="乌龙便民超市", risk_level="blue")
    factory.enterprise(other, name="青松机械厂", risk_level="orange")
    admin = factory.user("admin", display_name="街道管理员")
    return {"community": community, "other": other, "existing": existing, "admin": admin,
            "api": api_as(admin)}


def enterprises_named(api, name):
    return [e for e in api.get("/api/v1/enterprises?per_page=1000")["items"] if e["name"] == name]


def test_admin_runs_registry_and_accounts(page, browser, live_server, street, factory, tmp_path,
                                          screens):
    api, community = street["api"], street["community"]
    login(page, street["admin"].username, street["admin"].password)
    # Home sends an admin on to the dashboard once the session is read; wait for that step.
    page.wait_for_url("**/#/dashboard")
    tabs = page.locator("#tabbar a").evaluate_all("(els) => els.map((a) => a.dataset.tab)")
    assert tabs == ["dashboard", "registry", "users", "hazards", "inbox", "me"]
    # ui.js helps with null children without touching the browser's own DOM methods.
    assert page.evaluate("""() => ['append', 'prepend', 'replaceChildren'].every(
        (n) => Element.prototype[n].toString().includes('[native code]'))""")

    # ---- the registry, searched and filtered
    page.locator("#tabbar [data-tab=registry]").click()
    page.wait_for_selector("[data-testid=enterprise-item]")
    assert page.locator("[data-testid=enterprise-item]").count() == 2
    page.locator("select[name=community_id]").select_option(street["other"].id)
    page.wait_for_selector("text=共 1 家企业")
    assert (page.locator("[data-testid=enterprise-item] .item-title").all_inner_texts()
            == ["青松机械厂"])
    export = page.get_by_role("link", name="导出 Excel")
    assert (export.get_attribute("href")
            == f"/api/v1/enterprises/export.xlsx?community_id={street['other'].id}")
    page.locator("select[name=community_id]").select_option("")
    page.locator("input[name=q]").fill("超市")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_selector("text=共 1 家企业")
    assert (page.locator("[data-testid=enterprise-item] .item-title").all_inner_texts()
            == ["乌龙便民超市"])
    shot(page, screens, "16-admin-registry")

    # ---- a new enterprise: a wrong credit code is refused at its field, then the right one
    page.get_by_role("link", name="新增企业").click()
    page.locator("input[name=name]").fill("重庆乌龙精细化工有限公司")
    page.locator("input[name=credit_code]").fill(BAD_CODE)
    page.locator("select[name=community_id]").select_option(community.id)
    page.locator("input[name=address]").fill("九龙坡区乌龙街道青松路18号")
    page.locator(".segmented label", has_text="较大风险").click()
    page.locator("select[name=industry]").select_option("hazardous_chemicals")
    page.locator("input[name=employees]").fill("126")
    page.get_by_role("button", name="新增企业").click()
    error = page.locator("[data-field=credit_code] .field-error")
    error.wait_for()
    assert error.inner_text()
    assert page.locator("input[name=credit_code]").get_attribute("aria-invalid") == "true"
    assert enterprises_named(api, "重庆乌龙精细化工有限公司") == []
    shot(page, screens, "17-admin-enterprise-error")
    page.locator("input[name=credit_code]").fill(GOOD_CODE.lower())  # normalised by the server
    page.get_by_role("button", name="新增企业").click()
    page.wait_for_selector("[data-testid=qr-summary]")
    [created] = enterprises_named(api, "重庆乌龙精细化工有限公司")
    assert created["credit_code"] == GOOD_CODE and created["risk_level"] == "orange"
    assert created["employees"] == 126 and created["version"] == 1
    assert page.url.endswith(f"#/registry/{created['id']}")

    # ---- an edit carries the version it was loaded with; someone else's change wins, visibly
    page.locator("input[name=phone]").fill("023-68001234")
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_selector("text=版本 2")
    assert api.get(f"/api/v1/enterprises/{created['id']}")["phone"] == "023-68001234"
    api.patch(f"/api/v1/enterprises/{created['id']}", json={"legal_rep": "陈建国", "version": 2})
    page.locator("input[name=phone]").fill("023-00000000")
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_selector(".form-error >> text=被其他人修改")
    stored = api.get(f"/api/v1/enterprises/{created['id']}")
    assert stored["phone"] == "023-68001234" and stored["version"] == 3

    # ---- import: the dry run names the bad row and writes nothing; the import keeps the good row
    new_code = factory.credit_code()
    csv_file = tmp_path / "名录.csv"
    csv_file.write_text(
        "企业名称,统一社会信用代码,所属社区,风险等级\n"
        f"乌龙汽修厂,{new_code},乌龙社区,黄\n"
        f"写错代码的公司,{BAD_CODE},乌龙社区,蓝\n", encoding="utf-8")
    page.goto("/#/registry/import")
    page.locator("input[type=file]").set_input_files(str(csv_file))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_selector("[data-testid=import-preview]")
    rows = page.locator("[data-testid=import-error]")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "统一社会信用代码" and cells[2]
    assert enterprises_named(api, "乌龙汽修厂") == []
    shot(page, screens, "18-admin-import")
    page.get_by_role("button", name="确认导入 1 家企业").click()
    page.wait_for_selector("[data-testid=import-result]")
    [imported] = enterprises_named(api, "乌龙汽修厂")
    assert imported["credit_code"] == new_code and imported["risk_level"] == "yellow"
    assert enterprises_named(api, "写错代码的公司") == []

    # ---- the community's QR label sheet, and a QR code replaced
    page.goto("/#/labels")
    link = page.locator("[data-testid=label-link]", has_text="乌龙社区")
    with page.expect_download() as download:
        link.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    assert page.locator("[data-testid=label-link]").count() == 2

    old_token = created["qr_token"]
    page.goto(f"/#/registry/{created['id']}/qr")
    page.wait_for_selector("[data-testid=qr-image]")
    assert page.locator("[data-testid=qr-url]").inner_text().endswith(f"/e/{old_token}")
    page.once("dialog", lambda d: d.accept())
    page.locator("[data-action=rotate]").click()
    wait_until(lambda: old_token not in page.locator("[data-testid=qr-url]").inner_text(),
               message="a new QR code")
    new_token = api.get(f"/api/v1/enterprises/{created['id']}")["qr_token"]
    assert page.locator("[data-testid=qr-url]").inner_text().endswith(f"/e/{new_token}")
    assert api.s.get(f"{live_server}/api/v1/scan/{old_token}").status_code == 404
    assert api.s.get(f"{live_server}/api/v1/scan/{new_token}").status_code == 200

    # ---- an inspector's account
    page.locator("#tabbar [data-tab=users]").click()
    page.get_by_role("link", name="新增用户").click()
    page.locator("input[name=username]").fill("qi.xu")
    page.locator("input[name=display_name]").fill("祁旭")
    page.locator("input[name=password]").fill("short")
    page.locator("[data-field=community_ids] label", has_text="乌龙社区").click()
    page.get_by_role("button", name="创建账号").click()
    page.locator("[data-field=password] .field-error").wait_for()
    page.locator("input[name=password]").fill("first-day-pass")
    shot(page, screens, "19-admin-new-user")
    page.get_by_role("button", name="创建账号").click()
    page.wait_for_selector("[data-testid=account]")
    [account] = api.get("/api/v1/users?q=qi.xu")["items"]
    assert account["role"] == "inspector" and account["community_ids"] == [community.id]

    inspector_ctx = new_phone_context(browser, live_server)
    phone = inspector_ctx.new_page()
    login(phone, "qi.xu", "first-day-pass")
    phone.wait_for_selector(".scan-hero")
    assert phone.evaluate("fetch('/api/v1/auth/me').then((r) => r.status)") == 200

    # Disabled: its session ends at once, on the phone too.
    page.once("dialog", lambda d: d.accept())
    page.locator("[data-action=disable]").click()
    page.wait_for_selector("[data-action=enable]")
    assert phone.evaluate("fetch('/api/v1/auth/me').then((r) => r.status)") == 401
    phone.reload()
    phone.wait_for_selector("input[name=username]")
    phone.locator("input[name=username]").fill("qi.xu")
    phone.locator("input[name=password]").fill("first-day-pass")
    phone.locator("form button[type=submit]").click()
    phone.wait_for_selector(".form-error >> text=用户名或密码错误")

    # Enabled again with a reset password: the old one no longer works, the new one does.
    page.locator("[data-action=enable]").click()
    page.wait_for_selector("[data-action=disable]")
    page.locator("[data-testid=reset-password] input[name=password]").fill("second-day-pass")
    page.get_by_role("button", name="重置密码").click()
    page.wait_for_selector("#toast >> text=密码已重置")
    assert requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": "qi.xu", "password": "first-day-pass"}, timeout=30).status_code == 401
    login(phone, "qi.xu", "second-day-pass")
    phone.wait_for_selector(".scan-hero")
    inspector_ctx.close()

    page.goto("/#/users")
    page.wait_for_selector("[data-testid=user-item]")
    assert page.locator("[data-testid=user-item]").count() == 2


def test_supervisor_prints_labels_of_its_communities(page, street, factory):
    supervisor = factory.user("supervisor", communities=[street["community"]])
    login(page, supervisor.username, supervisor.password)
    page.locator("#tabbar [data-tab=me]").click()
    page.get_by_role("link", name="二维码标签").click()
    links = page.locator("[data-testid=label-link]")
    links.first.wait_for()
    assert links.all_inner_texts()[0].startswith("乌龙社区") and links.count() == 1
    with page.expect_download() as download:
        links.first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    # The registry and the accounts are the administrator's.
    page.goto("/#/users")
    page.wait_for_selector("main [role=alert] >> text=只有管理员")
    assert page.locator("#tabbar [data-tab=users]").count() == 0


def test_everyone_changes_their_own_password(page, browser, live_server, street, factory):
    officer = factory.user("officer", enterprise=street["existing"])
    other_ctx = new_phone_context(browser, live_server)
    other = other_ctx.new_page()
    login(other, officer.username, officer.password)
    login(page, officer.username, officer.password)
    page.locator("#tabbar [data-tab=me]").click()
    page.get_by_role("link", name="修改密码").click()
    page.locator("input[name=old_password]").fill("not-my-password")
    page.locator("input[name=new_password]").fill("a-better-password")
    page.locator("input[name=new_password_again]").fill("a-better-password")
    page.get_by_role("button", name="修改密码").click()
    page.locator("[data-field=old_password] .field-error").wait_for()
    page.locator("input[name=old_password]").fill(officer.password)
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_selector("#toast >> text=密码已修改")
    assert page.evaluate("fetch('/api/v1/auth/me').then((r) => r.status)") == 200
    assert other.evaluate("fetch('/api/v1/auth/me').then((r) => r.status)") == 401
    other_ctx.close()
    assert requests.post(f"{live_server}/api/v1/auth/login", json={
        "username": officer.username, "password": "a-better-password"},
        timeout=30).status_code == 200


def test_category_order_comes_from_the_server(page, street, live_server):
    """Forms list the categories in the deployment's configured order and label values in the
    reader's language, all from GET /api/v1/choices; a value no set names is shown as it is."""
    login(page, street["admin"].username, street["admin"].password)
    choices = requests.get(f"{live_server}/api/v1/choices", timeout=30).json()
    served = [c["value"] for c in choices["hazard_categories"]]
    order = page.evaluate("""async () => {
        const m = await import('/static/js/choices.js');
        const loaded = m.values('hazard_categories');
        m.setChoices({ hazard_categories: [{ value: 'gas', zh: '燃气', en: 'Gas' },
            { value: 'ladders', zh: '梯子', en: 'Ladders' },
            { value: 'fire', zh: '消防', en: 'Fire' }] });
        return { loaded, configured: m.values('hazard_categories'),
                 label: m.label('hazard_categories', 'ladders'),
                 unknown: m.label('hazard_categories', 'kites') };
    }""")
    assert order["loaded"] == served
    assert order["configured"] == ["gas", "ladders", "fire"]
    assert order["label"] == "梯子" and order["unknown"] == "kites"


def test_admin_screens_in_english(page, street, tmp_path):
    """Every administration screen in English, checked like the README's screens (no sideways
    scrolling, touch targets ≥ 44 px, every control labelled)."""
    login(page, street["admin"].username, street["admin"].password)
    page.locator("#tabbar [data-tab=me]").click()
    page.get_by_text("English", exact=True).click()
    page.wait_for_selector("#tabbar >> text=Registry")
    existing = street["existing"]
    for path, ready in [("/#/registry", "text=2 enterprises"),
                        ("/#/registry/new", "text=Unified social credit code"),
                        (f"/#/registry/{existing.id}", "[data-testid=qr-summary]"),
                        (f"/#/registry/{existing.id}/qr", "[data-testid=qr-image]"),
                        ("/#/registry/import", "text=Check the file"),
                        ("/#/labels", "[data-testid=label-link]"),
                        ("/#/users", "[data-testid=user-item]"),
                        ("/#/users/new", "text=Initial password"),
                        (f"/#/users/{street['admin'].id}", "[data-testid=account]"),
                        ("/#/password", "text=Current password")]:
        page.goto(path)
        page.wait_for_selector(ready)
        shot(page, tmp_path, path.strip("/#").replace("/", "-") or "home")
    assert "Only administrators" not in page.locator("main").inner_text()
