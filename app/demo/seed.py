"""Demo data: 乌龙街道 (from the Safety Month plan in the source documents)."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.auth.operations import create_user
from app.checklists.operations import ensure_standard_checklists
from app.demo.campaign import seed_campaign
from app.demo.outreach import seed_outreach
from app.demo.bulk import generate_year
from app.extensions import db
from app.plans.operations import create_plan, draw_plan, today
from app.registry.credit_code import ALPHABET, check_char
from app.registry.models import Community, Enterprise

STREET = "乌龙街道"
# Around 29.53N 106.50E (a 街道 in Chongqing's main city); WGS-84.
CENTRE = (29.5330, 106.5000)
COMMUNITIES = [("乌龙社区", "WL01", (0.000, 0.000)), ("白鹤社区", "WL02", (0.012, 0.010)),
               ("青松社区", "WL03", (-0.010, 0.014))]
ENTERPRISE_NAMES = [
    ("重庆乌龙精密机械有限公司", "manufacturing"),
    ("重庆鑫安化工贸易有限公司", "hazardous_chemicals"),
    ("重庆白鹤建设工程有限公司", "construction"), ("乌龙好又多超市", "retail"),
    ("青松火锅餐饮管理有限公司", "catering"), ("重庆捷达仓储物流有限公司", "warehousing"),
    ("乌龙商务酒店", "hotel"), ("青松职业技能培训学校", "education"),
    ("白鹤社区卫生服务站", "healthcare"), ("重庆恒通五金制品厂", "manufacturing"),
    ("重庆美家家具有限公司", "manufacturing"), ("乌龙加油站", "hazardous_chemicals"),
    ("重庆顺丰纸业包装有限公司", "manufacturing"), ("青松农贸市场", "retail"),
    ("重庆宏达电镀有限公司", "manufacturing"), ("白鹤粮油批发部", "warehousing"),
]
RISK = ["red", "orange", "yellow", "yellow", "blue", "blue"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"

DEMO_USERS = [
    # username, password, role, display name
    ("admin", "anxun-admin-2023", "admin", "系统管理员"),
    ("supervisor", "anxun-super-2023", "supervisor", "李锐（领导小组）"),
    ("inspector", "anxun-check-2023", "inspector", "祁旭（综合执法队）"),
    ("officer", "anxun-safety-2023", "officer", "王芳（企业安全员）"),
]


def make_credit_code(rng: random.Random) -> str:
    """A syntactically valid 统一社会信用代码 (9 = 工商, 1 = 企业, 500107 = a Chongqing
    district)."""
    body = "91500107" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_char(body)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def seed_registry(n_enterprises: int, rng: random.Random) -> list[Enterprise]:
    communities = []
    for name, code, _ in COMMUNITIES:
        community = Community(name=name, code=code, street=STREET)
        db.session.add(community)
        communities.append(community)
    db.session.flush()
    return add_enterprises(range(n_enterprises), communities, rng)


def add_enterprises(numbers, communities, rng: random.Random) -> list[Enterprise]:
    """Enterprises number ``numbers`` (their position in the demo registry) across
    ``communities`` (ordered as :data:`COMMUNITIES`)."""
    taken = set(db.session.scalars(select(Enterprise.credit_code)))
    enterprises = []
    for i in numbers:
        base_name, industry = ENTERPRISE_NAMES[i % len(ENTERPRISE_NAMES)]
        name = (base_name if i < len(ENTERPRISE_NAMES)
                else f"{base_name}（{i // len(ENTERPRISE_NAMES) + 1}分厂）")
        c_index = i % len(communities)
        dlat, dlng = COMMUNITIES[c_index][2]
        code = make_credit_code(rng)
        while code in taken:
            code = make_credit_code(rng)
        taken.add(code)
        enterprise = Enterprise(
            name=name, credit_code=code, community_id=communities[c_index].id,
            address=f"重庆市九龙坡区{STREET}{COMMUNITIES[c_index][0]}{rng.randint(1, 300)}号",
            lat=round(CENTRE[0] + dlat + rng.uniform(-0.004, 0.004), 6),
            lng=round(CENTRE[1] + dlng + rng.uniform(-0.004, 0.004), 6),
            industry=industry, risk_level=rng.choice(RISK), legal_rep=_person(rng),
            safety_officer=_person(rng), phone=f"023-{rng.randint(60000000, 69999999)}",
            employees=rng.randint(5, 400), qr_token=secrets.token_urlsafe(24))
        db.session.add(enterprise)
        enterprises.append(enterprise)
    db.session.flush()
    return enterprises


#: Hazards of a fresh demo (a year of them, June the peak): the dashboard and the 安全生产月
#: summary have something to show.
DEMO_HAZARDS = 240


def seed_plan(n_enterprises: int) -> str:
    """A 四不两直 plan of this month, drawn: the demo inspector's 我的任务 is not empty (four
    tasks, fewer in a smaller demo)."""
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    inspector = db.session.scalar(select(User).where(User.username == "inspector"))
    start = today()
    plan = create_plan(supervisor, {
        "name": f"{start.year}年{start.month}月“双随机”四不两直检查", "kind": "unannounced",
        "starts_on": start, "due_on": start + timedelta(days=30),
        "count": min(4, n_enterprises),
        "inspector_ids": [inspector.id], "inspectors_per_task": 1}).record
    draw_plan(supervisor, plan.id, {"seed": f"{STREET}-demo"})
    return f"drew the plan “{plan.name}”: {plan.count} tasks for {inspector.username}"


def seed_demo(*, n_enterprises: int = 12, n_hazards: int | None = None,
              seed: int = 2023) -> list[str]:
    """Create the demo 街道 once (a second run leaves the data as it is), add the shipped
    checklists it lacks, and return the lines to print: the logins of one user per role.
    ``n_hazards``: a year of hazards to generate (by default :data:`DEMO_HAZARDS` on a fresh
    database, none on one that has the demo already). This year's 安全生产月 is created with its
    activities when no campaign exists."""
    rng = random.Random(seed)
    lines: list[str] = []
    fresh = db.session.scalar(select(func.count()).select_from(Community)) == 0
    if n_hazards is None:
        n_hazards = DEMO_HAZARDS if fresh else 0
    if fresh:
        enterprises = seed_registry(max(n_enterprises, 1), rng)
        communities = db.session.scalars(select(Community).order_by(Community.code)).all()
        for username, password, role, display in DEMO_USERS:
            create_user(username=username, password=password, role=role, display_name=display,
                        enterprise=enterprises[0] if role == "officer" else None,
                        communities=communities if role in ("supervisor", "inspector") else ())
        lines.append(f"created {STREET}: {len(communities)} communities, "
                     f"{len(enterprises)} enterprises, {len(DEMO_USERS)} users")
        lines.append(seed_plan(len(enterprises)))
    else:
        lines.append("demo data already present; left as it is")
        existing = db.session.scalar(select(func.count()).select_from(Enterprise))
        if n_enterprises > existing:
            communities = db.session.scalars(select(Community).where(
                Community.code.in_([code for _, code, _ in COMMUNITIES]))
                .order_by(Community.code)).all()
            if len(communities) == len(COMMUNITIES):
                added = add_enterprises(range(existing, n_enterprises), communities,
                                        random.Random(f"{seed}-{existing}"))
                lines.append(f"added {len(added)} enterprises (now {n_enterprises})")
    checklists = ensure_standard_checklists()
    if checklists:
        lines.append(f"added checklists: {'; '.join(checklists)}")
    if n_hazards:
        lines.extend(generate_year(n_hazards=n_hazards, seed=seed))
    lines.extend(seed_campaign())
    if fresh:
        lines.extend(seed_outreach())
    lines.append("logins (username / password / role):")
    for username, password, role, _display in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            lines.append(f"  {username:<11} {password:<18} {role}")
    return lines
