"""Printable documents: 整改通知书, 约谈记录 and the campaign summary. Each PDF is parsed with
pypdf (Chinese text, the record id), rendered with pdftoppm, and the QR code on page 1 is decoded
with zxing-cpp to the record's URL in the app. Scope: 404 outside it, like an unknown id."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from tests.test_reports_data import SHANGHAI, build_world, load

PHOTOS = Path(__file__).parent / "data" / "photos"
APP_JS = Path(__file__).resolve().parents[1] / "static" / "js" / "app.js"
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftoppm) missing")
BASE = "http://localhost"


@pytest.fixture
def world(app, factory, media_dir):
    """The reports world, with two finding photos (real files under MEDIA_DIR) on the
    inspection's hazard and a second hazard of that inspection."""
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.photos.models import Photo

    world = build_world(app, factory)
    with app.app_context():
        hazard = db.session.scalar(db.select(Hazard).where(
            Hazard.inspection_id == world.inspection_id))
        db.session.add(Hazard(
            id=str(uuid.uuid4()), enterprise_id=hazard.enterprise_id,
            community_id=hazard.community_id, inspection_id=world.inspection_id,
            reporter_id=hazard.reporter_id, title="配电箱未上锁、无警示标识",
            description="配电房配电箱柜门未上锁，无“当心触电”警示标识。", category="electrical",
            level="general", state="rectifying", place="配电房", found_at=hazard.found_at +
            timedelta(minutes=20), deadline=hazard.found_at + timedelta(days=7),
            responsible="李四", escalated=False, rejection_count=0))
        for n, name in enumerate(("landscape_6.jpg", "portrait_8.jpg")):
            rel = f"reports-test/{hazard.id}/{n}"
            target = Path(media_dir) / rel
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(PHOTOS / name, target / "full.jpg")
            shutil.copy(PHOTOS / name, target / "thumb.jpg")
            with Image.open(PHOTOS / name) as im:
                width, height = im.size
            db.session.add(Photo(
                id=str(uuid.uuid4()), hazard_id=hazard.id, kind="finding",
                uploader_id=hazard.reporter_id, sha256="0" * 64, mime="image/jpeg",
                size=(PHOTOS / name).stat().st_size, width=width, height=height,
                original_path=f"{rel}/full.jpg", full_path=f"{rel}/full.jpg",
                thumb_path=f"{rel}/thumb.jpg"))
        db.session.commit()
        world.major_hazard_id = hazard.id
    return world


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def render(pdf: bytes, tmp_path: Path, dpi: int = 150) -> list[Image.Image]:
    src = tmp_path / f"doc-{uuid.uuid4().hex[:6]}.pdf"
    src.write_bytes(pdf)
    prefix = tmp_path / src.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(prefix)], check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob(f"{src.stem}-*.png"))]


