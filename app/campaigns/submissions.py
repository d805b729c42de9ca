"""报送: a community's supervisor submits its campaign summary, which freezes it.

What is frozen, in one INSERT that nothing ever updates (migration 0007 makes the table refuse
UPDATE, and DELETE on PostgreSQL):

* ``activities`` — the community's confirmed activities of the campaign as they stood, each with
  its enterprises and the id and SHA-256 of its photos;
* ``figures`` — the hazard and inspection figures of the campaign's period (the reports domain's,
  :data:`app.campaigns.signals.summary_wanted`) and the activities by kind;
* ``content_sha256`` — SHA-256 of the canonical JSON of the campaign, the community, the time,
  the figures and the activities: printed on the PDF and shown on the screen, it names exactly
  what was reported (a PDF cannot print its own hash);
* ``pdf`` and ``pdf_sha256`` — the summary PDF byte for byte, served as it was made.

A second submission for the same campaign and community is a 409, whoever makes it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from app.campaigns.choices import ACTIVITY_KINDS, CONFIRMED
from app.campaigns.models import Activity, Campaign, Submission
from app.campaigns.operations import (activity_records, get_campaign_record,
                                      submission_visible, today_in_shanghai)
from app.campaigns.signals import summary_wanted
from app.core.db import new_id
from app.core.permissions import require
from app.core.timeutil import local, utcnow
from app.errors import Conflict, NotFound
from app.extensions import db
from app.registry.models import Community
from app.registry.scope import visible_community


@dataclass(frozen=True)
class FrozenSummary:
    """What the reports domain answers :data:`summary_wanted` with."""

    #: JSON-able figures of the period (hazards, inspections, cases): frozen as they are
    figures: dict
    pdf: bytes
    filename: str


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot freeze a {type(value).__name__}")


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_default, allow_nan=False)


def jsonable(value):
    """``value`` as it reads back from a JSON column (dates as ISO strings): what is hashed is
    exactly what is stored."""
    return json.loads(canonical(value))


def content_digest(*, header: dict, figures: dict, activities: list[dict]) -> str:
    """SHA-256 (hex) of everything a submission froze, as canonical JSON."""
    return hashlib.sha256(canonical({"submission": header, "figures": figures,
                                     "activities": activities}).encode("utf-8")).hexdigest()


def header_of(submission_id: str, campaign: Campaign, community: Community, submitted_at,
              late: bool) -> dict:
    return jsonable({
        "id": submission_id,
        "campaign": {"id": campaign.id, "name": campaign.name, "starts_on": campaign.starts_on,
                     "ends_on": campaign.ends_on, "submission_due": campaign.submission_due},
        "community": {"id": community.id, "name": community.name},
        "submitted_at": submitted_at, "late": late})


def frozen_activities(campaign: Campaign, community: Community) -> list[dict]:
    """The community's confirmed activities of the campaign, oldest first, as plain data."""
    return jsonable(activity_records(and_(Activity.campaign_id == campaign.id,
                                          Activity.community_id == community.id,
                                          Activity.state == CONFIRMED)))


def activity_figures(activities: list[dict]) -> dict:
    """活动开展情况 by kind: activities, participants (人次) and enterprises taking part (家,
    each counted once per kind and once in the total)."""
    rows = []
    everyone: set[str] = set()
    for kind in ACTIVITY_KINDS:
        mine = [a for a in activities if a["kind"] == kind]
        enterprises = {e["id"] for a in mine for e in a["enterprises"]}
        everyone |= enterprises
        rows.append({"key": kind, **ACTIVITY_KINDS.labels(kind), "count": len(mine),
                     "participants": sum(a["participants"] for a in mine),
                     "enterprises": len(enterprises)})
    return {"by_kind": rows, "count": len(activities),
            "participants": sum(a["participants"] for a in activities),
            "enterprises": len(everyone)}


