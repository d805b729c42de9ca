"""Demo outreach (举报, 预警): a few public reports waiting for triage and a warning the demo
enterprises are to acknowledge, so that the supervisor's 举报 tab and the officer's 预警 tab are
not empty on a fresh install. Made through the same services as a stranger's phone and a
supervisor's form."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.outreach.bulletins import publish
from app.outreach.tips import create_tip
from app.registry.models import Community, Enterprise

#: (enterprise position in the registry or None for a tip without one, text, contact)
TIPS = (
    (1, "仓库后门的安全出口被成箱的货物堵住了，晚上下班后还上了锁。", None),
    (3, "厂区东侧的液化气钢瓶露天摆放，旁边有人抽烟。", "王先生 138 0000 0000"),
    (None, "青松路口一家小作坊在居民楼一楼电焊，没有看到灭火器。", None),
)
BULLETIN = {
    "kind": "warning",
    "title": "关于做好近期大风降温天气安全防范工作的预警",
    "body": "受冷空气影响，未来三天辖区将出现大风降温天气。请各企业：\n"
            "一、检查户外广告牌、脚手架、临时设施的加固情况；\n"
            "二、规范用电用气取暖，严禁在宿舍使用大功率电器；\n"
            "三、落实值班值守，发现险情立即报告街道应急办。",
    "requires_ack": True,
}


def seed_outreach() -> list[str]:
    """Three tips and one warning to every community (called on a fresh demo only; nothing
    without the demo supervisor or enterprises)."""
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    enterprises = db.session.scalars(select(Enterprise).order_by(Enterprise.name)).all()
    if supervisor is None or not enterprises:
        return []
    for position, text, contact in TIPS:
        token = (enterprises[position % len(enterprises)].qr_token if position is not None
                 else None)
        create_tip({"text": text, "token": token, "contact": contact}, [])
    communities = db.session.scalars(select(Community.id).order_by(Community.code)).all()
    publish(supervisor, {**BULLETIN, "target": {"community_ids": list(communities)}})
    return [f"received {len(TIPS)} public reports (举报) to triage; published a warning to "
            f"{len(enterprises)} enterprises"]
