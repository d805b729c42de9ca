"""The access matrix: every endpoint × every role × an object outside the caller's scope.

CONTRACT.md: "404 unknown *or not yours* (never reveal that another enterprise's record
exists)"; DEVELOPERS.md: a role that lacks a capability gets its 403 before anything is looked
up. So a request naming a record the caller may not see must get exactly the answer a request
naming a record that does not exist gets (same status, same body once the ids are set aside), that
answer must be a refusal (401, 403, 404 or 422 naming the field), and it must change nothing.
Lists, ledgers, maps, dashboards and printed documents, asked with and without filters naming the
other scope, must not contain the other scope's records (their names and ids, looked for in JSON,
CSV, the text of XLSX and PDF files). Each check has a positive control: the same request about
the caller's own record, or the admin's list, shows that the probe reaches what it is about.

:data:`MATRIX` names every route of the application; a route it does not name fails
``test_every_route_is_in_the_matrix`` (so the matrix keeps up with new endpoints).
"""
from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from tests.test_hazards_support import photo_bytes

ROLES = ("anonymous", "admin", "supervisor", "inspector", "officer")
#: what each role may never see, by kind of record: the officer of enterprise A is probed with
#: B (same community) and C (another community); the supervisor and the inspector of the north
#: community with C; the admin sees every record, but not another person's inbox.
FOREIGN = {"anonymous": ("C",), "admin": ("C",), "supervisor": ("C",), "inspector": ("C",),
           "officer": ("B", "C")}
#: kinds of record outside the admin's reach (an admin sees the whole registry)
ADMIN_FOREIGN_KINDS = {"notification"}
#: kinds of record of B that are still within its officer's neighbours' reach: B's community is
#: the officer's own (and campaigns are the whole street's)
SHARED_WITH_B = {"community", "campaign", "bulletin", "plan", "task", "checklist"}
NOW = datetime.now(timezone.utc)
TODAY = (NOW + timedelta(hours=8)).date()  # Asia/Shanghai


@dataclass
class Probe:
    """How to ask one route about a target (``t``: the ids of one enterprise's records).

    kind: ``object`` (the path names a record), ``reference`` (the body names one), ``list``
    (a collection: no foreign record may appear), ``self`` (about the caller only), ``public``
    (nothing personal). ``needs``: the kinds of record the request names (a role is probed only
    when all are outside its reach). ``path``/``query``/``json``/``form``: builders taking ``t``
    (and ``me``, the caller's own ids, for a body whose other references must be valid).
    """

    kind: str
    needs: tuple = ()
    path: dict = field(default_factory=dict)
    query: object = None
    json: object = None
    form: object = None
    filters: tuple = ()  # list: the query arguments that name a record kind
    control: bool = True  # the positive control applies


def _activity_body(t, me, **extra):
    return {"community_id": t.community, "kind": "training", "title": f"{t.marker or ''}安全培训",
            "held_on": TODAY.isoformat(), "place": "会议室", "participants": 12,
            "enterprise_ids": [t.enterprise], **extra}


def _plan_body(t, me, **extra):
    return {"name": "越界抽查计划", "kind": "unannounced", "community_id": t.community,
            "starts_on": TODAY.isoformat(), "due_on": (TODAY + timedelta(days=20)).isoformat(),
            "count": 1, "inspector_ids": [t.inspector], "inspectors_per_task": 1, **extra}


def _bulletin_body(t, me, **extra):
    return {"kind": "warning", "title": f"{t.marker or ''}汛期安全提示", "body": "注意防汛",
            "target": {"community_ids": [t.community]}, "requires_ack": True, **extra}


def _hazard_body(t, me, **extra):
    return {"enterprise_id": t.enterprise, "title": "越界隐患", "category": "fire",
            "level": "general", "found_at": (NOW - timedelta(hours=1)).isoformat(), **extra}


def _inspection_body(t, me, **extra):
    return {"enterprise_id": t.enterprise, "kind": "routine", "started_at": NOW.isoformat(),
            "location": {"lat": 29.533, "lng": 106.5, "accuracy": 10}, **extra}


def _photo_form(t, me, **extra):
    return {"hazard_id": t.hazard, "kind": "finding", **extra,
            "file": (io.BytesIO(photo_bytes("image01137.jpg")), "p.jpg", "image/jpeg")}


PERIOD = {"from": (NOW - timedelta(days=30)).date().isoformat(),
          "to": (NOW + timedelta(days=1)).date().isoformat()}
SCHEDULE = {"action": "schedule", "version": 1, "place": "街道办三楼会议室",
            "scheduled_at": (NOW + timedelta(days=3)).isoformat(), "interviewers": ["李锐"]}

