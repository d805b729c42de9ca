"""Warnings and safety notices (预警、安全提示): a supervisor publishes one to the enterprises its
target matches; their officers find it in their inbox (and the signed webhook carries it to an
SMS gateway), acknowledge it (签收, once: again is the same answer), and the supervisor sees who
has and has not, and reminds the others (催签).

Recipients are fixed when the bulletin is published: one :class:`BulletinReceipt` per matching
enterprise in the publisher's communities. Services flush; the request commits.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.auth.choices import OFFICER
from app.auth.models import User
from app.core.db import new_id
from app.core.idempotency import CreateResult, create_or_replay
from app.core.pagination import Page, paginate
from app.core.permissions import can, require, scope_clause
from app.core.timeutil import utcnow
from app.core.workflow import apply
from app.errors import Forbidden, Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType
from app.extensions import db
from app.notifications import choices as kinds
from app.notifications.operations import notify
from app.notifications.webhooks import enqueue
from app.outreach.choices import (ACKNOWLEDGED, BULLETIN_KINDS, EVENT_BULLETIN_PUBLISHED,
                                  EVENT_BULLETIN_REMINDER, PENDING)
from app.outreach.models import Bulletin, BulletinAttachment, BulletinEvent, BulletinReceipt
from app.outreach.scope import bulletin_clause, get_bulletin
from app.outreach.workflow import RECEIPT_WORKFLOW
from app.photos import storage
from app.registry import moves
from app.registry.models import Community, Enterprise
from app.registry.scope import community_scope_clause

MEDIA_PREFIX = "bulletins"
TARGET_KEYS = ("community_ids", "industries", "risk_levels")


# --------------------------------------------------------------------------- attachment
def _safe_filename(name: str | None) -> str:
    name = re.sub(r"[\\/\x00-\x1f\x7f]+", "_", (name or "").strip()) or "notice.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-200:]


def upload_attachment(user, data: dict, content: bytes, filename: str | None) -> CreateResult:
    """附件: a PDF notice, stored before the bulletin that names it (``attachment_id``)."""
    require(user, "bulletin.publish")
    limit = current_app.config["BULLETIN_ATTACHMENT_MAX_BYTES"]
    if len(content) > limit:
        raise PayloadTooLarge(f"附件最大 {limit} 字节 / An attachment may have at most {limit} "
                              "bytes.", field="file")
    if not content:
        raise Invalid("文件为空 / The file is empty.", field="file")
    if b"%PDF-" not in content[:1024] or b"%%EOF" not in content[-2048:]:
        raise UnsupportedMediaType("附件应为 PDF 文件 / The attachment must be a PDF.",
                                   field="file")
    sha256 = hashlib.sha256(content).hexdigest()
    body = {"sha256": sha256, "filename": _safe_filename(filename)}
    staged = {}

    def build(attachment_id: str, body_hash: str) -> BulletinAttachment:
        now = utcnow()
        rel_dir = f"{MEDIA_PREFIX}/{storage.new_photo_dir(attachment_id, now)}"
        staged["rel_dir"] = rel_dir
        return BulletinAttachment(id=attachment_id, payload_hash=body_hash,
                                  filename=body["filename"], mime="application/pdf",
                                  size=len(content), sha256=sha256,
                                  path=f"{rel_dir}/notice.pdf", uploader_id=user.id,
                                  created_at=now)

    result = create_or_replay(BulletinAttachment, data.get("id"), body, build, user=user,
                              scope=lambda u, a: a.uploader_id == u.id)
    if result.created:
        storage.write_files(staged["rel_dir"], {"notice.pdf": content})
    return result


# --------------------------------------------------------------------------- publish
def _target(user, target: dict) -> dict:
    clean = {key: sorted(set(target.get(key) or [])) for key in TARGET_KEYS}
    if not any(clean.values()):
        raise Invalid("请至少选择一个社区、行业或风险等级 / Choose at least one community, "
                      "industry or risk colour.", field="target")
    if clean["community_ids"]:
        seen = set(db.session.scalars(select(Community.id).where(
            Community.id.in_(clean["community_ids"]), community_scope_clause(user))))
        unknown = [c for c in clean["community_ids"] if c not in seen]
        if unknown:
            raise Invalid(f"社区不存在：{'、'.join(unknown)} / Unknown community: "
                          f"{', '.join(unknown)}.", field="target.community_ids")
    return clean


def _matching(user, target: dict) -> list[tuple[str, str]]:
    """``(enterprise id, community id)`` of every enterprise in the publisher's scope that the
    target matches: each given list narrows (a community among them, and an industry among
    them, and a risk colour among them)."""
    conditions = [scope_clause(user, Enterprise)]
    if target["community_ids"]:
        conditions.append(Enterprise.community_id.in_(target["community_ids"]))
    if target["industries"]:
        conditions.append(Enterprise.industry.in_(target["industries"]))
    if target["risk_levels"]:
        conditions.append(Enterprise.risk_level.in_(target["risk_levels"]))
    return [tuple(row) for row in db.session.execute(
        select(Enterprise.id, Enterprise.community_id).where(*conditions)
        .order_by(Enterprise.id))]


def _officers_by_enterprise(enterprise_ids: list[str]) -> dict[str, list[User]]:
    found = defaultdict(list)
    for start in range(0, len(enterprise_ids), 500):
        for user in db.session.scalars(select(User).where(
                User.role == OFFICER, User.active.is_(True),
                User.enterprise_id.in_(enterprise_ids[start:start + 500]))
                .order_by(User.username)):
            found[user.enterprise_id].append(user)
    return found


def _excerpt(text: str, n: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= n else line[:n - 1] + "…"


def _message(bulletin: Bulletin, *, reminder: bool = False) -> dict:
    kind = BULLETIN_KINDS.label(bulletin.kind, "zh")
    ask = "请阅读并签收。" if bulletin.requires_ack else ""
    title = f"{'请签收' if reminder else kind}：{bulletin.title}"
    return {"title": title, "body": f"{ask}{_excerpt(bulletin.body)}"}


def _webhook(event: str, bulletin: Bulletin, enterprise_ids: list[str], now: datetime) -> None:
    """The signed webhook (app.notifications.webhooks): the bulletin and, for each enterprise,
    its officers with their phone numbers, so that an SMS gateway can forward it."""
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.in_(enterprise_ids))).all()) if enterprise_ids else {}
    officers = _officers_by_enterprise(enterprise_ids)
    attachment = bulletin.attachment
    enqueue(event, {
        "bulletin_id": bulletin.id, "kind": bulletin.kind,
        "kind_label": BULLETIN_KINDS.label(bulletin.kind, "zh"), "title": bulletin.title,
        "body": bulletin.body, "requires_ack": bulletin.requires_ack,
        "published_at": bulletin.published_at.isoformat(),
        "attachment": {"filename": attachment.filename, "sha256": attachment.sha256,
                       "size": attachment.size} if attachment else None,
        "recipients": [{"enterprise_id": eid, "enterprise_name": names.get(eid, ""),
                        "officers": [{"id": o.id, "display_name": o.display_name,
                                      "phone": o.phone or ""} for o in officers.get(eid, [])]}
                       for eid in enterprise_ids],
    }, now=now)


def publish(user, data: dict) -> CreateResult:
    """发布预警/安全提示 to the enterprises its target matches (idempotent by client id)."""
    require(user, "bulletin.publish")
    target = _target(user, data.get("target") or {})
    body = {"kind": data["kind"], "title": data["title"].strip(), "body": data["body"],
            "target": target, "requires_ack": bool(data.get("requires_ack")),
            "attachment_id": data.get("attachment_id") or None}
    matched: list = []

    def build(bulletin_id: str, body_hash: str) -> Bulletin:
        if body["attachment_id"]:
            attachment = db.session.get(BulletinAttachment, body["attachment_id"])
            if attachment is None or attachment.uploader_id != user.id:
                raise Invalid("附件不存在 / Unknown attachment.", field="attachment_id")
        matched.extend(_matching(user, target))
        if not matched:
            raise Invalid("没有符合条件的企业 / No enterprise matches the target.",
                          field="target")
        return Bulletin(id=bulletin_id, payload_hash=body_hash, kind=body["kind"],
                        title=body["title"], body=body["body"], target=target,
                        requires_ack=body["requires_ack"], attachment_id=body["attachment_id"],
                        author_id=user.id, published_at=utcnow())

    result = create_or_replay(Bulletin, data.get("id"), body, build, user=user,
                              scope=lambda u, b: b.author_id == u.id)
    bulletin = result.record
    if result.created:
        now = bulletin.published_at
        db.session.add_all([BulletinReceipt(id=new_id(), bulletin_id=bulletin.id,
                                            enterprise_id=eid, community_id=cid,
                                            state=RECEIPT_WORKFLOW.initial, version=1)
                            for eid, cid in matched])
        db.session.add(BulletinEvent(bulletin_id=bulletin.id, actor_id=user.id,
                                     action="publish", at=now,
                                     data={"enterprises": len(matched), "target": target}))
        db.session.flush()
        enterprise_ids = [eid for eid, _ in matched]
        officers = _officers_by_enterprise(enterprise_ids)
        notify([o for eid in enterprise_ids for o in officers.get(eid, [])],
               kind=kinds.BULLETIN, subject_type="bulletin", subject_id=bulletin.id,
               now=now, **_message(bulletin))
        _webhook(EVENT_BULLETIN_PUBLISHED, bulletin, enterprise_ids, now)
    return CreateResult(get_bulletin_detail(user, bulletin.id), result.created)


# --------------------------------------------------------------------------- reading
def _own_receipt(user, bulletin_id: str) -> BulletinReceipt | None:
    if user.role != OFFICER or not user.enterprise_id:
        return None
    return db.session.scalar(select(BulletinReceipt).where(
        BulletinReceipt.bulletin_id == bulletin_id,
        BulletinReceipt.enterprise_id == user.enterprise_id))


def _counts(user, bulletin_ids: list[str]) -> dict[str, tuple[int, int]]:
    """``{bulletin id: (acknowledged, pending)}`` over the receipts in ``user``'s scope."""
    if not bulletin_ids:
        return {}
    acked = func.sum(case((BulletinReceipt.state == ACKNOWLEDGED, 1), else_=0))
    return {bid: (int(a or 0), int(n) - int(a or 0)) for bid, a, n in db.session.execute(
        select(BulletinReceipt.bulletin_id, acked, func.count()).where(
            BulletinReceipt.bulletin_id.in_(bulletin_ids),
            scope_clause(user, BulletinReceipt)).group_by(BulletinReceipt.bulletin_id))}


