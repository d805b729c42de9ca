"""QR codes (二维码): every code the app prints decodes with a real reader (zxing-cpp) to the
enterprise's URL; rotation kills the old code at once; label sheets are A4 PDFs with the Chinese
name; the scan card answers only inside the user's scope."""
from __future__ import annotations

import io
import subprocess
import uuid
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from app.core.timeutil import utcnow


def decode_all(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def pdf_pages_as_images(pdf: bytes, tmp_path, dpi: int = 150) -> list[Image.Image]:
    """Render every page with poppler (what a printer driver would rasterise)."""
    src = tmp_path / "labels.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(src), str(tmp_path / "p")],
                   check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob("p-*.png"))]


def stored(app, enterprise_id):
    from app.extensions import db
    from app.registry.models import Enterprise
    with app.app_context():
        e = db.session.get(Enterprise, enterprise_id)
        db.session.expunge(e)
        return e


# --------------------------------------------------------------------------- PNG

def test_png_decodes_to_the_enterprise_url(factory, client_for):
    e = factory.enterprise(name="福州鼓楼安巡有限公司")
    admin = client_for(factory.user("admin"))
    response = admin.get(f"/api/v1/enterprises/{e.id}/qr.png")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG"
    url = admin.get(f"/api/v1/enterprises/{e.id}").get_json()["qr_url"]
    assert url == f"http://localhost/e/{e.qr_token}"
    assert decode_all(image) == [url]
    # a small rendering still decodes; a silly size is refused
    small = admin.get(f"/api/v1/enterprises/{e.id}/qr.png?box_size=3")
    assert decode_all(Image.open(io.BytesIO(small.data))) == [url]
    assert admin.get(f"/api/v1/enterprises/{e.id}/qr.png?box_size=500").status_code == 422


