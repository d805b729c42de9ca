"""What people read names a choice by its label, and what people type may name it by its label.

(a) Escalation reasons and inbox messages name the category and the state in Chinese, never by
    their codes (「重大隐患（危险化学品）」, not 「重大隐患（chemicals）」).
(b) A category or an industry is accepted by its value or its Chinese or English label wherever
    it is input, stored as the value; a wrong one is refused naming the accepted values with
    their labels, in the reader's language.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.test_escalation import T0, evaluate, make_hazard, send_created
from tests.test_hazards_support import World
from tests.test_registry import body as enterprise_body

CODES = ("chemicals", "gas", "reported", "rectifying")


def _texts_of_the_escalation(app, hazard_id) -> list[str]:
    """Every text about the escalation a person reads: the reason, the hazard's trail line, the
    interview's situation and trail, the inbox."""
    from app.escalation.models import Escalation, Interview, InterviewEvent
    from app.extensions import db
    from app.hazards.models import HazardEvent
    from app.notifications.models import Notification

    with app.app_context():
        escalation = db.session.scalar(select(Escalation).where(
            Escalation.hazard_id == hazard_id))
        interview = db.session.get(Interview, escalation.interview_id)
        texts = [escalation.detail, interview.situation]
        texts += db.session.scalars(select(HazardEvent.note).where(
            HazardEvent.hazard_id == hazard_id, HazardEvent.action == "escalate")).all()
        texts += db.session.scalars(select(InterviewEvent.note).where(
            InterviewEvent.interview_id == interview.id)).all()
        for title, text in db.session.execute(select(Notification.title, Notification.body)):
            texts += [title, text]
        return texts


@pytest.fixture
def hazards(app, factory, client_for):
    return World(app, factory, client_for)


@pytest.fixture
def people(app, factory):
    community = factory.community()
    enterprise = factory.enterprise(community)
    return type("People", (), dict(
        enterprise=enterprise, officer=factory.user("officer", enterprise=enterprise),
        inspector=factory.user("inspector", communities=[community]),
        supervisor=factory.user("supervisor", communities=[community])))


# --------------------------------------------------------------------------- (a) labels read
def test_r1_names_the_category_by_its_chinese_label(app, people):
    hazard_id = make_hazard(app, people.enterprise, people.inspector, level="major",
                            category="chemicals", title="液氨储罐无泄漏报警")
    send_created(app, hazard_id, people.inspector.id)
    texts = _texts_of_the_escalation(app, hazard_id)
    assert any("重大隐患（危险化学品）" in t for t in texts), texts
    for text in texts:
        assert not any(code in (text or "") for code in CODES), text


def test_r4_names_the_category_by_its_chinese_label(app, people):
    closed_at = T0 - timedelta(days=30)
    make_hazard(app, people.enterprise, people.inspector, state="closed", category="gas",
                found_at=closed_at - timedelta(days=10), closed_at=closed_at, title="燃气管道锈蚀")
    hazard_id = make_hazard(app, people.enterprise, people.inspector, category="gas",
                            title="燃气报警器失效")
    send_created(app, hazard_id, people.inspector.id)
    texts = _texts_of_the_escalation(app, hazard_id)
    assert any("同类隐患（燃气安全）" in t for t in texts), texts
    for text in texts:
        assert not any(code in (text or "") for code in CODES), text


def test_r2_names_the_state_by_its_chinese_label(app, people):
    deadline = T0 + timedelta(days=7)
    hazard_id = make_hazard(app, people.enterprise, people.inspector, state="rectifying",
                            deadline=deadline, title="配电箱未接地")
    evaluate(app, deadline + timedelta(minutes=1))
    texts = _texts_of_the_escalation(app, hazard_id)
    assert any("当前状态：整改中" in t for t in texts), texts
    for text in texts:
        assert not any(code in (text or "") for code in CODES), text


