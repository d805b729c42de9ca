"""The demo's 安全生产月: this year's campaign (1–30 June, summaries due 25 June) with the
activities the 2023 plan of 乌龙街道 asks for — training of principals, drills, the 6月16日
consultation day, publicity 五进, a warning-education film, commitments — each with its
photos, an officer's training waiting for confirmation, and the communities' submissions: one on
time, one late, one missing. Only what has happened by today is made (in March, the campaign is
still to come)."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from flask import current_app
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from app.auth.models import User
from app.campaigns.choices import (COMMITMENT, CONFIRMED, CONSULTATION, DRILL, PENDING,
                                   PUBLICITY, TRAINING, WARNING_EDUCATION)
from app.campaigns.models import Activity, ActivityEvent, Campaign
from app.campaigns.submissions import submit
from app.core.db import new_id
from app.core.timeutil import SHANGHAI, as_utc, utcnow
from app.documents.pdf import FONT_DIR
from app.extensions import db
from app.hazards.choices import ACTIVITY_PHOTO
from app.photos import intake
from app.registry.models import Community, Enterprise

#: (community position, day of June, kind, title, place, participants, enterprises: positions
#: in the community's list or "all", scenario, problems, photo caption or None, by the officer)
ACTIVITIES = [
    (0, 8, TRAINING, "企业主要负责人和安全管理人员安全生产理论培训", "乌龙街道综合执法队会议室",
     62, "all", None, None, "培训签到表", False),
    (1, 9, PUBLICITY, "安全宣传“五进”：进企业、进社区", "白鹤社区党群服务中心", 150, [0, 1],
     None, None, None, False),
    (2, 9, PUBLICITY, "安全生产月宣传进商铺（九小场所）", "青松农贸市场", 80, [1], None, None,
     None, False),
    (1, 12, TRAINING, "危险化学品从业人员专项培训", "重庆鑫安化工贸易有限公司", 45, [0], None,
     None, "培训现场", False),
    (0, 14, DRILL, "有限空间作业中毒窒息专项应急演练", "重庆乌龙精密机械有限公司污水处理间", 38,
     [0], "污水池清淤作业人员中毒晕倒：气体检测、通风、佩戴正压式呼吸器进入救援、送医",
     "气体检测仪未按期校准；救援三脚架到场晚4分钟；部分员工不会使用呼吸器",
     "有限空间应急演练", False),
    (2, 15, DRILL, "加油站火灾事故应急演练暨消防技能比武", "乌龙加油站", 56, [3],
     "卸油时油罐车接口泄漏起火：切断电源、灭火器和灭火毯处置、人员疏散、报警",
     "疏散引导人员分工不清；一具灭火器压力不足", "加油站消防比武", False),
    (0, 16, CONSULTATION, "“6·16”安全宣传咨询日活动", "乌龙广场", 420, [0, 1, 2, 3],
     None, None, "安全宣传咨询日", False),
    (1, 18, DRILL, "人员密集场所火灾疏散综合应急演练", "青松火锅餐饮管理有限公司", 74, [1],
     "后厨油锅起火蔓延：初期扑救、关闭燃气总阀、顾客疏散、清点人数",
     "二楼包间疏散用时超过3分钟；应急照明一处不亮", "火灾疏散演练", False),
    (0, 20, WARNING_EDUCATION, "观看警示教育片《生命重于泰山》", "乌龙街道文化活动中心", 85,
     "all", None, None, None, False),
    (0, 21, COMMITMENT, "企业主要负责人签订安全生产承诺书", "乌龙街道综合执法队", 12, "all",
     None, None, None, False),
    (0, 26, TRAINING, "重庆乌龙精密机械有限公司全员安全培训", "公司三楼培训室", 120, [0],
     None, None, "全员培训签到表", True),
]
#: (community position, day of June the summary was submitted)
SUBMISSIONS = [(0, 24), (1, 27)]


def _at(day: date, hour: int = 17) -> datetime:
    return as_utc(datetime.combine(day, time(hour, 30), tzinfo=SHANGHAI))


def _picture(caption: str, seed: int, year: int) -> bytes:
    """A demo photo: the campaign's banner over a scene, or a sign-in sheet (签到表)."""
    font_path = str(FONT_DIR / "wqy-microhei.ttc")
    big, small = ImageFont.truetype(font_path, 44), ImageFont.truetype(font_path, 26)
    palette = ["#5d7fa3", "#6f9a6b", "#a3765d", "#7d6fa3", "#a35d7a"]
    if "签到表" in caption:
        im = Image.new("RGB", (900, 1200), "#fbfaf6")
        draw = ImageDraw.Draw(im)
        draw.text((80, 60), caption, font=big, fill="#222222")
        for row in range(24):
            y = 160 + row * 42
            draw.line((60, y, 840, y), fill="#888888", width=2)
            if 0 < row < 20:
                draw.text((80, y + 8), f"{row}", font=small, fill="#333333")
                draw.line((180 + (row * 37) % 200, y + 30, 420 + (row * 53) % 160, y + 12),
                          fill="#1a3d8f", width=3)   # a signature
        for x in (60, 160, 460, 840):
            draw.line((x, 160, x, 1126), fill="#888888", width=2)
    else:
        im = Image.new("RGB", (1200, 900), palette[seed % len(palette)])
        draw = ImageDraw.Draw(im)
        draw.rectangle((0, 560, 1200, 900), fill="#444c55")
        for n in range(14):   # people
            x = 80 + n * 80 + (n * 37 % 25)
            draw.ellipse((x, 600, x + 40, 640), fill="#f0d0b0")
            draw.rectangle((x - 5, 640, x + 45, 760), fill=palette[(seed + n) % len(palette)])
        draw.rectangle((120, 120, 1080, 260), fill="#c62828")
        draw.text((160, 145), f"{year}年“安全生产月” {caption}", font=big,
                  fill="#ffffff")
        draw.text((160, 290), "人人讲安全、个个会应急", font=small, fill="#ffffff")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=82)
    return out.getvalue()