E, H, INS, V, P = "enterprise", "hazard", "inspection", "interview", "photo"
MATRIX: dict[tuple[str, str], Probe] = {
    # --- the PWA shell, documents of the API, health: nothing personal
    ("GET", "/"): Probe("public"),
    ("GET", "/manifest.webmanifest"): Probe("public"),
    ("GET", "/sw.js"): Probe("public"),
    ("GET", "/static/<path:filename>"): Probe("public", path={"filename": lambda t: "js/app.js"}),
    ("GET", "/e/<token>"): Probe("public", needs=("token",), path={"token": lambda t: t.token}),
    ("GET", "/healthz"): Probe("public"),
    ("GET", "/api/docs"): Probe("public"),
    ("GET", "/api/v1/openapi.json"): Probe("public"),
    ("GET", "/api/v1/choices"): Probe("public"),
    ("GET", "/api/v1/hazards/choices"): Probe("public"),
    ("GET", "/api/v1/enterprises/choices"): Probe("public"),
    # --- the caller's own session and inbox
    ("GET", "/api/v1/auth/session"): Probe("self"),
    ("GET", "/api/v1/auth/me"): Probe("self"),
    ("POST", "/api/v1/auth/login"): Probe("self", json=lambda t, me: {
        "username": t.username, "password": "not-the-password"}),
    ("POST", "/api/v1/auth/logout"): Probe("self"),
    ("POST", "/api/v1/auth/password"): Probe("self", json=lambda t, me: {
        "old_password": "not-the-password", "new_password": "another-password-2024"}),
    ("GET", "/api/v1/notifications/unread-count"): Probe("self"),
    ("POST", "/api/v1/campaigns"): Probe("self", json=lambda t, me: {
        "name": "越界专项活动", "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=5)).isoformat(),
        "submission_due": (TODAY + timedelta(days=3)).isoformat()}),
    ("POST", "/api/v1/notifications/read-all"): Probe("self"),
    ("POST", "/api/v1/checklists"): Probe("self", json=lambda t, me: {
        "name": "越界检查表",
        "items": [{"code": "X1", "text": "消防通道畅通", "category": "fire"}]}),
    ("PATCH", "/api/v1/checklists/<uuid:checklist_id>"): Probe(
        "self", path={"checklist_id": lambda t: t.checklist},
        json=lambda t, me: {"version": 1, "description": "越界修改"}),
    ("POST", "/api/v1/checklists/import"): Probe("self", form=lambda t, me: {
        "file": (io.BytesIO("检查表名称,编号,检查内容,类别\r\n越界表,Y1,消防通道,消防安全\r\n"
                            .encode()), "x.csv")}),
    ("POST", "/api/v1/bulletins/attachments"): Probe("self", form=lambda t, me: {
        "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "notice.pdf")}),
    # --- without logging in: the gate QR's card (its name is public by design), tips
    ("GET", "/api/v1/public/enterprises/<string:token>"): Probe(
        "public", path={"token": lambda t: t.token}),
    ("POST", "/api/v1/public/tips"): Probe("public", json=lambda t, me: {
        "token": t.token, "text": "越界举报：后门堆放杂物"}),
    ("GET", "/api/v1/public/tips/<string:tracking_code>"): Probe(
        "public", path={"tracking_code": lambda t: t.tracking_code}),
    ("GET", "/t/<code>"): Probe("public", path={"code": lambda t: t.tracking_code}),
    # --- collections: scoped, whatever the filters say
    ("GET", "/api/v1/communities"): Probe("list"),
    ("GET", "/api/v1/enterprises"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/enterprises/export.xlsx"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/qr-labels.pdf"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/hazards"): Probe("list", filters=("enterprise_id", "community_id",
                                                        "inspection_id")),
    ("GET", "/api/v1/hazards/major"): Probe("list", filters=("enterprise_id", "community_id")),
    ("GET", "/api/v1/hazards/summary"): Probe("list", control=False),
    ("GET", "/api/v1/inspections"): Probe("list", filters=("enterprise_id", "community_id")),
    ("GET", "/api/v1/interviews"): Probe("list", filters=("enterprise_id", "community_id")),
    ("GET", "/api/v1/notifications"): Probe("list", control=False),
    ("GET", "/api/v1/dashboard"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/map"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/reports/hazard-ledger.csv"): Probe("list", filters=("enterprise_id",
                                                                         "community_id")),
    ("GET", "/api/v1/reports/hazard-ledger.xlsx"): Probe("list", filters=("enterprise_id",
                                                                          "community_id")),
    ("GET", "/api/v1/reports/interviews.csv"): Probe("list", filters=("enterprise_id",
                                                                      "community_id")),
    ("GET", "/api/v1/reports/interviews.xlsx"): Probe("list", filters=("enterprise_id",
                                                                       "community_id")),
    ("GET", "/api/v1/reports/campaign-summary.pdf"): Probe("list", filters=("community_id",),
                                                           query=lambda t: PERIOD),
    ("GET", "/api/v1/users"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/campaigns"): Probe("list", control=False),  # the street's: nothing scoped
    ("GET", "/api/v1/campaigns/current"): Probe("list", control=False),
    ("GET", "/api/v1/campaigns/<uuid:campaign_id>"): Probe(
        "list", path={"campaign_id": lambda t: t.campaign}),  # its board: communities' reports
    ("GET", "/api/v1/campaigns/<uuid:campaign_id>/street-summary.pdf"): Probe(
        "list", path={"campaign_id": lambda t: t.campaign}),
    ("GET", "/api/v1/activities"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/checklists"): Probe("list", control=False),  # the street's: nothing scoped
    ("GET", "/api/v1/checklists/import-template.xlsx"): Probe("list", control=False),
    ("GET", "/api/v1/checklists/<uuid:checklist_id>"): Probe(
        "list", path={"checklist_id": lambda t: t.checklist}, control=False),
    ("GET", "/api/v1/checklists/<uuid:checklist_id>/export.xlsx"): Probe(
        "list", path={"checklist_id": lambda t: t.checklist}, control=False),
    ("GET", "/api/v1/checklists/<uuid:checklist_id>/versions"): Probe(
        "list", path={"checklist_id": lambda t: t.checklist}, control=False),
    ("GET", "/api/v1/listings"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/listings.xlsx"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/tips"): Probe("list", filters=("community_id", "enterprise_id")),
    ("GET", "/api/v1/tips/summary"): Probe("list", control=False),
    ("GET", "/api/v1/bulletins"): Probe("list", control=False),
    ("GET", "/api/v1/plans"): Probe("list", filters=("community_id",)),
    ("GET", "/api/v1/plans/inspectors"): Probe("list", filters=("community_id",),
                                                control=False),
    ("GET", "/api/v1/tasks"): Probe("list", filters=("enterprise_id", "community_id"),
                                    control=False),
    ("GET", "/api/v1/reports/uninspected-enterprises.xlsx"): Probe(
        "list", filters=("community_id",), control=False),
    # --- one record, named in the path
    ("GET", "/api/v1/enterprises/<string:enterprise_id>"): Probe(
        "object", (E,), {"enterprise_id": lambda t: t.enterprise}),
    ("PATCH", "/api/v1/enterprises/<string:enterprise_id>"): Probe(
        "object", (E,), {"enterprise_id": lambda t: t.enterprise},
        json=lambda t, me: {"version": 1, "address": "越界修改"}),
    ("GET", "/api/v1/enterprises/<string:enterprise_id>/qr.png"): Probe(
        "object", (E,), {"enterprise_id": lambda t: t.enterprise}),
    ("POST", "/api/v1/enterprises/<string:enterprise_id>/qr/rotate"): Probe(
        "object", (E,), {"enterprise_id": lambda t: t.enterprise}),
    ("GET", "/api/v1/scan/<string:token>"): Probe("object", ("token",),
                                                  {"token": lambda t: t.token}),
    ("GET", "/api/v1/hazards/<uuid:hazard_id>"): Probe("object", (H,),
                                                       {"hazard_id": lambda t: t.hazard}),
    ("PATCH", "/api/v1/hazards/<uuid:hazard_id>"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard},
        json=lambda t, me: {"version": 1, "responsible": "越界"}),
    ("GET", "/api/v1/hazards/<uuid:hazard_id>/events"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard}),
    ("POST", "/api/v1/hazards/<uuid:hazard_id>/transitions"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard},
        json=lambda t, me: {"action": "acknowledge", "version": 1}),
    ("GET", "/api/v1/hazards/<hazard_id>/escalations"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard}),
    ("GET", "/api/v1/inspections/<uuid:inspection_id>"): Probe(
        "object", (INS,), {"inspection_id": lambda t: t.inspection}),
    ("PATCH", "/api/v1/inspections/<uuid:inspection_id>"): Probe(
        "object", (INS,), {"inspection_id": lambda t: t.inspection},
        json=lambda t, me: {"version": 1, "ended_at": NOW.isoformat(), "summary": "越界"}),
    ("GET", "/api/v1/inspections/<uuid:inspection_id>/rectification-notice.pdf"): Probe(
        "object", (INS,), {"inspection_id": lambda t: t.inspection}),
    ("GET", "/api/v1/interviews/<interview_id>"): Probe(
        "object", (V,), {"interview_id": lambda t: t.interview}),
    ("POST", "/api/v1/interviews/<interview_id>/transitions"): Probe(
        "object", (V,), {"interview_id": lambda t: t.interview}, json=lambda t, me: SCHEDULE),
    ("GET", "/api/v1/interviews/<uuid:interview_id>/record.pdf"): Probe(
        "object", (V,), {"interview_id": lambda t: t.interview}),
    ("GET", "/api/v1/photos/<uuid:photo_id>"): Probe("object", (P,),
                                                     {"photo_id": lambda t: t.photo}),
    ("GET", "/api/v1/photos/<uuid:photo_id>/<any(full, thumb, original):variant>"): Probe(
        "object", (P,), {"photo_id": lambda t: t.photo, "variant": lambda t: t.variant}),
    ("POST", "/api/v1/notifications/<notification_id>/read"): Probe(
        "object", ("notification",), {"notification_id": lambda t: t.notification}),
    ("GET", "/api/v1/activities/<uuid:activity_id>"): Probe(
        "object", ("activity",), {"activity_id": lambda t: t.activity}),
    ("POST", "/api/v1/activities/<uuid:activity_id>/transitions"): Probe(
        "object", ("activity",), {"activity_id": lambda t: t.activity},
        json=lambda t, me: {"action": "confirm", "version": 1}),
    ("GET", "/api/v1/campaigns/<uuid:campaign_id>/submissions/<uuid:submission_id>"): Probe(
        "object", ("submission",), {"campaign_id": lambda t: t.campaign,
                                    "submission_id": lambda t: t.submission}),
    ("GET", "/api/v1/campaigns/<uuid:campaign_id>/submissions/<uuid:submission_id>/summary.pdf"):
        Probe("object", ("submission",), {"campaign_id": lambda t: t.campaign,
                                          "submission_id": lambda t: t.submission}),
    ("PUT", "/api/v1/inspections/<uuid:inspection_id>/answers/<string:code>"): Probe(
        "object", (INS,), {"inspection_id": lambda t: t.inspection, "code": lambda t: "1.1"},
        json=lambda t, me: {"result": "pass"}),
    ("GET", "/api/v1/hazards/<uuid:hazard_id>/extensions"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard}),
    ("POST", "/api/v1/hazards/<uuid:hazard_id>/extensions"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard},
        json=lambda t, me: {"new_deadline": (NOW + timedelta(days=400)).isoformat(),
                            "reason": "越界延期"}),
    ("GET", "/api/v1/hazards/<uuid:hazard_id>/extensions/<uuid:extension_id>"): Probe(
        "object", ("extension",), {"hazard_id": lambda t: t.hazard,
                                   "extension_id": lambda t: t.extension}),
    ("POST", "/api/v1/hazards/<uuid:hazard_id>/extensions/<uuid:extension_id>/transitions"):
        Probe("object", ("extension",), {"hazard_id": lambda t: t.hazard,
                                         "extension_id": lambda t: t.extension},
              json=lambda t, me: {"action": "approve", "version": 1}),
    ("POST", "/api/v1/hazards/<uuid:hazard_id>/listing"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard}, json=lambda t, me: {
            "unit": "越界督办单位", "deadline": (NOW + timedelta(days=30)).isoformat(),
            "responsible": "越界"}),
    ("POST", "/api/v1/hazards/<uuid:hazard_id>/listing/delist"): Probe(
        "object", (H,), {"hazard_id": lambda t: t.hazard},
        json=lambda t, me: {"assessment": "越界摘牌", "version": 1}),
    ("GET", "/api/v1/tips/<uuid:tip_id>"): Probe("object", ("tip",),
                                                 {"tip_id": lambda t: t.tip}),
    ("POST", "/api/v1/tips/<uuid:tip_id>/transitions"): Probe(
        "object", ("tip",), {"tip_id": lambda t: t.tip},
        json=lambda t, me: {"action": "decline", "version": 1, "reason": "unclear"}),
    ("GET", "/api/v1/tips/<uuid:tip_id>/photos/<uuid:photo_id>/"
            "<any(full, thumb, original):variant>"): Probe(
        "object", ("tip",), {"tip_id": lambda t: t.tip, "photo_id": lambda t: t.tip_photo,
                             "variant": lambda t: t.variant}),
    ("GET", "/api/v1/bulletins/<uuid:bulletin_id>"): Probe(
        "object", ("bulletin",), {"bulletin_id": lambda t: t.bulletin}),
    ("POST", "/api/v1/bulletins/<uuid:bulletin_id>/ack"): Probe(
        "object", ("bulletin",), {"bulletin_id": lambda t: t.bulletin}),
    ("POST", "/api/v1/bulletins/<uuid:bulletin_id>/remind"): Probe(
        "object", ("bulletin",), {"bulletin_id": lambda t: t.bulletin}),
    ("GET", "/api/v1/bulletins/<uuid:bulletin_id>/attachment"): Probe(
        "object", ("bulletin",), {"bulletin_id": lambda t: t.bulletin}, control=False),
    ("GET", "/api/v1/plans/<uuid:plan_id>"): Probe("object", ("plan",),
                                                   {"plan_id": lambda t: t.plan}),
    ("GET", "/api/v1/plans/<uuid:plan_id>/draws"): Probe("object", ("plan",),
                                                         {"plan_id": lambda t: t.plan}),
    ("POST", "/api/v1/plans/<uuid:plan_id>/draw"): Probe(
        "object", ("plan",), {"plan_id": lambda t: t.plan},
        json=lambda t, me: {"version": 1, "seed": "越界"}),
    ("POST", "/api/v1/plans/<uuid:plan_id>/cancel"): Probe(
        "object", ("plan",), {"plan_id": lambda t: t.plan},
        json=lambda t, me: {"version": 1, "note": "越界撤销"}),
    ("GET", "/api/v1/tasks/<uuid:task_id>"): Probe("object", ("task",),
                                                   {"task_id": lambda t: t.task}),
    ("GET", "/api/v1/users/<string:user_id>"): Probe("object", ("user",),
                                                     {"user_id": lambda t: t.user}),
    ("PATCH", "/api/v1/users/<string:user_id>"): Probe(
        "object", ("user",), {"user_id": lambda t: t.user},
        json=lambda t, me: {"display_name": "越界"}),
    ("POST", "/api/v1/users/<string:user_id>/unlock"): Probe(
        "object", ("user",), {"user_id": lambda t: t.user}),
    # --- creates naming another record in the body (and a client id taken outside the scope)
    ("POST", "/api/v1/hazards"): Probe("reference", (E,), json=_hazard_body),
    ("POST", "/api/v1/inspections"): Probe("reference", (E,), json=_inspection_body),
    ("POST", "/api/v1/interviews"): Probe("reference", (E,), json=lambda t, me: {
        "enterprise_id": t.enterprise, "situation": "越界约谈"}),
    ("POST", "/api/v1/photos"): Probe("reference", (H,), form=_photo_form),
    ("POST", "/api/v1/activities"): Probe("reference", ("community", E), json=_activity_body),
    ("POST", "/api/v1/plans"): Probe("reference", ("community", "user"), json=_plan_body),
    ("POST", "/api/v1/bulletins"): Probe("reference", ("community",), json=_bulletin_body),
    ("POST", "/api/v1/campaigns/<uuid:campaign_id>/submissions"): Probe(
        "reference", ("community",), {"campaign_id": lambda t: t.campaign},
        json=lambda t, me: {"community_id": t.community}),
    ("POST", "/api/v1/enterprises"): Probe("reference", ("community",), json=lambda t, me: {
        "name": "越界新企业", "credit_code": me.credit_code, "community_id": t.community,
        "address": "越界路1号"}),
    ("POST", "/api/v1/enterprises/import"): Probe("reference", ("community",), form=lambda t, me: {
        "file": (io.BytesIO(("企业名称,统一社会信用代码,所属社区\r\n越界导入企业,"
                             f"{me.credit_code},{t.community_code}\r\n").encode()), "x.csv")}),
    ("POST", "/api/v1/users"): Probe("reference", ("community",), json=lambda t, me: {
        "username": "crossing", "password": "crossing-password-1", "role": "inspector",
        "community_ids": [t.community]}),
}