# --------------------------------------------------------------------------- (b) labels typed
@pytest.mark.parametrize("typed", ["fire", "消防安全", "Fire safety", "FIRE", "消防 安全"])
def test_a_hazard_category_is_accepted_by_value_or_label_and_stored_as_the_value(hazards, typed):
    hazard = hazards.create_hazard(category=typed)
    assert hazard["category"] == "fire"
    patched = hazards.patch(hazard["id"], "inspector", category="燃气安全")
    assert patched.status_code == 200 and patched.get_json()["category"] == "gas"
    patched = hazards.patch(hazard["id"], "inspector", category="Electrical safety")
    assert patched.status_code == 200 and patched.get_json()["category"] == "electrical"


def test_a_wrong_category_names_the_values_with_their_labels(hazards, app):
    zh = hazards.client("inspector").post("/api/v1/hazards",
                                        json=hazards.hazard_body(category="消防"))
    assert zh.status_code == 422
    [message] = zh.get_json()["errors"]["category"]
    assert message.startswith("未知的隐患类别“消防”，可选："
                              "fire（消防安全）、electrical（用电安全）、")
    assert " / " not in message and "Unknown" not in message
    en = hazards.client("inspector").post("/api/v1/hazards", json=hazards.hazard_body(
        category="xyz"), headers={"Accept-Language": "en"})
    [message] = en.get_json()["errors"]["category"]
    assert message.startswith("Unknown category 'xyz'; use one of: fire (Fire safety), "
                              "electrical (Electrical safety), ")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message)
    hazard = hazards.create_hazard()
    bad = hazards.patch(hazard["id"], "inspector", category="飞碟")
    assert bad.status_code == 422
    assert bad.get_json()["errors"]["category"][0].startswith(
        "未知的隐患类别“飞碟”，可选：fire（消防安全）")


def test_filters_take_a_category_label(hazards):
    fire = hazards.create_hazard(category="fire")
    hazards.create_hazard(category="gas")
    supervisor = hazards.client("supervisor")
    for typed in ("fire", "消防安全", "fire safety"):
        listed = supervisor.get("/api/v1/hazards", query_string={"category": typed}).get_json()
        assert [h["id"] for h in listed["items"]] == [fire["id"]], typed
    ledger = supervisor.get("/api/v1/reports/hazard-ledger.csv",
                            query_string={"category": "消防安全"})
    assert ledger.status_code == 200
    assert fire["id"] in ledger.get_data(as_text=True)
    # A code no longer configured still finds its records (filters do not refuse).
    assert supervisor.get("/api/v1/hazards?category=retired").get_json()["total"] == 0


@pytest.mark.parametrize("typed", ["catering", "餐饮", "Catering", " CATERING "])
def test_an_industry_is_accepted_by_value_or_label(app, factory, client_for, typed):
    admin = client_for(factory.user("admin"))
    created = admin.post("/api/v1/enterprises",
                         json=enterprise_body(factory.community(), industry=typed))
    assert created.status_code == 201, created.get_json()
    enterprise = created.get_json()
    assert enterprise["industry"] == "catering" and enterprise["industry_label"] == "餐饮"
    patched = admin.patch(f"/api/v1/enterprises/{enterprise['id']}",
                          json={"version": enterprise["version"], "industry": "商贸零售"})
    assert patched.status_code == 200 and patched.get_json()["industry"] == "retail"
    listed = admin.get("/api/v1/enterprises", query_string={"industry": "Retail"}).get_json()
    assert [e["id"] for e in listed["items"]] == [enterprise["id"]]


def test_a_wrong_industry_names_the_values_with_their_labels(app, factory, client_for,
                                                             monkeypatch):
    monkeypatch.setitem(app.config, "INDUSTRIES", ["catering", "retail", "mines"])
    admin = client_for(factory.user("admin"))
    response = admin.post("/api/v1/enterprises",
                          json=enterprise_body(factory.community(), industry="工贸制造"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["industry"] == [
        "未知的行业“工贸制造”，可选：catering（餐饮）、retail（商贸零售）、mines"]
    response = admin.post("/api/v1/enterprises", headers={"Accept-Language": "en"},
                          json=enterprise_body(factory.community(), industry="farming"))
    assert response.get_json()["errors"]["industry"] == [
        "Unknown industry 'farming'; use one of: catering (Catering), retail (Retail), mines."]
