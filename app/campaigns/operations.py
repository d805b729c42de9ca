"""Campaigns (专项活动) and activities (活动): the service layer.

A campaign is the 街道's (every community reports to it); everyone logged in reads campaigns,
supervisors set them up. Activities belong to a community: its inspectors and supervisors
record them, an enterprise's safety officer records its own training and drills (they wait for a
supervisor's confirmation, :mod:`app.campaigns.workflow`). Every change of an activity writes an
:class:`ActivityEvent`; services flush, the request commits.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from app.campaigns.choices import (ACTIVITY_KINDS, CONFIRMED, DRILL, ENDED, LATE, MISSING,
                                   MISSING_LATE, OFFICER_KINDS, ON_TIME, PENDING, REPORTING,
                                   RUNNING, UPCOMING)
from app.campaigns.models import Activity, ActivityEvent, Campaign, Submission
from app.campaigns.workflow import ACTIVITY_WORKFLOW, NOTE_REQUIRED, RECORDED_STATE
from app.core.idempotency import CreateResult, create_or_replay
from app.core.models import expect_version
from app.core.pagination import Page, paginate
from app.core.permissions import get_or_404, require, scope_clause
from app.core.roles import ADMIN, COMMUNITY_ROLES, OFFICER
from app.core.timeutil import SHANGHAI, utcnow
from app.core.workflow import apply
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.photos.models import Photo
from app.registry.models import Community, Enterprise
from app.registry.scope import community_scope_clause

STALE_ACTIVITY = ("活动记录已被他人修改，请刷新后重试 / "
                  "The activity was changed by someone else; reload and try again.")
#: A campaign spans at most a year (the dashboard's periods do too).
MAX_CAMPAIGN_DAYS = 366
#: How long before it starts a campaign is shown on the home screens.
UPCOMING_DAYS = 14


def today_in_shanghai(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(SHANGHAI).date()


def _zh_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# --------------------------------------------------------------------------- campaigns
def _check_period(data: dict) -> None:
    starts, ends, due = data["starts_on"], data["ends_on"], data["submission_due"]
    if ends < starts:
        raise Invalid("结束日期不能早于开始日期 / ends_on is before starts_on.", field="ends_on")
    if (ends - starts).days >= MAX_CAMPAIGN_DAYS:
        raise Invalid(f"一次活动最长 {MAX_CAMPAIGN_DAYS} 天 / A campaign lasts at most "
                      f"{MAX_CAMPAIGN_DAYS} days.", field="ends_on")
    if due < starts:
        raise Invalid("报送截止日期不能早于活动开始日期 / submission_due is before starts_on.",
                      field="submission_due")
    if (due - ends).days > MAX_CAMPAIGN_DAYS:
        raise Invalid("报送截止日期距活动结束过远 / submission_due is too long after ends_on.",
                      field="submission_due")


def create_campaign(user, data: dict, *, now: datetime | None = None) -> CreateResult:
    """设立专项活动 (supervisors, administrators); idempotent by client ``id``."""
    require(user, "campaign.manage")

    def build(campaign_id: str, body_hash: str) -> Campaign:
        _check_period(data)
        return Campaign(id=campaign_id, payload_hash=body_hash, name=data["name"].strip(),
                        starts_on=data["starts_on"], ends_on=data["ends_on"],
                        submission_due=data["submission_due"], created_by=user.id)

    result = create_or_replay(Campaign, data.get("id"), data, build, user=user,
                              scope=lambda _user, _campaign: True)
    _with_status(result.record, today_in_shanghai(now))
    return result


def phase_of(campaign: Campaign, today: date) -> str:
    if today < campaign.starts_on:
        return UPCOMING
    if today <= campaign.ends_on:
        return RUNNING
    if today <= campaign.submission_due:
        return REPORTING
    return ENDED


def _with_status(campaign: Campaign, today: date) -> Campaign:
    """``campaign`` with where it stands on ``today``: ``phase``, ``days_left`` (days of the
    campaign still to come, today included; ``None`` unless running), ``days_to_start`` and
    ``days_to_due`` (negative once passed)."""
    campaign.today = today
    campaign.phase = phase_of(campaign, today)
    campaign.days_left = ((campaign.ends_on - today).days + 1
                          if campaign.phase == RUNNING else None)
    campaign.days_to_start = (campaign.starts_on - today).days
    campaign.days_to_due = (campaign.submission_due - today).days
    return campaign


def list_campaigns(user, *, page: int = 1, per_page: int = 20,
                   now: datetime | None = None) -> Page:
    """Every campaign, the latest first (everyone logged in reads them)."""
    listed = paginate(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id),
                      page, per_page)
    today = today_in_shanghai(now)
    for campaign in listed.items:
        _with_status(campaign, today)
    return listed


def current_campaign(user, *, now: datetime | None = None) -> Campaign | None:
    """The campaign the home screens show: the one running today (the latest started), else the
    one whose summaries are due next, else the next to start within :data:`UPCOMING_DAYS`."""
    today = today_in_shanghai(now)
    running = db.session.scalar(select(Campaign).where(
        Campaign.starts_on <= today, Campaign.ends_on >= today)
        .order_by(Campaign.starts_on.desc(), Campaign.id).limit(1))
    reporting = running or db.session.scalar(select(Campaign).where(
        Campaign.ends_on < today, Campaign.submission_due >= today)
        .order_by(Campaign.submission_due, Campaign.id).limit(1))
    chosen = reporting or db.session.scalar(select(Campaign).where(
        Campaign.starts_on > today, Campaign.starts_on <= today + timedelta(days=UPCOMING_DAYS))
        .order_by(Campaign.starts_on, Campaign.id).limit(1))
    return _with_status(chosen, today) if chosen is not None else None


def get_campaign_record(campaign_id: str, *, for_update: bool = False) -> Campaign:
    campaign = db.session.get(Campaign, str(campaign_id), with_for_update=for_update or None)
    if campaign is None:
        raise NotFound("专项活动不存在 / Campaign not found.")
    return campaign


def get_campaign(user, campaign_id: str, *, now: datetime | None = None) -> Campaign:
    """A campaign with its submissions board for the communities ``user`` sees."""
    campaign = get_campaign_record(campaign_id)
    today = today_in_shanghai(now)
    _with_status(campaign, today)
    board = submissions_board(user, campaign, today)
    campaign.submissions = board["submissions"]
    campaign.missing = board["missing"]
    campaign.counts = board["counts"]
    campaign.activity_counts = activity_counts(user, campaign)
    return campaign


def board_communities(user) -> list[Community]:
    """The communities whose submissions ``user`` follows: a supervisor's or inspector's, all
    for an administrator, none for an enterprise's officer."""
    if user.role != ADMIN and user.role not in COMMUNITY_ROLES:
        return []
    return list(db.session.scalars(select(Community).where(community_scope_clause(user))
                                   .order_by(Community.code, Community.name)))