def test_png_uses_the_public_base_url(app, factory, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://aq.gulou.example.cn")
    e = factory.enterprise()
    response = client_for(factory.user("admin")).get(f"/api/v1/enterprises/{e.id}/qr.png")
    assert decode_all(Image.open(io.BytesIO(response.data))) == [
        f"https://aq.gulou.example.cn/e/{e.qr_token}"]


def test_png_is_scoped(factory, client_for):
    community = factory.community()
    own, other = factory.enterprise(community), factory.enterprise()
    officer = client_for(factory.user("officer", enterprise=own))
    assert officer.get(f"/api/v1/enterprises/{own.id}/qr.png").status_code == 200
    assert officer.get(f"/api/v1/enterprises/{other.id}/qr.png").status_code == 404
    inspector = client_for(factory.user("inspector", communities=[community]))
    assert inspector.get(f"/api/v1/enterprises/{own.id}/qr.png").status_code == 200
    assert inspector.get(f"/api/v1/enterprises/{other.id}/qr.png").status_code == 404


def test_the_qr_url_opens_the_app(factory, client_for):
    """A phone opening the printed URL gets the PWA shell, which then loads the card."""
    e = factory.enterprise()
    url = client_for(factory.user("admin")).get(f"/api/v1/enterprises/{e.id}").get_json()["qr_url"]
    path = url.removeprefix("http://localhost")
    response = client_for(factory.user("admin")).get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"


def test_tokens_are_unique_and_long(app, factory, client_for):
    community = factory.community()
    admin = client_for(factory.user("admin"))
    from app.registry.credit_code import check_char
    tokens = set()
    for n in range(20):
        body = f"9135010{n:010d}"
        e = admin.post("/api/v1/enterprises", json={
            "name": f"企业{n}", "credit_code": body + check_char(body),
            "community_id": community.id}).get_json()
        assert len(e["qr_token"]) >= 43  # 32 random bytes, base64url
        tokens.add(e["qr_token"])
    assert len(tokens) == 20


# --------------------------------------------------------------------------- rotation

def test_rotation_kills_the_old_code_at_once(app, factory, client_for):
    community = factory.community()
    e = factory.enterprise(community, name="旋转测试企业")
    admin = client_for(factory.user("admin"))
    inspector = client_for(factory.user("inspector", communities=[community]))
    old_token = e.qr_token
    assert inspector.get(f"/api/v1/scan/{old_token}").status_code == 200

    response = admin.post(f"/api/v1/enterprises/{e.id}/qr/rotate")
    assert response.status_code == 200
    rotated = response.get_json()
    assert rotated["qr_token"] != old_token and len(rotated["qr_token"]) >= 43
    assert rotated["qr_url"].endswith("/e/" + rotated["qr_token"])
    assert rotated["qr_rotated_at"] is not None

    dead = inspector.get(f"/api/v1/scan/{old_token}")
    unknown = inspector.get(f"/api/v1/scan/{'x' * 43}")
    assert dead.status_code == unknown.status_code == 404
    assert dead.get_json() == unknown.get_json()
    assert inspector.get(f"/api/v1/scan/{rotated['qr_token']}").status_code == 200
    png = inspector.get(f"/api/v1/enterprises/{e.id}/qr.png").data
    assert decode_all(Image.open(io.BytesIO(png))) == [rotated["qr_url"]]

    after = stored(app, e.id)
    assert (after.name, after.credit_code, after.community_id, after.risk_level, after.phone,
            after.lat, after.lng) == (e.name, e.credit_code, e.community_id, e.risk_level,
                                      e.phone, e.lat, e.lng)


def test_who_may_rotate(app, factory, client_for):
    mine, theirs = factory.community(), factory.community()
    e = factory.enterprise(mine)
    elsewhere = factory.enterprise(theirs)
    supervisor = client_for(factory.user("supervisor", communities=[mine]))
    inspector = client_for(factory.user("inspector", communities=[mine]))
    officer = client_for(factory.user("officer", enterprise=e))
    assert supervisor.post(f"/api/v1/enterprises/{e.id}/qr/rotate").status_code == 200
    assert supervisor.post(f"/api/v1/enterprises/{elsewhere.id}/qr/rotate").status_code == 404
    token = stored(app, e.id).qr_token
    assert token != e.qr_token
    assert inspector.post(f"/api/v1/enterprises/{e.id}/qr/rotate").status_code == 403
    assert officer.post(f"/api/v1/enterprises/{e.id}/qr/rotate").status_code == 403
    assert stored(app, e.id).qr_token == token
    assert stored(app, elsewhere.id).qr_token == elsewhere.qr_token


# --------------------------------------------------------------------------- label sheets

def test_label_sheet_decodes_label_by_label_with_chinese_text(factory, client_for, tmp_path):
    community = factory.community("鼓楼区东街社区")
    other = factory.community("别的社区")
    names = ["福州市鼓楼区东街口百货有限公司", "福建省安泰消防设备工程有限责任公司",
             "鼓楼区德馨副食品商行", "福州三坊七巷文化旅游发展有限公司", "东街小吃店",
             "福州聚春园大酒店有限公司", "福州鼓楼安巡测试仓储物流有限公司",
             "福州第八家企业有限公司", "福州第九家企业（第二页）有限公司"]
    enterprises = [factory.enterprise(community, name=n) for n in names]
    factory.enterprise(other, name="不应出现的企业")
    supervisor = client_for(factory.user("supervisor", communities=[community]))

    response = supervisor.get(f"/api/v1/qr-labels.pdf?community_id={community.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"

    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2  # 8 labels per A4 page
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 210
    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())
    for e in enterprises:
        assert e.name in compact and e.credit_code in compact
    assert "不应出现的企业" not in compact
    assert "鼓楼区东街社区" in compact

    expected = {f"http://localhost/e/{e.qr_token}" for e in enterprises}
    dpi = 150
    found = []
    for page in pdf_pages_as_images(response.data, tmp_path, dpi=dpi):
        results = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
        found += [r.text for r in results]
        for r in results:
            # each symbol is printed at least 50 mm wide: scannable at arm's length
            side_px = abs(r.position.top_right.x - r.position.top_left.x)
            assert side_px / dpi * 25.4 >= 48, side_px
        # and each label on its own, cut out of the page, decodes too
        for r in results:
            xs = [p.x for p in (r.position.top_left, r.position.top_right,
                                r.position.bottom_left, r.position.bottom_right)]
            ys = [p.y for p in (r.position.top_left, r.position.top_right,
                                r.position.bottom_left, r.position.bottom_right)]
            crop = page.crop((min(xs) - 40, min(ys) - 40, max(xs) + 40, max(ys) + 40))
            assert decode_all(crop) == [r.text]
    assert sorted(found) == sorted(expected)


def test_label_sheet_fonts_are_embedded(factory, client_for):
    community = factory.community()
    factory.enterprise(community, name="嵌入字体测试有限公司")
    pdf = client_for(factory.user("admin")).get(
        f"/api/v1/qr-labels.pdf?community_id={community.id}").data
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [fonts[k].get_object() for k in fonts]
    embedded = []
    for font in descriptors:
        for desc in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
            fd = desc.get("/FontDescriptor")
            if fd is not None:
                fd = fd.get_object()
                embedded.append(any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert embedded and all(embedded)


def test_label_sheet_scope_and_roles(factory, client_for):
    mine, theirs = factory.community(), factory.community()
    factory.enterprise(mine)
    factory.enterprise(theirs)
    supervisor = client_for(factory.user("supervisor", communities=[mine]))
    assert supervisor.get(f"/api/v1/qr-labels.pdf?community_id={theirs.id}").status_code == 404
    assert supervisor.get(f"/api/v1/qr-labels.pdf?community_id={uuid.uuid4()}").status_code == 404
    inspector = client_for(factory.user("inspector", communities=[mine]))
    assert inspector.get(f"/api/v1/qr-labels.pdf?community_id={mine.id}").status_code == 403
    officer = client_for(factory.user("officer"))
    assert officer.get("/api/v1/qr-labels.pdf").status_code == 403


def test_label_sheet_without_community_covers_the_scope(factory, client_for, tmp_path):
    a, b, c = factory.community(), factory.community(), factory.community()
    ea, eb = factory.enterprise(a), factory.enterprise(b)
    factory.enterprise(c)   # outside the supervisor's communities
    supervisor = client_for(factory.user("supervisor", communities=[a, b]))
    pdf = supervisor.get("/api/v1/qr-labels.pdf").data
    found = [t for page in pdf_pages_as_images(pdf, tmp_path, dpi=100) for t in decode_all(page)]
    assert sorted(found) == sorted(f"http://localhost/e/{e.qr_token}" for e in (ea, eb))


# --------------------------------------------------------------------------- scan card

def _add(app, *records):
    from app.extensions import db
    with app.app_context():
        for r in records:
            db.session.add(r)
        db.session.commit()


def test_scan_card_shows_open_hazards_last_inspection_and_open_interviews(app, factory,
                                                                          client_for):
    from app.escalation.models import Interview
    from app.hazards.models import Hazard
    from app.inspections.models import Inspection

    community = factory.community()
    e = factory.enterprise(community, name="扫码卡片测试企业")
    other = factory.enterprise(community)
    inspector_user = factory.user("inspector", communities=[community], display_name="陈检查")
    now = utcnow()

    def hazard(title, state, deadline_days, enterprise=e, level="general"):
        return Hazard(id=str(uuid.uuid4()), enterprise_id=enterprise.id,
                      community_id=community.id, reporter_id=inspector_user.id, title=title,
                      category="fire", level=level, state=state, found_at=now - timedelta(days=20),
                      deadline=now + timedelta(days=deadline_days))

    overdue = hazard("消防通道堵塞", "rectifying", -2, level="major")
    soon = hazard("灭火器过期", "reported", 3)
    submitted = hazard("配电箱未上锁", "submitted", -1)
    closed = hazard("已销号隐患", "closed", -10)
    archived = hazard("已归档隐患", "archived", -30)
    elsewhere = hazard("别家的隐患", "reported", 1, enterprise=other)

    def inspection(days_ago, enterprise=e, on_site=True):
        return Inspection(id=str(uuid.uuid4()), enterprise_id=enterprise.id,
                          community_id=community.id, inspector_id=inspector_user.id,
                          kind="routine", started_at=now - timedelta(days=days_ago),
                          ended_at=now - timedelta(days=days_ago) + timedelta(hours=1),
                          on_site=on_site, distance_m=12.5)

    older, latest = inspection(30), inspection(2, on_site=False)
    newer_elsewhere = inspection(0, enterprise=other)
    open_interview = Interview(id=str(uuid.uuid4()), enterprise_id=e.id,
                               community_id=community.id, state="scheduled",
                               scheduled_at=now + timedelta(days=3))
    closed_interview = Interview(id=str(uuid.uuid4()), enterprise_id=e.id,
                                 community_id=community.id, state="closed")
    overdue_id, latest_id, open_interview_id = overdue.id, latest.id, open_interview.id
    _add(app, overdue, soon, submitted, closed, archived, elsewhere, older, latest,
         newer_elsewhere, open_interview, closed_interview)

    card = client_for(inspector_user).get(f"/api/v1/scan/{e.qr_token}")
    assert card.status_code == 200
    card = card.get_json()
    assert card["enterprise"]["id"] == e.id and card["enterprise"]["name"] == "扫码卡片测试企业"
    assert [h["title"] for h in card["open_hazards"]] == ["消防通道堵塞", "配电箱未上锁",
                                                          "灭火器过期"]
    first = card["open_hazards"][0]
    assert (first["id"], first["level"], first["state"], first["overdue"]) == (
        overdue_id, "major", "rectifying", True)
    assert first["deadline"].endswith("+00:00")
    # overdue = deadline passed without an accepted rectification (submitted is not accepted yet)
    assert [h["overdue"] for h in card["open_hazards"]] == [True, True, False]
    last = card["last_inspection"]
    assert (last["id"], last["kind"], last["on_site"], last["inspector_name"]) == (
        latest_id, "routine", False, "陈检查")
    assert last["started_at"] and last["ended_at"]
    assert card["open_interviews"] == [{
        "id": open_interview_id, "state": "scheduled",
        "scheduled_at": card["open_interviews"][0]["scheduled_at"]}]
    assert card["open_interviews"][0]["scheduled_at"].endswith("+00:00")


def test_scan_card_of_a_new_enterprise_has_empty_lists(factory, client_for):
    e = factory.enterprise()
    card = client_for(factory.user("admin")).get(f"/api/v1/scan/{e.qr_token}").get_json()
    assert (card["open_hazards"], card["last_inspection"], card["open_interviews"]) == (
        [], None, [])


@pytest.mark.parametrize("role", ["inspector", "supervisor", "officer"])
def test_scan_outside_scope_answers_like_an_unknown_token(factory, client_for, role):
    mine, theirs = factory.community(), factory.community()
    own = factory.enterprise(mine)
    foreign = factory.enterprise(theirs)
    user = factory.user(role, enterprise=own) if role == "officer" else \
        factory.user(role, communities=[mine])
    client = client_for(user)
    assert client.get(f"/api/v1/scan/{own.qr_token}").status_code == 200
    outside = client.get(f"/api/v1/scan/{foreign.qr_token}")
    unknown = client.get("/api/v1/scan/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert outside.status_code == unknown.status_code == 404
    assert outside.get_json() == unknown.get_json()