def _annotate(user, bulletins: list[Bulletin]) -> list[Bulletin]:
    ids = [b.id for b in bulletins]
    if user.role == OFFICER:
        states = dict(db.session.execute(select(BulletinReceipt.bulletin_id,
                                                BulletinReceipt.state).where(
            BulletinReceipt.bulletin_id.in_(ids),
            BulletinReceipt.enterprise_id == user.enterprise_id)).all()) if ids else {}
        for bulletin in bulletins:
            bulletin.my_state = states.get(bulletin.id)
    else:
        counts = _counts(user, ids)
        for bulletin in bulletins:
            bulletin.acknowledged_count, bulletin.pending_count = counts.get(bulletin.id, (0, 0))
    for bulletin in bulletins:
        bulletin.attachment_url = (url_for("bulletins.attachment_file", bulletin_id=bulletin.id)
                                   if bulletin.attachment_id else None)
    return bulletins


def list_bulletins(user, args: dict) -> Page:
    """The bulletins in ``user``'s reach, newest first; an officer's with its own receipt's
    state (``pending_only``: those it still has to acknowledge)."""
    conditions = [bulletin_clause(user)]
    if args.get("pending_only") and user.role == OFFICER:
        conditions.append(Bulletin.id.in_(select(BulletinReceipt.bulletin_id).where(
            BulletinReceipt.enterprise_id == user.enterprise_id,
            BulletinReceipt.state == PENDING)))
    page = paginate(select(Bulletin).where(*conditions).options(
        selectinload(Bulletin.author), selectinload(Bulletin.attachment))
        .order_by(Bulletin.published_at.desc(), Bulletin.id), args["page"], args["per_page"])
    _annotate(user, page.items)
    return page


