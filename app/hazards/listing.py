"""挂牌督办 (listed supervision) of major hazards, 摘牌 (delisting), and their register.

* A supervisor (``hazard.list``) lists a major hazard still under supervision, naming the
  supervising unit (督办单位), the deadline of the supervision (督办期限) and the person
  responsible (责任人). A general hazard, a closed one or one listed before: 409. Idempotent by
  client ``id`` (the same body again answers the stored listing).
* 摘牌 goes through :data:`app.hazards.workflow.LISTING_WORKFLOW` (a supervisor), once the hazard
  is closed (销号, 409 before) and with the assessment of the fix (评估意见, 422 without).
* Both are lines of the hazard's trail (``list``, ``delist``); the enterprise's officers hear
  of a listing. A listed hazard is marked wherever hazards are shown (``listed``), and
  :func:`register_rows` is the 挂牌督办台账 (JSON pages and XLSX).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.core.db import OneRow
from app.core.idempotency import create_or_replay
from app.core.models import expect_version
from app.core.pagination import Page, paginate
from app.core.permissions import get_or_404, in_scope, require, scope_clause
from app.core.timeutil import local, utcnow
from app.core.workflow import apply
from app.documents.spreadsheet import write_xlsx
from app.errors import Conflict, Invalid
from app.extensions import db
from app.hazards import oversight
from app.hazards.choices import (DELISTED, HAZARD_STATES, LISTED, LISTING_STATES,
                                 configured_categories)
from app.hazards.models import Hazard, HazardEvent
from app.hazards.operations import get_hazard, record_event
from app.hazards.oversight_models import HazardListing
from app.hazards.workflow import LISTING_WORKFLOW
from app.notifications import choices as kinds
from app.notifications.operations import notify, officers_of
from app.registry.models import Community, Enterprise


def _fmt(value: datetime) -> str:
    return f"{local(value):%Y-%m-%d}"


def _listing_in_scope(user, listing) -> bool:
    hazard = db.session.get(Hazard, listing.hazard_id)
    return hazard is not None and in_scope(user, hazard)


def list_hazard(user, hazard_id: str, data: dict) -> tuple[Hazard, bool]:
    """挂牌督办 (see the module doc). Returns ``(hazard, created)``."""
    require(user, "hazard.list")
    hazard = get_or_404(Hazard, hazard_id, user, for_update=True)
    body = {"hazard_id": hazard.id, "unit": data["unit"].strip(),
            "responsible": data["responsible"].strip(), "deadline": data["deadline"],
            "note": (data.get("note") or "").strip() or None}
    now = utcnow()

    def build(listing_id: str, body_hash: str) -> HazardListing:
        refusal = oversight.listing_refusal(hazard)
        if refusal is not None:
            raise refusal
        for name in ("unit", "responsible"):
            if not body[name]:
                raise Invalid("此项不能为空 / Required.", field=name)
        if body["deadline"] <= now:
            raise Invalid("督办期限应晚于当前时间 / The supervision deadline must be in the "
                          "future.", field="deadline")
        return HazardListing(id=listing_id, payload_hash=body_hash, hazard_id=hazard.id,
                             state=LISTING_WORKFLOW.initial, unit=body["unit"],
                             deadline=body["deadline"], responsible=body["responsible"],
                             listed_by_id=user.id, listed_at=now)

    # A listing already on this hazard under another id is judged by the rules (409).
    result = create_or_replay(HazardListing, data.get("id"), body, build, user=user,
                              scope=_listing_in_scope)
    if result.created:
        listing = result.record
        record_event(hazard, user, "list", note=body["note"], at=now, data={
            "listing_id": listing.id, "unit": listing.unit, "responsible": listing.responsible,
            "deadline": listing.deadline.isoformat()})
        db.session.flush()
        db.session.expire(hazard, ["listing"])  # loaded (as none) with the hazard
        notify(officers_of(hazard.enterprise_id), kind=kinds.HAZARD_LISTED,
               title=f"挂牌督办：{hazard.title}",
               body=f"督办单位：{listing.unit}；督办期限：{_fmt(listing.deadline)}；"
                    f"责任人：{listing.responsible}。",
               subject_type="hazard", subject_id=hazard.id, exclude=user, now=now)
    return get_hazard(user, hazard.id), result.created


def delist_hazard(user, hazard_id: str, data: dict) -> Hazard:
    """摘牌: the hazard is closed and ``data['assessment']`` says how the fix was assessed.
    The hazard's row lock (PostgreSQL) orders two delistings of one listing."""
    hazard = get_or_404(Hazard, hazard_id, user, for_update=True)
    listing = hazard.listing
    if listing is None:
        raise Conflict("该隐患未挂牌督办 / The hazard is not listed.", field="listing")
    if data.get("version") is not None:
        expect_version(listing, data["version"])
    assessment = (data.get("assessment") or "").strip()
    now = utcnow()

    def guard(transition):
        refusal = oversight.delisting_refusal(hazard)
        if refusal is not None:
            raise refusal
        if not assessment:
            raise Invalid("请填写整改评估意见 / Give the assessment of the fix.",
                          field="assessment")
        listing.delisted_by_id = user.id
        listing.delisted_at = now
        listing.assessment = assessment

    def make_event(transition, **_):
        return HazardEvent(hazard_id=hazard.id, actor_id=user.id, action="delist",
                           from_state=hazard.state, to_state=hazard.state, at=now,
                           note=assessment, data={"listing_id": listing.id})

    try:
        apply(LISTING_WORKFLOW, listing, "delist", user, make_event=make_event, guard=guard)
    except StaleDataError:
        raise Conflict("记录已被他人修改，请刷新后重试 / The record was changed by someone else; "
                       "reload and try again.", field="version") from None
    return get_hazard(user, hazard.id)