def submission_visible(user, submission) -> bool:
    if user is None:
        return False
    if user.role == ADMIN:
        return True
    return user.role in COMMUNITY_ROLES and submission.community_id in set(user.community_ids)


def submissions_board(user, campaign: Campaign, today: date) -> dict:
    """报送情况 of each community ``user`` follows: ``submissions`` (each ``late`` when made after
    the due day) and ``missing`` (``late`` once the due day has passed), and the counts."""
    communities = board_communities(user)
    by_id = {c.id: c for c in communities}
    made = list(db.session.scalars(
        select(Submission).where(Submission.campaign_id == campaign.id,
                                 Submission.community_id.in_(list(by_id)))
        .options(selectinload(Submission.submitter))
        .order_by(Submission.submitted_at, Submission.id))) if by_id else []
    submitted = {s.community_id for s in made}
    overdue = today > campaign.submission_due
    for submission in made:
        submission.community_name = by_id[submission.community_id].name
        submission.status = LATE if submission.late else ON_TIME
    missing = [{"community_id": c.id, "community_name": c.name, "late": overdue,
                "status": MISSING_LATE if overdue else MISSING}
               for c in communities if c.id not in submitted]
    late = sum(1 for s in made if s.late)
    return {"submissions": made, "missing": missing, "counts": {
        "communities": len(communities), "submitted": len(made), "on_time": len(made) - late,
        "late": late, "missing": len(missing), "missing_late": len(missing) if overdue else 0}}