def seed_campaign(now: datetime | None = None) -> list[str]:
    """This year's 安全生产月 with its activities and submissions, once (nothing when a campaign
    exists or the demo communities do not). Flushes; the caller commits."""
    now = now or utcnow()
    today = now.astimezone(SHANGHAI).date()
    if db.session.scalar(select(Campaign.id).limit(1)) is not None:
        return []
    communities = db.session.scalars(select(Community).order_by(Community.code)).all()
    supervisor = db.session.scalar(select(User).where(User.role == "supervisor",
                                                      User.active.is_(True)).order_by(User.id))
    if not communities or supervisor is None:
        return []
    year = today.year
    campaign = Campaign(name=f"{year}年安全生产月", starts_on=date(year, 6, 1),
                        ends_on=date(year, 6, 30), submission_due=date(year, 6, 25),
                        created_by=supervisor.id, created_at=_at(date(year, 5, 20), 9),
                        updated_at=_at(date(year, 5, 20), 9))
    db.session.add(campaign)
    db.session.flush()
    inspectors = {c.id: db.session.scalar(
        select(User).where(User.role == "inspector", User.active.is_(True),
                           User.communities.any(Community.id == c.id)).order_by(User.id))
        for c in communities}
    made = 0
    for n, (where, day, kind, title, place, people, who, scenario, problems, caption,
            by_officer) in enumerate(ACTIVITIES):
        held_on = date(year, 6, day)
        if held_on > today or where >= len(communities):
            continue
        community = communities[where]
        members = db.session.scalars(select(Enterprise).where(
            Enterprise.community_id == community.id).order_by(Enterprise.created_at,
                                                                Enterprise.id)).all()
        chosen = members if who == "all" else [members[i] for i in who if i < len(members)]
        recorder = (db.session.scalar(select(User).where(User.role == "officer",
                                                         User.enterprise_id.in_(
                                                             [e.id for e in chosen[:1]])))
                    if by_officer else inspectors.get(community.id) or supervisor)
        if recorder is None:
            continue
        at = _at(held_on)
        activity = Activity(
            campaign_id=campaign.id, community_id=community.id,
            enterprise_id=recorder.enterprise_id if by_officer else None, kind=kind,
            state=PENDING if by_officer else CONFIRMED, title=title, held_on=held_on,
            place=place, participants=people, scenario=scenario, problems=problems,
            recorder_id=recorder.id, created_at=at, updated_at=at)
        activity.enterprises = chosen
        db.session.add(activity)
        db.session.flush()
        db.session.add(ActivityEvent(activity_id=activity.id, actor_id=recorder.id,
                                     action="record", from_state=None, to_state=activity.state,
                                     at=at, data={"kind": kind, "campaign_id": campaign.id}))
        if caption:
            photo, files = intake.new_photo(
                new_id(), None, owner_id=activity.id,
                owner_field="activity_id", kind=ACTIVITY_PHOTO, uploader_id=recorder.id,
                content=_picture(caption, n, year), claimed_sha256=None)
            photo.created_at = at + timedelta(minutes=5)
            db.session.add(photo)
            db.session.flush()
            intake.write_files(files)
            db.session.add(ActivityEvent(activity_id=activity.id, actor_id=recorder.id,
                                         action="add_photo", from_state=activity.state,
                                         to_state=activity.state, at=photo.created_at,
                                         data={"photo_id": photo.id, "sha256": photo.sha256}))
        made += 1
    db.session.flush()
    lines = [f"created {campaign.name} ({made} activities)"]
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    for where, day in SUBMISSIONS:
        when = _at(date(year, 6, day), 10)
        if when > now or where >= len(communities):
            continue
        with current_app.test_request_context(base_url=base):
            submission = submit(supervisor, campaign.id,
                                {"community_id": communities[where].id}, now=when)
        lines.append(f"  {communities[where].name} submitted its summary"
                     f"{' (late)' if submission.late else ''}")
    return lines