# --------------------------------------------------------------------------- the register
#: (key, 中文表头) of the 挂牌督办台账, in order.
REGISTER_COLUMNS = (
    ("listed_at", "挂牌日期"), ("enterprise_name", "企业名称"), ("credit_code", "统一社会信用代码"),
    ("community_name", "所属社区"), ("title", "隐患名称"), ("category", "隐患类别"),
    ("place", "隐患地点"), ("unit", "督办单位"), ("responsible", "责任人"),
    ("deadline", "督办期限"), ("listed_by", "挂牌人"), ("hazard_state", "隐患状态"),
    ("hazard_deadline", "整改期限"), ("overdue", "是否逾期"), ("closed_at", "销号日期"),
    ("state", "督办状态"), ("delisted_at", "摘牌日期"), ("delisted_by", "摘牌人"),
    ("assessment", "评估意见"), ("hazard_id", "隐患编号"),
)


def register_query(user, args: dict):
    """The listings of hazards in scope, filtered by ``state`` (listed/delisted),
    ``community_id``, ``overdue``; earliest supervision deadline first, still-listed first."""
    lister, delister = aliased(User), aliased(User)
    now = utcnow()
    conditions = [scope_clause(user, Hazard)]
    if args.get("state"):
        conditions.append(HazardListing.state == args["state"])
    if args.get("community_id"):
        conditions.append(Hazard.community_id == args["community_id"])
    if args.get("overdue") is not None:
        late = Hazard.overdue_at(now)
        conditions.append(late if args["overdue"] else ~late)
    return (select(HazardListing, Hazard, Enterprise.name.label("enterprise_name"),
                   Enterprise.credit_code, Community.name.label("community_name"),
                   lister.display_name.label("listed_by"),
                   delister.display_name.label("delisted_by"))
            .join(Hazard, Hazard.id == HazardListing.hazard_id)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .join(Community, Community.id == Hazard.community_id)
            .outerjoin(lister, lister.id == HazardListing.listed_by_id)
            .outerjoin(delister, delister.id == HazardListing.delisted_by_id)
            .where(and_(*conditions))
            .order_by(case((HazardListing.state == LISTED, 0), else_=1), HazardListing.deadline,
                      HazardListing.id))


def _register_row(row, lang: str = "zh") -> dict:
    listing, hazard = row.HazardListing, row.Hazard
    return {
        "id": listing.id, "hazard_id": hazard.id, "title": hazard.title,
        "enterprise_id": hazard.enterprise_id, "enterprise_name": row.enterprise_name,
        "credit_code": row.credit_code, "community_id": hazard.community_id,
        "community_name": row.community_name, "place": hazard.place,
        "category": configured_categories().label(hazard.category, lang),
        "category_code": hazard.category,
        "unit": listing.unit, "responsible": listing.responsible, "deadline": listing.deadline,
        "listed_at": listing.listed_at, "listed_by": row.listed_by,
        "hazard_state": HAZARD_STATES.label(hazard.state, lang), "hazard_state_code": hazard.state,
        "hazard_deadline": hazard.deadline, "overdue": hazard.is_overdue,
        "closed_at": hazard.closed_at,
        "state": LISTING_STATES.label(listing.state, lang), "state_code": listing.state,
        "delisted_at": listing.delisted_at, "delisted_by": row.delisted_by,
        "assessment": listing.assessment, "version": listing.version,
    }


def register_page(user, args: dict) -> Page:
    """A page of the 挂牌督办台账 (JSON: the codes beside their labels)."""
    page = paginate(register_query(user, args), args["page"], args["per_page"])
    page.items = [_register_row(row) for row in page.items]
    return page


def register_xlsx(user, args: dict) -> bytes:
    """The whole 挂牌督办台账 matching ``args`` as XLSX (Chinese headers and labels)."""
    rows = [_register_row(row) for row in db.session.execute(register_query(user, args))]
    return write_xlsx(rows, REGISTER_COLUMNS, sheet_title="挂牌督办台账")


def listing_counts(hazard_scope, start: datetime, end: datetime) -> OneRow:
    """For the dashboard: listings of hazards matching ``hazard_scope`` still listed now, and
    those listed and delisted in ``[start, end)``; one aggregate (read with the dashboard's
    other counts, ``app.core.db.read_together``)."""
    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return OneRow(select(
        count(HazardListing.state == LISTED),
        count((HazardListing.listed_at >= start) & (HazardListing.listed_at < end)),
        count((HazardListing.state == DELISTED) & (HazardListing.delisted_at >= start)
              & (HazardListing.delisted_at < end)),
    ).where(oversight.of_hazards(HazardListing, hazard_scope)), lambda row: dict(zip(
        ("listed_now", "listed", "delisted"), map(int, row), strict=True)))