# --------------------------------------------------------------------------- activities
def _community_for(user, community_id: str) -> Community:
    community = db.session.scalar(select(Community).where(
        Community.id == str(community_id), community_scope_clause(user)))
    if community is None:  # unknown and not-yours answer the same
        raise Invalid("社区不存在 / Unknown community.", field="community_id")
    return community


def _campaign_for(campaign_id: str | None, held_on: date) -> Campaign | None:
    """The campaign an activity counts for: the one named (``held_on`` must fall in its period),
    else the campaign running on ``held_on`` (the latest started), else none."""
    if campaign_id:
        campaign = db.session.get(Campaign, str(campaign_id))
        if campaign is None:
            raise Invalid("专项活动不存在 / Unknown campaign.", field="campaign_id")
        if not campaign.starts_on <= held_on <= campaign.ends_on:
            raise Invalid(f"活动日期应在“{campaign.name}”期间（{_zh_date(campaign.starts_on)}至"
                          f"{_zh_date(campaign.ends_on)}） / held_on must fall within the "
                          f"campaign ({campaign.starts_on.isoformat()} to "
                          f"{campaign.ends_on.isoformat()}).", field="held_on")
        return campaign
    return db.session.scalar(select(Campaign).where(
        Campaign.starts_on <= held_on, Campaign.ends_on >= held_on)
        .order_by(Campaign.starts_on.desc(), Campaign.id).limit(1))


def _enterprises_for(user, community: Community, ids: list[str]) -> list[Enterprise]:
    wanted = list(dict.fromkeys(str(i) for i in ids))
    if not wanted:
        return []
    # FOR SHARE: an enterprise moving to another community waits for this record (see
    # app.registry.moves), so "in the community" holds when it commits.
    found = {e.id: e for e in db.session.scalars(
        select(Enterprise).where(Enterprise.id.in_(wanted)).with_for_update(read=True))}
    outside = [i for i in wanted if i not in found or found[i].community_id != community.id]
    if outside:
        raise Invalid(f"以下企业不在{community.name}：{', '.join(outside)} / These enterprises are "
                      f"not in the community: {', '.join(outside)}", field="enterprise_ids")
    return [found[i] for i in wanted]


def _check_drill_fields(data: dict) -> None:
    if data["kind"] == DRILL:
        if not (data.get("scenario") or "").strip():
            raise Invalid("应急演练需填写演练科目（情景） / A drill needs its scenario.",
                          field="scenario")
        return
    for name in ("scenario", "problems"):
        if (data.get(name) or "").strip():
            raise Invalid("只有应急演练填写演练科目和发现的问题 / Only a drill has a scenario and "
                          "problems found.", field=name)


