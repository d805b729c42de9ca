"""Every PDF the app prints survives the longest text its schemas accept (issue 12, item 1): a
hazard description of 5,000 characters, many hazards, 20,000-character interview minutes, names
at their column size. Long text flows across pages and all of it is printed. Text that could
break a ``Content-Disposition`` header is refused at input, and file names are sanitised by one
helper for what was stored before."""
from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from app.core.downloads import content_disposition
from tests.test_bad_input import refused
from tests.test_documents_print import get_pdf, text_of
from tests.test_documents_print import world  # noqa: F401 - a fixture, taken as a parameter
from tests.test_registry_import import code, csv_bytes, upload


def sentences(n_chars: int, tag: str) -> str:
    """``n_chars`` characters of numbered Chinese sentences, e.g. ``甲0001配电箱外壳未接地。``."""
    parts, i = [], 0
    while sum(map(len, parts)) < n_chars:
        parts.append(f"{tag}{i:04d}配电箱外壳未接地线路裸露。")
        i += 1
    return "".join(parts)[:n_chars]


def printed(pdf: bytes) -> str:
    return re.sub(r"\s+", "", text_of(pdf))


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def last_sentence(text: str, tag: str) -> str:
    """The last complete numbered sentence of ``text``: printed only if nothing was cut."""
    numbers = re.findall(rf"{tag}(\d{{4}})配电箱外壳未接地线路裸露。", text)
    return f"{tag}{numbers[-1]}配电箱外壳未接地线路裸露。"


def _set(app, model, record_id, **values):
    from app.extensions import db
    with app.app_context():
        record = db.session.get(model, record_id)
        for name, value in values.items():
            setattr(record, name, value)
        db.session.commit()


# --------------------------------------------------------------------------- 整改通知书
def test_a_notice_prints_a_5000_character_description_and_many_hazards(app, world, client_for):
    from app.extensions import db
    from app.hazards.models import Hazard

    description = sentences(5000, "甲")
    _set(app, Hazard, world.major_hazard_id, description=description, title="题" * 200,
         place="地" * 200, responsible="责" * 100)
    with app.app_context():
        model = db.session.get(Hazard, world.major_hazard_id)
        for n in range(40):
            db.session.add(Hazard(
                id=str(uuid.uuid4()), enterprise_id=model.enterprise_id,
                community_id=model.community_id, inspection_id=world.inspection_id,
                reporter_id=model.reporter_id, title=f"第{n}项隐患", description=sentences(
                    900, f"乙{n:02d}"), category="fire", level="general", state="reported",
                place="仓库", found_at=model.found_at + timedelta(minutes=n + 30),
                deadline=model.found_at + timedelta(days=7), responsible="张三",
                escalated=False, rejection_count=0))
        db.session.commit()
    client = client_for(world.users["supervisor"])
    pdf = get_pdf(client, f"/api/v1/inspections/{world.inspection_id}/rectification-notice.pdf"
                  ).data
    text = printed(pdf)
    assert last_sentence(description, "甲") in text
    assert "乙390000" in text and last_sentence(sentences(900, "乙39"), "乙39") in text
    assert pages(pdf) >= 5


# --------------------------------------------------------------------------- 约谈记录
def test_an_interview_record_prints_every_long_field(app, world, client_for):
    from app.escalation.models import Escalation, Interview
    from app.extensions import db
    from app.hazards.models import Hazard

    with app.app_context():
        interview = db.session.scalars(db.select(Interview).order_by(Interview.created_at)).first()
        interview_id = interview.id
        hazard = db.session.get(Hazard, world.major_hazard_id)
        hazard.title = "题" * 200
        db.session.add(Escalation(id=str(uuid.uuid4()), hazard_id=hazard.id, rule="R4",
                                  interview_id=interview_id, enterprise_id=hazard.enterprise_id,
                                  community_id=hazard.community_id, fired_at=hazard.found_at,
                                  detail=sentences(3000, "丁")))
        db.session.commit()
    fields = {name: sentences(20000, tag) for name, tag in (
        ("situation", "戊"), ("minutes", "己"), ("problems", "庚"), ("requirements", "辛"),
        ("commitments", "壬"), ("completion_receipt", "癸"))}
    _set(app, Interview, interview_id, convener="约" * 200, place="会" * 200,
         interviewers=["人" * 100] * 50, departments=["部" * 100] * 50, interviewee="被" * 100,
         interviewee_title="职" * 100, note_taker="记" * 100, **fields)
    client = client_for(world.users["admin"])
    pdf = get_pdf(client, f"/api/v1/interviews/{interview_id}/record.pdf").data
    text = printed(pdf)
    for name, tag in (("situation", "戊"), ("minutes", "己"), ("commitments", "壬"),
                      ("completion_receipt", "癸")):
        assert last_sentence(fields[name], tag) in text, name
    assert last_sentence(sentences(3000, "丁"), "丁") in text