def submit(user, campaign_id: str, data: dict, *, now: datetime | None = None) -> Submission:
    """报送: freeze ``data["community_id"]``'s summary of the campaign (a supervisor of that
    community). 404 for a campaign or community unknown or not the user's; 409 before the
    campaign has begun or when the community has submitted already (nothing is changed)."""
    require(user, "campaign.submit")
    campaign = get_campaign_record(campaign_id)
    community = visible_community(user, data["community_id"])
    now = (now or utcnow()).replace(microsecond=0)  # what is hashed reads back the same
    today = today_in_shanghai(now)
    if today < campaign.starts_on:
        raise Conflict(f"“{campaign.name}”尚未开始，不能报送 / The campaign has not begun yet; "
                       "there is nothing to submit.", field="campaign_id")
    _refuse_second(campaign, community)

    submission_id = new_id()
    late = today > campaign.submission_due
    activities = frozen_activities(campaign, community)
    by_kind = activity_figures(activities)
    header = header_of(submission_id, campaign, community, now, late)

    def seal(report_figures: dict) -> str:
        return content_digest(header=header, figures=_merged(report_figures, by_kind),
                              activities=activities)

    answers = [value for _receiver, value in summary_wanted.send(
        current_app._get_current_object(), campaign=campaign, community=community,
        submission_id=submission_id, submitted_at=now, late=late, activities=activities,
        activity_figures=by_kind, seal=seal, actor=user)]
    if len(answers) != 1 or not isinstance(answers[0], FrozenSummary):
        raise RuntimeError("exactly one receiver of summary_wanted must answer a FrozenSummary")
    frozen = answers[0]
    figures = _merged(frozen.figures, by_kind)
    submission = Submission(
        id=submission_id, campaign_id=campaign.id, community_id=community.id,
        submitted_by=user.id, submitted_at=now, late=late, note=data.get("note") or None,
        figures=figures, activities=activities,
        content_sha256=content_digest(header=header, figures=figures, activities=activities),
        pdf=frozen.pdf, pdf_sha256=hashlib.sha256(frozen.pdf).hexdigest(),
        pdf_name=frozen.filename)
    try:
        with db.session.begin_nested():
            db.session.add(submission)
            db.session.flush()
    except IntegrityError:
        _refuse_second(campaign, community)  # a parallel submission won
        raise
    return decorated(submission, community)


def _merged(report_figures: dict, by_kind: dict) -> dict:
    return jsonable({**report_figures, "activities": by_kind})


def _refuse_second(campaign: Campaign, community: Community) -> None:
    existing = db.session.scalar(select(Submission).where(
        Submission.campaign_id == campaign.id, Submission.community_id == community.id)
        .execution_options(populate_existing=True))
    if existing is not None:
        when = local(existing.submitted_at)
        raise Conflict(f"{community.name}已于{when:%Y-%m-%d %H:%M}报送“{campaign.name}”总结，"
                       f"报送后不能更改 / {community.name} submitted this campaign's summary on "
                       f"{when:%Y-%m-%d %H:%M}; a submission never changes.",
                       field="community_id")


def decorated(submission: Submission, community: Community | None = None) -> Submission:
    community = community or db.session.get(Community, submission.community_id)
    submission.community_name = community.name if community else ""
    submission.status = "late" if submission.late else "on_time"
    return submission


def get_submission(user, campaign_id: str, submission_id: str) -> Submission:
    """One submission of a community ``user`` follows, else 404."""
    submission = db.session.get(Submission, str(submission_id))
    if submission is None or submission.campaign_id != str(campaign_id) \
            or not submission_visible(user, submission):
        raise NotFound("报送记录不存在 / Submission not found.")
    return decorated(submission)


def verify(submission: Submission) -> bool:
    """Whether the stored figures, activities and PDF still hash to what was frozen."""
    campaign = db.session.get(Campaign, submission.campaign_id)
    community = db.session.get(Community, submission.community_id)
    header = header_of(submission.id, campaign, community, submission.submitted_at,
                       submission.late)
    return (content_digest(header=header, figures=submission.figures,
                           activities=submission.activities) == submission.content_sha256
            and hashlib.sha256(submission.pdf).hexdigest() == submission.pdf_sha256)


def submissions_of(user, campaign_id: str) -> list[Submission]:
    """The campaign's submissions of the communities ``user`` follows (the street summary is
    built from them), by community."""
    campaign = get_campaign_record(campaign_id)
    rows = db.session.scalars(select(Submission).where(Submission.campaign_id == campaign.id)
                              .order_by(Submission.submitted_at, Submission.id))
    return [decorated(s) for s in rows if submission_visible(user, s)]