def get_bulletin_detail(user, bulletin_id: str) -> Bulletin:
    """One bulletin; for an officer its own receipt, for whoever may see receipts
    (``bulletin.receipts``) the enterprises in scope that acknowledged it and those pending."""
    bulletin = get_bulletin(user, bulletin_id)
    _annotate(user, [bulletin])
    bulletin.receipt = _own_receipt(user, bulletin.id)
    if can(user, "bulletin.receipts"):
        receipts = db.session.scalars(select(BulletinReceipt).where(
            BulletinReceipt.bulletin_id == bulletin.id, scope_clause(user, BulletinReceipt))
            .options(selectinload(BulletinReceipt.enterprise),
                     selectinload(BulletinReceipt.acknowledged_by))).all()
        officers = _officers_by_enterprise([r.enterprise_id for r in receipts])
        for receipt in receipts:
            receipt.officer_count = len(officers.get(receipt.enterprise_id, []))
        bulletin.acknowledged = sorted((r for r in receipts if r.state == ACKNOWLEDGED),
                                       key=lambda r: (r.acknowledged_at, r.enterprise_id))
        bulletin.pending = sorted((r for r in receipts if r.state == PENDING),
                                  key=lambda r: (r.enterprise.name, r.enterprise_id))
    bulletin.can_remind = (can(user, "bulletin.remind")
                           and bool(getattr(bulletin, "pending", None)))
    return bulletin