#: the client-chosen id of a create, taken by a record outside the caller's scope: 404 like an
#: unknown record (never the stored record, never a 409 telling that it exists)
CLIENT_IDS = {
    ("POST", "/api/v1/hazards"): ("hazard", lambda t, me, taken: {"json": _hazard_body(
        me, me, id=taken)}),
    ("POST", "/api/v1/inspections"): ("inspection", lambda t, me, taken: {
        "json": _inspection_body(me, me, id=taken)}),
    ("POST", "/api/v1/interviews"): ("interview", lambda t, me, taken: {"json": {
        "id": taken, "enterprise_id": me.enterprise, "situation": "越界约谈"}}),
    ("POST", "/api/v1/photos"): ("photo", lambda t, me, taken: {"data": _photo_form(
        me, me, id=taken)}),
    ("POST", "/api/v1/activities"): ("activity", lambda t, me, taken: {
        "json": _activity_body(me, me, id=taken)}),
}


#: answers that show a record's name to anyone on purpose: the API's own description, and the
#: card behind the gate's QR code (CONTRACT.md: name, community, risk colour, nothing personal)
PUBLIC_BY_DESIGN = {"/api/v1/openapi.json", "/api/v1/public/enterprises/<string:token>"}


def uncovered(app) -> set[tuple[str, str]]:
    """Routes of ``app`` (method, rule) the matrix does not name."""
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes - set(MATRIX)