def create_activity(user, data: dict, *, now: datetime | None = None) -> CreateResult:
    """登记活动 (idempotent by client ``id``): a community's inspectors and supervisors record
    any kind; an enterprise's officer its own training and drills, which wait for a supervisor's
    confirmation."""
    require(user, "activity.record")
    today = today_in_shanghai(now)

    def build(activity_id: str, body_hash: str) -> Activity:
        kind = data["kind"]
        officer = user.role == OFFICER
        if officer and kind not in OFFICER_KINDS:
            labels_zh = "和".join(ACTIVITY_KINDS.label(k, "zh") for k in sorted(OFFICER_KINDS))
            labels_en = " and ".join(ACTIVITY_KINDS.label(k, "en").lower()
                                     for k in sorted(OFFICER_KINDS))
            raise Forbidden(f"企业安全员只能登记本企业的{labels_zh} / An enterprise officer "
                            f"records its own {labels_en} only.", field="kind")
        community = _community_for(user, data["community_id"])
        held_on = data["held_on"]
        if held_on > today:
            raise Invalid("活动日期不能晚于今天 / held_on is in the future.", field="held_on")
        campaign = _campaign_for(data.get("campaign_id"), held_on)
        enterprise_ids = list(data.get("enterprise_ids") or [])
        if officer:
            own = user.enterprise_id
            if any(str(i) != own for i in enterprise_ids):
                raise Invalid("企业安全员只能登记本企业的活动 / An enterprise officer records its "
                              "own enterprise's activities only.", field="enterprise_ids")
            enterprise_ids = [own]
        enterprises = _enterprises_for(user, community, enterprise_ids)
        _check_drill_fields(data)
        activity = Activity(
            id=activity_id, payload_hash=body_hash, campaign_id=campaign.id if campaign else None,
            community_id=community.id, enterprise_id=user.enterprise_id if officer else None,
            kind=kind, state=RECORDED_STATE[user.role], title=data["title"].strip(),
            held_on=held_on, place=(data.get("place") or "").strip(),
            participants=data["participants"], note=(data.get("note") or "").strip() or None,
            scenario=(data.get("scenario") or "").strip() or None,
            problems=(data.get("problems") or "").strip() or None, recorder_id=user.id)
        activity.enterprises = enterprises
        return activity

    result = create_or_replay(Activity, data.get("id"), data, build, user=user)
    if result.created:
        activity = result.record
        db.session.add(ActivityEvent(activity_id=activity.id, actor_id=user.id, action="record",
                                     from_state=None, to_state=activity.state, at=now or utcnow(),
                                     data={"kind": activity.kind,
                                           "campaign_id": activity.campaign_id}))
        db.session.flush()
    _detailed(user, result.record)
    return result


def activity_filter(user, args: dict):
    """The WHERE clause of the activity list (``campaign_id``, ``community_id``, ``kind``,
    ``state``, ``held_from``, ``held_to``) within the user's scope."""
    conditions = [scope_clause(user, Activity)]
    for name in ("campaign_id", "community_id", "kind", "state"):
        if args.get(name):
            conditions.append(getattr(Activity, name) == args[name])
    if args.get("held_from"):
        conditions.append(Activity.held_on >= args["held_from"])
    if args.get("held_to"):
        conditions.append(Activity.held_on <= args["held_to"])
    return and_(*conditions)


def list_activities(user, args: dict) -> Page:
    """Activities in scope, the latest held first, each with its photo count and first photo."""
    query = (select(Activity).where(activity_filter(user, args))
             .options(selectinload(Activity.enterprises), selectinload(Activity.recorder),
                      selectinload(Activity.community))
             .order_by(Activity.held_on.desc(), Activity.created_at.desc(), Activity.id))
    listed = paginate(query, args.get("page", 1), args.get("per_page", 20))
    photos = photos_of([a.id for a in listed.items])
    for activity in listed.items:
        mine = photos.get(activity.id, [])
        activity.photo_count = len(mine)
        activity.cover = mine[0] if mine else None
        activity.allowed_actions = ACTIVITY_WORKFLOW.actions_for(activity, user.role)
    return listed


def photos_of(activity_ids: list[str]) -> dict[str, list[Photo]]:
    """The photos of each activity, oldest first: one query."""
    out: dict[str, list[Photo]] = defaultdict(list)
    if activity_ids:
        for photo in db.session.scalars(select(Photo).where(Photo.activity_id.in_(activity_ids))
                                        .order_by(Photo.created_at, Photo.id)):
            out[photo.activity_id].append(photo)
    return out