def attachment_file(user, bulletin_id: str):
    """``(path, attachment)`` of a bulletin's attachment, for whoever may see the bulletin."""
    bulletin = get_bulletin(user, bulletin_id)
    if bulletin.attachment is None:
        raise NotFound("该通知没有附件 / The bulletin has no attachment.")
    return storage.open_path(bulletin.attachment.path), bulletin.attachment


# --------------------------------------------------------------------------- acknowledge, remind
def acknowledge(user, bulletin_id: str) -> tuple[Bulletin, bool]:
    """签收: the officer's enterprise acknowledges the bulletin. Again: the same answer, nothing
    changed. Returns ``(bulletin, changed)``."""
    bulletin = get_bulletin(user, bulletin_id)
    receipt = _own_receipt(user, bulletin.id)
    if receipt is None:
        # Seen by someone it was not sent to (a supervisor, an inspector): the receipt table
        # names the officers of the enterprises it reached, no one else.
        raise Forbidden("只有收到通知的企业安全员可以签收 / Only the officers of the enterprises "
                        "it was sent to acknowledge it.", field="action")
    receipt = db.session.get(BulletinReceipt, receipt.id, with_for_update=True,
                             populate_existing=True)
    if receipt.state == ACKNOWLEDGED:
        return get_bulletin_detail(user, bulletin.id), False
    now = utcnow()

    def guard(_transition):
        receipt.acknowledged_at = now
        receipt.acknowledged_by_id = user.id

    def make_event(transition, **_):
        return BulletinEvent(bulletin_id=bulletin.id, enterprise_id=receipt.enterprise_id,
                             actor_id=user.id, action=transition.action,
                             from_state=transition.source, to_state=transition.target, at=now)

    apply(RECEIPT_WORKFLOW, receipt, "acknowledge", user, make_event=make_event, guard=guard)
    return get_bulletin_detail(user, bulletin.id), True


def remind(user, bulletin_id: str) -> dict:
    """催签: the officers of the enterprises in scope that have not acknowledged hear of it
    again (inbox and webhook). Returns ``{"enterprises", "messages"}``."""
    bulletin = get_bulletin(user, bulletin_id)
    require(user, "bulletin.remind")
    now = utcnow()
    pending = db.session.scalars(select(BulletinReceipt).where(
        BulletinReceipt.bulletin_id == bulletin.id, BulletinReceipt.state == PENDING,
        scope_clause(user, BulletinReceipt)).order_by(BulletinReceipt.enterprise_id)).all()
    if not pending:
        return {"enterprises": 0, "messages": 0}
    enterprise_ids = [r.enterprise_id for r in pending]
    officers = _officers_by_enterprise(enterprise_ids)
    messages = notify([o for eid in enterprise_ids for o in officers.get(eid, [])],
                      kind=kinds.BULLETIN_REMINDER, subject_type="bulletin",
                      subject_id=bulletin.id, now=now, **_message(bulletin, reminder=True))
    db.session.execute(BulletinReceipt.__table__.update().where(
        BulletinReceipt.id.in_([r.id for r in pending])).values(reminded_at=now))
    db.session.add(BulletinEvent(bulletin_id=bulletin.id, actor_id=user.id, action="remind",
                                 at=now, data={"enterprise_ids": enterprise_ids,
                                               "messages": messages}))
    db.session.flush()
    _webhook(EVENT_BULLETIN_REMINDER, bulletin, enterprise_ids, now)
    return {"enterprises": len(enterprise_ids), "messages": messages}


# --------------------------------------------------------------------------- enterprise moved
def on_enterprise_moved(enterprise, *, move, note: str, actor_id, now, **_) -> dict:
    """The enterprise's receipts follow it to its new community, so the new community's
    supervisors see them (and the old one's no longer)."""
    rows = moves.carry(BulletinReceipt, enterprise)
    bulletin_ids = dict(db.session.execute(
        select(BulletinReceipt.id, BulletinReceipt.bulletin_id).where(
            BulletinReceipt.id.in_([row[0] for row in rows]))).all()) if rows else {}
    for receipt_id, state in rows:
        db.session.add(BulletinEvent(bulletin_id=bulletin_ids[receipt_id],
                                     enterprise_id=enterprise.id, actor_id=actor_id,
                                     action=moves.MOVE, from_state=state, to_state=state, at=now,
                                     data={**moves.move_data(move), "note": note}))
    return {"bulletin_receipts": len(rows)} if rows else {}  # named only when some moved