# --------------------------------------------------------------------------- the world
def _api(client, method, url, **kwargs):
    return client.open(method, url, **kwargs)


@pytest.fixture
def world(app, factory, client_for):
    """Communities north (enterprises A and B) and south (C); in each enterprise an inspection,
    a major hazard (R1 opens an interview), a finding photo, a notification for someone of its
    scope. Names carry markers (MARKA, MARKB, MARKC) looked for in every answer."""
    from app.escalation.models import Interview
    from app.extensions import db
    from app.notifications.models import Notification

    north = factory.community(name="北社区", code="N001")
    south = factory.community(name="MARKC南社区", code="S001")
    ent = {"A": factory.enterprise(north, name="MARKA精密机械有限公司"),
           "B": factory.enterprise(north, name="MARKB化工有限公司"),
           "C": factory.enterprise(south, name="MARKC商贸有限公司")}
    users = {
        "admin": factory.user("admin"),
        "supervisor": factory.user("supervisor", communities=[north]),
        "inspector": factory.user("inspector", communities=[north]),
        "officer": factory.user("officer", enterprise=ent["A"]),
        "officer_B": factory.user("officer", enterprise=ent["B"]),
        "inspector_S": factory.user("inspector", communities=[south]),
        "supervisor_S": factory.user("supervisor", communities=[south]),
        "officer_C": factory.user("officer", enterprise=ent["C"]),
    }
    checklist = client_for(users["supervisor"]).post("/api/v1/checklists", json={
        "name": "小场所消防检查表", "items": [{"code": "1.1", "text": "疏散通道畅通",
                                        "category": "fire"}]})
    assert checklist.status_code == 201, checklist.get_json()
    checklist_id = checklist.get_json()["id"]
    campaign = client_for(users["admin"]).post("/api/v1/campaigns", json={
        "name": "安全生产月", "starts_on": (TODAY - timedelta(days=10)).isoformat(),
        "ends_on": (TODAY + timedelta(days=10)).isoformat(),
        "submission_due": (TODAY + timedelta(days=5)).isoformat()})
    assert campaign.status_code == 201, campaign.get_json()
    campaign_id = campaign.get_json()["id"]
    makers = {"A": "inspector", "B": "inspector", "C": "inspector_S"}
    owners = {"A": "officer", "B": "officer_B", "C": "inspector_S"}
    reporters = {"A": "supervisor", "B": None, "C": "supervisor_S"}
    requesters = {"A": "officer", "B": "officer_B", "C": "officer_C"}
    supervisors = {"A": "supervisor", "B": "supervisor", "C": "supervisor_S"}
    shared: dict = {}  # what B shares with A: its community's bulletin, plan and task
    targets = {}
    for key, enterprise in ent.items():
        maker = client_for(users[makers[key]])
        me = SimpleNamespace(enterprise=enterprise.id)
        inspection = maker.post("/api/v1/inspections", json=_inspection_body(me, me))
        assert inspection.status_code == 201, inspection.get_json()
        hazard = maker.post("/api/v1/hazards", json=_hazard_body(
            me, me, level="major", title=f"MARK{key}配电箱未接地",
            inspection_id=inspection.get_json()["id"]))
        assert hazard.status_code == 201, hazard.get_json()
        photo = maker.post("/api/v1/photos", content_type="multipart/form-data", data={
            "hazard_id": hazard.get_json()["id"], "kind": "finding",
            "file": (io.BytesIO(photo_bytes("DSCN0010.jpg")), "a.jpg", "image/jpeg")})
        assert photo.status_code == 201, photo.get_json()
        ids = SimpleNamespace(community=enterprise.community_id, enterprise=enterprise.id,
                              marker=f"MARK{key}")
        activity = client_for(users[owners[key]]).post("/api/v1/activities",
                                                       json=_activity_body(ids, ids))
        assert activity.status_code == 201, activity.get_json()
        deadline = datetime.fromisoformat(hazard.get_json()["deadline"])
        extension = client_for(users[requesters[key]]).post(
            f"/api/v1/hazards/{hazard.get_json()['id']}/extensions",
            json={"new_deadline": (deadline + timedelta(days=10)).isoformat(),
                  "reason": f"MARK{key}设备到货延迟"})
        assert extension.status_code == 201, extension.get_json()
        supervisor = client_for(users[supervisors[key]])
        listing = supervisor.post(f"/api/v1/hazards/{hazard.get_json()['id']}/listing", json={
            "unit": "街道安委办", "deadline": (NOW + timedelta(days=30)).isoformat(),
            "responsible": "张三"})
        assert listing.status_code == 201, listing.get_json()
        tip = _client(SimpleNamespace(app=app), "anonymous").post(
            "/api/v1/public/tips", content_type="multipart/form-data", data={
                "token": enterprise.qr_token, "text": f"MARK{key}后门消防通道堆放杂物",
                "files": (io.BytesIO(photo_bytes("image01137.jpg")), "tip.jpg", "image/jpeg")})
        assert tip.status_code == 201, tip.get_json()
        with app.app_context():
            from app.outreach.models import Tip, TipPhoto
            tip_id = db.session.scalar(select(Tip.id).where(
                Tip.tracking_code == tip.get_json()["tracking_code"]))
            tip_photo = db.session.scalar(select(TipPhoto.id).where(TipPhoto.tip_id == tip_id))
        if key != "B":
            ids = SimpleNamespace(community=enterprise.community_id, marker=f"MARK{key}",
                                  inspector=users[makers[key]].id)
            bulletin = supervisor.post("/api/v1/bulletins", json=_bulletin_body(ids, ids))
            assert bulletin.status_code == 201, bulletin.get_json()
            plan = supervisor.post("/api/v1/plans", json=_plan_body(ids, ids))
            assert plan.status_code == 201, plan.get_json()
            drawn = supervisor.post(f"/api/v1/plans/{plan.get_json()['id']}/draw",
                                    json={"seed": "2026"})
            assert drawn.status_code in (200, 201), drawn.get_json()
            tasks = supervisor.get(f"/api/v1/plans/{plan.get_json()['id']}").get_json()["tasks"]
            shared = {"bulletin": bulletin.get_json()["id"], "plan": plan.get_json()["id"],
                      "task": tasks[0]["id"]}
        submission = None
        if reporters[key]:
            submitted = client_for(users[reporters[key]]).post(
                f"/api/v1/campaigns/{campaign_id}/submissions",
                json={"community_id": enterprise.community_id})
            assert submitted.status_code == 201, submitted.get_json()
            submission = submitted.get_json()["id"]
        with app.app_context():
            interview = db.session.scalar(select(Interview.id).where(
                Interview.enterprise_id == enterprise.id))
            note = Notification(user_id=users[owners[key]].id, kind="hazard_reported",
                                title=f"MARK{key}通知", body="")
            db.session.add(note)
            db.session.commit()
            note_id = note.id
        assert interview, "R1 opened an interview"
        owner = users[owners[key]]
        targets[key] = SimpleNamespace(
            key=key, enterprise=enterprise.id, community=enterprise.community_id,
            community_code=north.code if key != "C" else south.code, token=enterprise.qr_token,
            inspection=inspection.get_json()["id"], hazard=hazard.get_json()["id"],
            interview=interview, photo=photo.get_json()["id"], variant="full",
            notification=note_id, user=owner.id, username=owner.username,
            credit_code=factory.credit_code(), marker=f"MARK{key}", campaign=campaign_id,
            activity=activity.get_json()["id"], submission=submission,
            extension=extension.get_json()["id"], tip=tip_id, tip_photo=tip_photo,
            tracking_code=tip.get_json()["tracking_code"], inspector=users[makers[key]].id,
            checklist=checklist_id, **shared)
    targets["B"].submission = targets["A"].submission  # B shares A's community and its report
    unknown = SimpleNamespace(
        key="unknown", enterprise=str(uuid.uuid4()), community=str(uuid.uuid4()),
        community_code="ZZ99", token="unknown-token-" + uuid.uuid4().hex,
        inspection=str(uuid.uuid4()), hazard=str(uuid.uuid4()), interview=str(uuid.uuid4()),
        photo=str(uuid.uuid4()), variant="full", notification=str(uuid.uuid4()),
        user=str(uuid.uuid4()), username="nobody-" + uuid.uuid4().hex[:8],
        credit_code=factory.credit_code(), marker=None, campaign=campaign_id,
        activity=str(uuid.uuid4()), submission=str(uuid.uuid4()), extension=str(uuid.uuid4()),
        tip=str(uuid.uuid4()), tip_photo=str(uuid.uuid4()), tracking_code="ZZZZ-ZZZZ-ZZZZ",
        inspector=str(uuid.uuid4()), checklist=str(uuid.uuid4()), bulletin=str(uuid.uuid4()),
        plan=str(uuid.uuid4()), task=str(uuid.uuid4()))
    return SimpleNamespace(app=app, users=users, targets=targets, unknown=unknown,
                           client_for=client_for)