def activity_records(condition) -> list[dict]:
    """The activities matching ``condition``, oldest first, as plain data: what a summary
    prints and a submission freezes (their enterprises, and the id and SHA-256 of their
    photos)."""
    activities = list(db.session.scalars(
        select(Activity).where(condition)
        .options(selectinload(Activity.enterprises), selectinload(Activity.recorder))
        .order_by(Activity.held_on, Activity.created_at, Activity.id)))
    photos = photos_of([a.id for a in activities])
    return [{
        "id": a.id, "kind": a.kind, "title": a.title, "held_on": a.held_on.isoformat(),
        "place": a.place, "participants": a.participants,
        "enterprises": [{"id": e.id, "name": e.name} for e in a.enterprises],
        "note": a.note, "scenario": a.scenario, "problems": a.problems,
        "recorder": a.recorder.display_name if a.recorder else "",
        "photos": [{"id": p.id, "sha256": p.sha256} for p in photos.get(a.id, [])],
    } for a in activities]


def campaign_activities(user, **filters) -> list[dict]:
    """The confirmed activities in ``user``'s scope matching ``filters`` (those of
    :func:`activity_filter`), as :func:`activity_records` gives them."""
    return activity_records(activity_filter(user, {**filters, "state": CONFIRMED}))


def get_activity(user, activity_id: str) -> Activity:
    return _detailed(user, get_or_404(Activity, activity_id, user))


def _detailed(user, activity: Activity) -> Activity:
    """``activity`` with its photos, its trail and what ``user`` may do with it now."""
    photos = photos_of([activity.id]).get(activity.id, [])
    activity.photos = photos
    activity.photo_count = len(photos)
    activity.cover = photos[0] if photos else None
    activity.events = list(db.session.scalars(
        select(ActivityEvent).where(ActivityEvent.activity_id == activity.id)
        .options(selectinload(ActivityEvent.actor))
        .order_by(ActivityEvent.at, ActivityEvent.id)))
    activity.allowed_actions = ACTIVITY_WORKFLOW.actions_for(activity, user.role)
    return activity


def transition_activity(user, activity_id: str, data: dict, *,
                        now: datetime | None = None) -> Activity:
    """确认 or 退回 an officer's activity (a supervisor of its community); 409 for a stale
    ``version`` or a step the table has no row for; ``return`` needs a ``note``."""
    activity = get_or_404(Activity, activity_id, user, for_update=True)
    expect_version(activity, data["version"], STALE_ACTIVITY)
    action = data["action"]
    note = (data.get("note") or "").strip() or None

    def guard(_transition):
        if action in NOTE_REQUIRED and not note:
            raise Invalid("退回时请说明原因 / Say why it is returned.", field="note")

    from_state = activity.state
    apply(ACTIVITY_WORKFLOW, activity, action, user, guard=guard,
          make_event=lambda transition, **_: ActivityEvent(
              activity_id=activity.id, actor_id=user.id, action=action, from_state=from_state,
              to_state=transition.target, at=now or utcnow(), note=note))
    return _detailed(user, activity)


def activity_counts(user, campaign: Campaign) -> dict:
    """The campaign's activities in ``user``'s scope: how many are confirmed and wait for
    confirmation, and the confirmed ones by kind (count and participants)."""
    rows = db.session.execute(
        select(Activity.kind, Activity.state, func.count(), func.sum(Activity.participants))
        .where(Activity.campaign_id == campaign.id, scope_clause(user, Activity))
        .group_by(Activity.kind, Activity.state)).all()
    by_kind = {k: {"count": 0, "participants": 0} for k in ACTIVITY_KINDS}
    pending = confirmed = 0
    for kind, state, n, people in rows:
        if state == PENDING:
            pending += n
        elif state == CONFIRMED:
            confirmed += n
            slot = by_kind.setdefault(kind, {"count": 0, "participants": 0})
            slot["count"] += n
            slot["participants"] += int(people or 0)
    return {"confirmed": confirmed, "pending": pending,
            "by_kind": [{"key": k, **ACTIVITY_KINDS.labels(k), **v} for k, v in by_kind.items()]}