# --------------------------------------------------------------------------- campaign summary
def test_a_campaign_summary_prints_names_and_cases_at_their_column_size(app, world, client_for):
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.registry.models import Enterprise

    with app.app_context():
        for enterprise in db.session.scalars(db.select(Enterprise)):
            enterprise.name = (enterprise.name + "长" * 200)[:200]
        for hazard in db.session.scalars(db.select(Hazard).where(Hazard.level == "major")):
            hazard.title, hazard.place = "题" * 200, "地" * 200
        db.session.commit()
    client = client_for(world.users["admin"])
    today = world.now.date()
    pdf = get_pdf(client, f"/api/v1/reports/campaign-summary.pdf?from="
                          f"{today - timedelta(days=300)}&to={today}&title={'月' * 60}").data
    assert "长" * 50 in printed(pdf)


# --------------------------------------------------------------------------- labels
def test_a_label_sheet_prints_names_at_their_column_size(app, world, client_for):
    from app.extensions import db
    from app.registry.models import Community, Enterprise

    with app.app_context():
        for enterprise in db.session.scalars(db.select(Enterprise)):
            enterprise.name = "很" * 200
        for community in db.session.scalars(db.select(Community)):
            community.name = (community.name + "社" * 100)[:100]
        db.session.commit()
    client = client_for(world.users["admin"])
    get_pdf(client, "/api/v1/qr-labels.pdf")


# --------------------------------------------------------------------------- file names
BREAKERS = "甲\x01乙\"丙\\丁/戊\r\n己\x7f;庚,% 辛"


def _parts(header: str) -> tuple[str, str]:
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    utf8 = unquote(re.search(r"filename\*=UTF-8''(\S+)", header).group(1))
    return fallback, utf8


def test_content_disposition_is_one_safe_header_for_any_name():
    for name in (BREAKERS + ".pdf", "整改通知书-重庆乌龙-20240501.pdf", "\x01\x02.pdf",
                 "a" * 500 + ".pdf", "..", ""):
        for inline in (True, False):
            header = content_disposition(name, inline=inline)
            assert header.startswith("inline;" if inline else "attachment;")
            assert header.isascii() and header.isprintable(), header
            fallback, utf8 = _parts(header)
            assert fallback and not set(fallback) & set('"\\/;%'), fallback
            assert utf8 and utf8.isprintable() and not set(utf8) & set('/\\"'), utf8
    fallback, utf8 = _parts(content_disposition("整改通知书-重庆乌龙-20240501.pdf"))
    assert utf8 == "整改通知书-重庆乌龙-20240501.pdf" and fallback.endswith("20240501.pdf")
    assert _parts(content_disposition(BREAKERS + ".pdf"))[1] == "甲乙_丙_丁_戊己;庚,% 辛.pdf"


def test_a_stored_name_with_control_characters_still_prints(app, world, client_for):
    """Names stored before input refused them: every PDF of that enterprise still prints."""
    from app.registry.models import Enterprise

    from app.extensions import db
    from app.hazards.models import Hazard

    with app.app_context():
        enterprise_id = db.session.get(Hazard, world.major_hazard_id).enterprise_id
    _set(app, Enterprise, enterprise_id, name=BREAKERS)
    client = client_for(world.users["supervisor"])
    response = get_pdf(client, f"/api/v1/inspections/{world.inspection_id}/"
                               "rectification-notice.pdf")
    header = response.headers["Content-Disposition"]
    assert header.isascii() and header.isprintable()
    assert _parts(header)[1].startswith("整改通知书-甲乙_丙_丁_戊己")


@pytest.mark.parametrize("char", ["\x01", "\x1f", "\x7f"])
def test_control_characters_in_an_enterprise_name_are_refused(app, world, client_for, char):
    admin = client_for(world.users["admin"])
    enterprise = world.enterprises["A"]
    refused(app, lambda: admin.patch(f"/api/v1/enterprises/{enterprise.id}", json={
        "version": 1, "name": f"甲{char}公司"}), 422, "name")
    refused(app, lambda: admin.patch(f"/api/v1/enterprises/{enterprise.id}", json={
        "version": 1, "address": f"路{char}"}), 422, "address")


def test_control_characters_in_an_import_are_that_rows_error(app, world, client_for):
    admin = client_for(world.users["admin"])
    data = csv_bytes([
        "企业名称,统一社会信用代码,所属社区,地址,纬度,经度",
        f"福州甲机械有限公司,{code(201)},北社区,五四路1号,26.08,119.30",
        f"福州乙\x01餐饮店,{code(202)},北社区,五四路2号,26.08,119.31",
        f"福州丙商行,{code(203)},北社区,五四路\x1b3号,,",
    ])
    response = upload(admin, data)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["created"] == 1
    assert {(e["line"], e["field"]) for e in report["errors"]} == {(3, "name"), (4, "address")}
    assert all("控制字符" in e["message"] for e in report["errors"])


def test_a_campaign_summary_title_with_a_control_character_is_422(app, world, client_for):
    client = client_for(world.users["admin"])
    today = world.now.date()
    refused(app, lambda: client.get(f"/api/v1/reports/campaign-summary.pdf?from={today}&to="
                                    f"{today}&title=a%01"), 422, "title")