def _client(world, role):
    if role == "anonymous":
        from tests.conftest import ApiClient
        return ApiClient(world.app.test_client())
    return world.client_for(world.users[role])


def _ask(client, method, rule, probe: Probe, t, me, **override):
    url = rule
    for name, make in probe.path.items():
        url = re.sub(r"<(?:[^<>]*:)?" + name + ">", str(make(t)), url)
    kwargs = {}
    if probe.query:
        kwargs["query_string"] = probe.query(t)
    if probe.json:
        kwargs["json"] = probe.json(t, me)
    if probe.form:
        kwargs["data"] = probe.form(t, me)
        kwargs["content_type"] = "multipart/form-data"
    if "query_string" in override and probe.query:
        override = {**override, "query_string": {**probe.query(t), **override["query_string"]}}
    kwargs.update(override)
    if "data" in override:
        kwargs["content_type"] = "multipart/form-data"
    return client.open(method, url, **kwargs)


def readable(response) -> str:
    """The text of an answer: JSON, CSV and HTML as they are, XLSX unpacked, PDF extracted."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return " ".join(book.read(n).decode("utf-8", "replace") for n in book.namelist()
                            if n.endswith(".xml"))
    if data[:5] == b"%PDF-":
        return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "replace")


def _normalised(response, *ids) -> tuple:
    body = response.get_data().decode("utf-8", "replace")
    for value in ids:
        body = body.replace(str(value), "<ID>")
    return response.status_code, body


def _leaks(answer_text: str, t) -> list[str]:
    found = [t.marker] if t.marker in answer_text else []
    return found + [f"{name}={getattr(t, name)}" for name in ("enterprise", "hazard",
                                                             "inspection", "interview",
                                                             "photo", "notification",
                                                             "activity", "submission",
                                                             "extension", "tip")
                    if getattr(t, name) and str(getattr(t, name)) in answer_text]


def _snapshot(app, skip_users: set) -> dict:
    """Every row of every table but the sessions and login counters (the probes log in and
    fail logins), and notifications of the probing users (read-all is theirs to do)."""
    from app.extensions import db
    rows = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in ("user_sessions", "login_failures"):
                continue
            result = db.session.execute(select(table)).mappings().all()
            kept = []
            for row in result:
                row = dict(row)
                if table.name == "notifications" and row["user_id"] in skip_users:
                    continue
                if table.name == "users":
                    row.pop("last_login_at", None)
                kept.append(tuple(sorted((k, str(v)) for k, v in row.items())))
            rows[table.name] = sorted(kept)
        db.session.execute(text("SELECT 1"))
    return rows


def _applies(probe: Probe, role: str, key: str) -> bool:
    """Whether every record ``probe`` names is outside ``role``'s reach for target ``key``."""
    if role == "admin":
        return set(probe.needs) <= ADMIN_FOREIGN_KINDS
    if key == "B":
        return not set(probe.needs) & SHARED_WITH_B
    return True