def qr_texts(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def app_routes() -> list[tuple[re.Pattern, str, str]]:
    """The hash routes of the app (``ROUTES`` in static/js/app.js): (pattern, view, function).
    The JavaScript patterns (``/^\\/inspection\\/([^/]+)$/``) are valid Python regexes too."""
    source = APP_JS.read_text(encoding="utf-8")
    routes = [(re.compile(m.group(1)), m.group(2), m.group(3)) for m in re.finditer(
        r"^\s*\[/(\^.*?\$)/,\s*'(\w+)',\s*'(\w+)'", source, re.M)]
    assert len(routes) > 10, "the ROUTES table of app.js was not found"
    return routes


def screen_of(url: str) -> tuple[str, str, tuple, str]:
    """Which screen of the app a printed URL opens, as app.js routes it: the path after ``#``
    without its query (``currentPath()``) matched against ROUTES in order, first match wins.
    Returns (view module, function, captured params, query). A URL the app does not route
    (it would fall back to the home screen) fails the test."""
    assert url.startswith(f"{BASE}/#/"), url
    path, _, query = url[len(BASE) + 2:].partition("?")
    for pattern, module, function in app_routes():
        match = pattern.match(path)
        if match:
            return module, function, match.groups(), query
    raise AssertionError(f"{url}: no route of static/js/app.js matches {path!r}")


def test_the_route_matcher_knows_the_app():
    assert screen_of(f"{BASE}/#/hazards/abc") == ("hazard", "render", ("abc",), "")
    assert screen_of(f"{BASE}/#/dashboard?from=2023-06-01") == ("dashboard", "render", (),
                                                                "from=2023-06-01")
    with pytest.raises(AssertionError):
        screen_of(f"{BASE}/#/inspections/abc")   # what the notice used to print


def get_pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    return response


def embedded_fonts(pdf: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


@needs_poppler
def test_rectification_notice(app, world, client_for, tmp_path):
    client = client_for(world.users["supervisor"])
    url = f"/api/v1/inspections/{world.inspection_id}/rectification-notice.pdf"
    response = get_pdf(client, url)
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    pdf = response.data
    text = text_of(pdf)
    for expected in ("安全生产事故隐患整改通知书", world.inspection_id, "甲精密机械有限公司",
                     world.enterprises["A"].credit_code, "四不两直", "危化品未分类储存",
                     "配电箱未上锁", "重大隐患", "一般隐患", "中华人民共和国安全生产法",
                     "第六十五条", "检查人员（签名）", "被检查单位负责人（签收）",
                     world.major_hazard_id):
        assert expected in text.replace("\n", ""), expected
    deadline = next(h.deadline for h in load(app)["hazards"] if h.id == world.major_hazard_id)
    local = deadline.astimezone(SHANGHAI)
    assert f"{local.year}年{local.month}月{local.day}日" in text
    assert all("WenQuanYi" in f for f in embedded_fonts(pdf))
    reader = PdfReader(io.BytesIO(pdf))
    images = sum(len(page.images) for page in reader.pages)
    assert images == 2, "both finding photos are printed"
    pages = render(pdf, tmp_path)
    [url] = qr_texts(pages[0])
    assert url == f"{BASE}/#/inspection/{world.inspection_id}"
    assert screen_of(url) == ("inspection", "render", (world.inspection_id,), "")


@needs_poppler
def test_interview_record(app, world, client_for, tmp_path):
    rows = load(app)
    interview = next(i for i in rows["interviews"] if i.state == "held")
    client = client_for(world.users["admin"])
    pdf = get_pdf(client, f"/api/v1/interviews/{interview.id}/record.pdf").data
    text = text_of(pdf).replace("\n", "")
    for expected in ("安全生产约谈记录", interview.id, "丙化工贸易有限公司", "约谈事由",
                     "约谈纪要", "存在问题", "整改要求", "企业承诺", "书面回复期限",
                     "整改完成回执", "被约谈人（签名）", "记录人"):
        assert expected in text, expected
    titles = {h.id: h.title for h in rows["hazards"]}
    reasons = [e for e in rows["escalations"] if e.interview_id == interview.id]
    assert reasons
    for reason in reasons:
        assert titles[reason.hazard_id] in text
    [url] = qr_texts(render(pdf, tmp_path)[0])
    assert url == f"{BASE}/#/interviews/{interview.id}"
    assert screen_of(url) == ("interviews", "renderDetail", (interview.id,), "")


@needs_poppler
def test_campaign_summary(app, world, client_for, tmp_path):
    today = world.now.astimezone(SHANGHAI).date()
    first, last = today - timedelta(days=29), today
    north = world.communities["north"]
    client = client_for(world.users["supervisor"])
    query = f"from={first}&to={last}&community_id={north.id}"
    pdf = get_pdf(client, f"/api/v1/reports/campaign-summary.pdf?{query}").data
    figures = client.get(f"/api/v1/dashboard?{query}").get_json()
    text = text_of(pdf).replace("\n", "")
    record_id = f"SUM-N01-{first:%Y%m%d}-{last:%Y%m%d}"
    for expected in (f"北社区{first.year}年安全生产月活动总结", record_id, "活动开展情况",
                     "主要指标", "隐患分布", "典型案例", "重大事故隐患企业", "下一步工作",
                     f"共排查发现事故隐患{figures['total']}项",
                     f"已完成整改{figures['rectified']}项", "报送要求",
                     f"{last.year}年{last.month}月25日前"):
        assert expected in text, expected
    assert "丙化工" not in text, "the other community's enterprise stays out"
    pages = render(pdf, tmp_path)
    [url] = qr_texts(pages[0])
    assert url == f"{BASE}/#/dashboard?from={first}&to={last}&community_id={north.id}"
    # the dashboard opens on this period and community (static/js/views/dashboard.js reads
    # them; tests/browser/test_reports.py opens the URL)
    assert screen_of(url) == ("dashboard", "render", (),
                              f"from={first}&to={last}&community_id={north.id}")
    # a named campaign and deadline
    pdf = get_pdf(client, f"/api/v1/reports/campaign-summary.pdf?{query}&title=百日攻坚行动"
                          f"&report_due={last + timedelta(days=5)}").data
    text = text_of(pdf).replace("\n", "")
    due = last + timedelta(days=5)
    assert "百日攻坚行动活动总结" in text and f"{due.year}年{due.month}月{due.day}日前" in text


def test_the_safety_month_summary_for_june(app, world, client_for):
    """The 安全生产月 case of the brief: 1–30 June, the street as a whole, due 25 June."""
    client = client_for(world.users["admin"])
    year = world.now.astimezone(SHANGHAI).year
    pdf = get_pdf(client, f"/api/v1/reports/campaign-summary.pdf?from={year}-06-01"
                          f"&to={year}-06-30").data
    text = text_of(pdf).replace("\n", "")
    assert f"乌龙街道{year}年安全生产月活动总结" in text
    assert f"{year}年6月25日前报" in text
    assert f"SUM-ALL-{year}0601-{year}0630" in text


def test_scope_is_404_like_an_unknown_record(app, world, client_for, factory):
    rows = load(app)
    interview = next(i for i in rows["interviews"] if i.state == "held")   # south, enterprise C
    other_officer = factory.user("officer", enterprise=world.enterprises["B"])
    unknown = str(uuid.uuid4())
    cases = [
        (other_officer, f"/api/v1/inspections/{world.inspection_id}/rectification-notice.pdf",
         f"/api/v1/inspections/{unknown}/rectification-notice.pdf"),
        (world.users["inspector"], f"/api/v1/inspections/{world.inspection_id}/"
                                   "rectification-notice.pdf",
         f"/api/v1/inspections/{unknown}/rectification-notice.pdf"),
        (world.users["supervisor"], f"/api/v1/interviews/{interview.id}/record.pdf",
         f"/api/v1/interviews/{unknown}/record.pdf"),
        (world.users["officer"], f"/api/v1/interviews/{interview.id}/record.pdf",
         f"/api/v1/interviews/{unknown}/record.pdf"),
        (world.users["far"], "/api/v1/reports/campaign-summary.pdf?from=2023-06-01&to=2023-06-30"
                             f"&community_id={world.communities['north'].id}",
         "/api/v1/reports/campaign-summary.pdf?from=2023-06-01&to=2023-06-30"
         f"&community_id={unknown}"),
    ]
    for user, outside, missing in cases:
        client = client_for(user)
        a, b = client.get(outside), client.get(missing)
        assert a.status_code == b.status_code == 404, outside
        assert a.get_json() == b.get_json()
    # the officer of enterprise A may print its own notice
    assert client_for(world.users["officer"]).get(
        f"/api/v1/inspections/{world.inspection_id}/rectification-notice.pdf").status_code == 200


@pytest.mark.parametrize("query, field", [("from=2023-06-01", "to"),
                                          ("from=2023-06-30&to=2023-06-01", "to"),
                                          ("from=2021-01-01&to=2023-06-01", "to"),
                                          ("from=x&to=2023-06-01", "from")])
def test_campaign_summary_bad_input(world, client_for, query, field):
    response = client_for(world.users["admin"]).get(
        f"/api/v1/reports/campaign-summary.pdf?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_a_missing_photo_file_is_noted_not_fatal(app, world, client_for, media_dir):
    from app.photos.models import Photo
    from app.extensions import db
    with app.app_context():
        for photo in db.session.scalars(db.select(Photo)):
            (Path(media_dir) / photo.full_path).unlink()
    pdf = get_pdf(client_for(world.users["admin"]),
                  f"/api/v1/inspections/{world.inspection_id}/rectification-notice.pdf").data
    assert "照片文件缺失" in text_of(pdf)