# --------------------------------------------------------------------------- the tests
def test_every_route_is_in_the_matrix(app):
    assert uncovered(app) == set(), "add these routes to MATRIX in tests/test_access_matrix.py"
    assert set(MATRIX) - {(m, r.rule) for r in app.url_map.iter_rules() for m in r.methods} \
        == set(), "the matrix names routes that no longer exist"


def test_a_new_route_fails_the_matrix(database_url, media_dir):
    """A route added to the application without a line in MATRIX is reported."""
    from flask import Blueprint

    from app import create_app
    from tests.conftest import make_config

    fresh = create_app(make_config(database_url, media_dir))
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/api/v1/hazards/<uuid:hazard_id>/secrets", "secrets",
                       lambda hazard_id: "", methods=["GET", "DELETE"])
    fresh.register_blueprint(extra)
    assert uncovered(fresh) == {("GET", "/api/v1/hazards/<uuid:hazard_id>/secrets"),
                                ("DELETE", "/api/v1/hazards/<uuid:hazard_id>/secrets")}


@pytest.mark.slow
def test_nothing_outside_the_scope_is_seen_or_changed(world, figures):
    app, targets, unknown = world.app, world.targets, world.unknown
    probing = {u.id for name, u in world.users.items() if name in FOREIGN}
    before = _snapshot(app, probing)
    problems: list[str] = []
    counts = {"requests": 0, "probes": 0, "refusals": 0, "lists_checked": 0}
    clients = {role: _client(world, role) for role in ROLES}
    # Foreign and unknown first: nothing may change. Own records (the controls) after.
    for role in ROLES:
        client, me = clients[role], targets["A"]
        for (method, rule), probe in MATRIX.items():
            if probe.kind in ("public", "self"):
                continue
            for key in FOREIGN[role]:
                t = targets[key]
                if probe.kind == "list":
                    if role == "admin":  # the admin's lists show every enterprise by rule
                        continue
                    variants = [{}] + [{f: getattr(t, f.removesuffix("_id"))}
                                       for f in probe.filters]
                    for args in variants:
                        response = _ask(client, method, rule, probe, t, me, query_string=args)
                        counts["requests"] += 1
                        counts["lists_checked"] += 1
                        if response.status_code >= 500 or response.status_code in (200, 201) \
                                and _leaks(readable(response), t):
                            problems.append(f"{role} {method} {rule} {args}: "
                                            f"{response.status_code} shows "
                                            f"{_leaks(readable(response), t)}")
                    continue
                if not _applies(probe, role, key):
                    continue
                foreign = _ask(client, method, rule, probe, t, me)
                absent = _ask(client, method, rule, probe, unknown, me)
                counts["requests"] += 2
                counts["probes"] += 1
                ids = [v for x in (t, unknown) for n, v in vars(x).items()
                       if n not in ("key", "variant") and v]
                if _normalised(foreign, *ids) != _normalised(absent, *ids):
                    problems.append(f"{role} {method} {rule} about {key}: {foreign.status_code} "
                                    f"{foreign.get_data()[:200]!r} but for an unknown record "
                                    f"{absent.status_code} {absent.get_data()[:200]!r}")
                elif foreign.status_code not in (401, 403, 404, 422):
                    problems.append(f"{role} {method} {rule} about {key}: "
                                    f"{foreign.status_code}, not a refusal")
                else:
                    counts["refusals"] += 1
                if _leaks(readable(foreign), t):
                    problems.append(f"{role} {method} {rule} about {key} shows "
                                    f"{_leaks(readable(foreign), t)}")
                if (method, rule) in CLIENT_IDS and role != "anonymous":
                    kind, make = CLIENT_IDS[(method, rule)]
                    taken = _ask(client, method, rule, probe, t, me, **make(t, me, getattr(t,
                                                                                           kind)))
                    counts["requests"] += 1
                    counts["probes"] += 1
                    if taken.status_code not in (403, 404) or _leaks(readable(taken), t):
                        problems.append(f"{role} {method} {rule} with the id of {key}'s {kind}: "
                                        f"{taken.status_code} {taken.get_data()[:200]!r}")
                    else:
                        counts["refusals"] += 1
    after = _snapshot(app, probing)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"probes outside the scope changed {changed}"
    assert not problems, "\n".join(problems)

    # Positive controls: about one's own records the same requests get other answers, and the
    # admin's lists show what the others' lists must not.
    controls = 0
    last = ("POST", "/api/v1/enterprises/<string:enterprise_id>/qr/rotate")  # A's old token ends
    for (method, rule), probe in sorted(MATRIX.items(), key=lambda item: item[0] == last):
        if probe.kind in ("object", "reference") and probe.control:
            answers = set()
            for role in ("admin", "supervisor", "inspector", "officer"):
                own = _ask(clients[role], method, rule, probe, targets["A"], targets["A"])
                absent = _ask(clients[role], method, rule, probe, unknown, targets["A"])
                counts["requests"] += 2
                ids = [v for x in (targets["A"], unknown) for n, v in vars(x).items()
                       if n not in ("key", "variant") and v]
                answers.add(_normalised(own, *ids) != _normalised(absent, *ids))
            assert True in answers, f"{method} {rule}: no role gets past the lookup"
            controls += 1
        if probe.kind == "list" and probe.control:
            shown = readable(_ask(clients["admin"], method, rule, probe, targets["C"],
                                  targets["A"]))
            counts["requests"] += 1
            assert "MARKC" in shown or targets["C"].community in shown, \
                f"{method} {rule}: the admin's answer shows C, so a leak would be seen"
            controls += 1
    figures("access-matrix", routes=len(MATRIX), roles=len(ROLES),
            objects_probed=counts["probes"], lists_checked=counts["lists_checked"],
            refusals=counts["refusals"], controls=controls, requests=counts["requests"])


def test_self_and_public_routes_show_nothing_of_another_scope(world):
    """The caller's own session, inbox and the public routes never carry another scope's
    markers; read-all leaves the others' notifications unread."""
    from app.extensions import db
    from app.notifications.models import Notification
    t = world.targets["C"]
    for role in ROLES:
        client = _client(world, role)
        for (method, rule), probe in MATRIX.items():
            if probe.kind not in ("public", "self"):
                continue
            if (method, rule) == ("POST", "/api/v1/auth/logout"):
                client = _client(world, role)  # a session of its own to end
            response = _ask(client, method, rule, probe, t, world.targets["A"])
            assert response.status_code < 500, (role, method, rule)
            if rule not in PUBLIC_BY_DESIGN:
                assert not _leaks(readable(response), t), (role, method, rule)
    with world.app.app_context():
        assert db.session.get(Notification, t.notification).read_at is None
