"""A realistic year of hazards (隐患) at scale, for dashboards and benchmarks.

``flask seed-demo --hazards M`` calls :func:`generate_year` once the registry and the users exist.
It writes inspections, hazards in every state, their transition events, the 零容忍 escalations
they would have fired (R1 major, R2 deadline passed unrectified, R3 rejected twice) and the
约谈 interviews those escalations opened, all as one consistent history ending *now*:

* ``found_at`` spreads over the last 365 days with a weekday shape (few inspections at weekends)
  and a seasonal one (June, 安全生产月, is the peak; the Spring Festival month the trough);
* each hazard's timestamps follow its life: ``found_at ≤ acknowledged_at ≤ submitted_at ≤
  verified_at ≤ closed_at ≤ archived_at``, and its state is where that life stands today, so
  recent hazards are still open, old ones archived, and a few are stuck past their deadline;
* about 8 % of hazards are major (重大), more at red (重大风险) enterprises.

Speed matters (≥ 20,000 hazards/s on SQLite is the target): rows are plain tuples built from a
seeded ``random.Random`` and written with the DB-API's ``executemany`` (SQLite) or ``COPY``
(PostgreSQL) inside the caller's transaction. No ORM object is built per row. The caller commits.
"""
from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import User
from app.escalation.choices import RULES
from app.escalation.models import Interview
from app.escalation.counting import all_facts
from app.hazards import rollups
from app.hazards.audit import plain_event_hash
from app.hazards.models import Hazard, overdue
from app.inspections import visits as last_visits
from app.core.timeutil import SHANGHAI, utcnow
from app.extensions import db
from app.registry.models import Community, Enterprise

DAY = 86400.0
_EPOCH_DATE = date(1970, 1, 1)
_NONE = (None, None)
HOUR = 3600.0

# Hazard states (CONTRACT.md); the labels live with the hazards domain.
REPORTED, RECTIFYING, SUBMITTED = "reported", "rectifying", "submitted"
VERIFIED, CLOSED, ARCHIVED = "verified", "closed", "archived"

# Interview states of app.escalation.choices.
I_PROPOSED, I_SCHEDULED, I_HELD, I_CLOSED = "proposed", "scheduled", "held", "closed"

# Seasonal shape: 安全生产月 in June, pre-holiday checks in September and December (岁末年初),
# the Spring Festival trough in February.
MONTH_WEIGHT = {1: 0.85, 2: 0.55, 3: 1.0, 4: 1.0, 5: 1.1, 6: 2.2, 7: 1.0, 8: 0.9, 9: 1.2,
                10: 0.8, 11: 1.0, 12: 1.15}
WEEKDAY_WEIGHT = (1.0, 1.05, 1.05, 1.0, 0.9, 0.25, 0.1)  # Monday … Sunday
RISK_WEIGHT = {"red": 3.0, "orange": 2.0, "yellow": 1.2, "blue": 0.6}
MAJOR_SHARE = {"red": 0.12, "orange": 0.09, "yellow": 0.05, "blue": 0.025}  # ≈ 8 % overall

KIND_WEIGHTS = {  # 日常, 专项, 四不两直, 回头看, 节假日
    "default": (("routine", 0.58), ("special", 0.12), ("unannounced", 0.14),
                ("follow_up", 0.11), ("holiday", 0.05)),
    6: (("routine", 0.35), ("special", 0.40), ("unannounced", 0.15), ("follow_up", 0.08),
        ("holiday", 0.02)),
    9: (("routine", 0.45), ("special", 0.10), ("unannounced", 0.15), ("follow_up", 0.10),
        ("holiday", 0.20)),
    1: (("routine", 0.45), ("special", 0.10), ("unannounced", 0.15), ("follow_up", 0.10),
        ("holiday", 0.20)),
}

# Typical findings per category: (title, what it risks).
FINDINGS = {
    "fire": [("消防通道被货物堵塞", "发生火灾时人员无法及时疏散"),
             ("灭火器压力不足、超期未检", "初期火灾无法有效扑救"),
             ("安全出口指示标志损坏不亮", "疏散时无法辨识出口方向"),
             ("室内消火栓被杂物遮挡", "火灾时无法及时取用消火栓"),
             ("疏散通道防火门常闭失效", "烟气蔓延扩大火灾范围")],
    "electrical": [("配电箱未上锁、无警示标识", "非专业人员误操作引发触电"),
                   ("电线私拉乱接", "线路过载引发电气火灾"),
                   ("插座串接超负荷使用", "插座发热引燃周边可燃物"),
                   ("电缆绝缘层破损裸露", "人员接触导致触电"),
                   ("未安装漏电保护器", "漏电时无法自动切断电源")],
    "chemicals": [("危险化学品未分类分区储存", "禁忌物料接触引发反应"),
                  ("化学品安全技术说明书缺失", "作业人员不清楚危害及应急措施"),
                  ("危化品库房通风不良", "可燃蒸气积聚形成爆炸性环境"),
                  ("易燃液体现场存放超过一天用量", "泄漏后火灾风险扩大")],
    "machinery": [("机械传动部位防护罩缺失", "人员肢体被卷入造成伤害"),
                  ("冲床双手操作按钮失效", "手部被压伤"),
                  ("设备急停装置损坏", "紧急情况下无法停机"),
                  ("砂轮机防护挡板缺失", "砂轮碎片飞出伤人")],
    "construction": [("脚手架连墙件缺失", "脚手架失稳倒塌"),
                     ("临边防护栏杆缺失", "人员高处坠落"),
                     ("基坑周边堆载超限", "基坑坍塌"),
                     ("施工用电未执行三级配电两级保护", "施工人员触电")],
    "confined_space": [("有限空间作业未履行审批手续", "中毒窒息"),
                       ("有限空间入口未设置警示标识", "人员误入中毒窒息"),
                       ("未配备气体检测及通风设备", "作业前无法确认空间内气体安全")],
    "dust": [("粉尘作业区未设除尘设施", "粉尘积聚引发爆炸"),
             ("除尘器未设置泄爆装置", "爆炸冲击波伤人"),
             ("粉尘清扫制度未落实、无清扫记录", "积尘达到爆炸下限")],
    "gas": [("燃气使用场所未安装可燃气体报警装置", "燃气泄漏无法及时发现"),
            ("液化气钢瓶与灶具间距不足", "钢瓶受热引发爆炸"),
            ("燃气软管老化龟裂", "燃气泄漏引发火灾爆炸")],
    "height_work": [("高处作业人员未系安全带", "高处坠落"),
                    ("登高作业平台护栏缺失", "人员从平台坠落")],
    "special_equipment": [("叉车未经定期检验", "制动失灵造成车辆伤害"),
                          ("起重机械限位器失效", "吊物坠落伤人"),
                          ("压力容器安全阀超期未校验", "超压时无法泄放引发爆炸"),
                          ("电梯维保记录缺失", "电梯故障困人或坠落")],
    "emergency": [("应急预案未按期演练", "事故时人员不熟悉应急处置流程"),
                  ("应急照明灯不亮", "停电时无法安全疏散"),
                  ("急救箱药品过期", "伤员无法得到及时救治")],
    "management": [("安全生产责任制未落实到岗位", "安全管理职责不清"),
                   ("员工三级安全教育记录缺失", "员工不具备基本安全知识"),
                   ("特种作业人员无证上岗", "违章操作引发事故"),
                   ("隐患排查治理台账不全", "隐患无法闭环管理")],
}
CATEGORY_WEIGHT = {"fire": 3.0, "electrical": 2.6, "management": 1.8, "machinery": 1.3,
                   "emergency": 1.1, "chemicals": 0.8, "gas": 0.8, "special_equipment": 0.8,
                   "construction": 0.7, "height_work": 0.5, "dust": 0.4, "confined_space": 0.4}
GENERIC_FINDINGS = [("安全防护措施不到位", "可能导致人员伤害"), ("现场管理不规范", "增加事故风险")]
PLACES = ("一号生产车间", "二号生产车间", "原料仓库", "成品仓库", "配电房", "锅炉房", "厨房操作间",
          "办公楼走廊", "楼梯间", "地下室", "屋顶平台", "施工现场东侧", "装卸区", "危化品库房",
          "员工宿舍", "机修间", "门店营业区", "停车场")
FIXES = ("已按要求整改到位，复查合格。", "现场已整改，资料齐全，同意销号。",
         "整改措施落实，隐患已消除。", "经复查，整改符合要求。")
REJECT_NOTES = ("整改不彻底，请重新整改。", "整改照片与现场不符，请补充整改。",
                "未按治理方案落实，退回整改。")
GENERAL_DEADLINE_DAYS = (3, 5, 7, 7, 7, 10, 15)
MAJOR_DEADLINE_DAYS = (30, 45, 60, 60, 90)

HAZARD_COLUMNS = (
    "id", "enterprise_id", "community_id", "inspection_id", "reporter_id", "title", "description",
    "category", "level", "state", "place", "found_at", "lat", "lng", "accuracy_m", "deadline",
    "responsible", "governance_plan", "rejection_count", "escalated", "acknowledged_at",
    "submitted_at", "verified_at", "closed_at", "archived_at", "recheck_note", "created_at",
    "updated_at", "version")
EVENT_COLUMNS = ("id", "hazard_id", "actor_id", "action", "from_state", "to_state", "at", "note",
                 "seq", "prev_hash", "hash")
HEAD_COLUMNS = ("hazard_id", "seq", "hash")
INSPECTION_COLUMNS = (
    "id", "enterprise_id", "community_id", "inspector_id", "kind", "started_at", "ended_at",
    "summary", "lat", "lng", "accuracy_m", "distance_m", "on_site", "created_at", "updated_at",
    "version")
ESCALATION_COLUMNS = ("id", "hazard_id", "rule", "interview_id", "enterprise_id", "community_id",
                      "fired_at", "detail")
INTERVIEW_COLUMNS = (
    "id", "enterprise_id", "community_id", "state", "open_slot", "convener", "scheduled_at",
    "place", "interviewers", "departments", "interviewee", "interviewee_title", "note_taker",
    "situation", "minutes", "problems", "requirements", "commitments", "follow_up_deadline",
    "completion_receipt", "held_at", "closed_at", "created_at", "updated_at", "version")
BULK_TABLES = ("inspections", "hazards", "hazard_events", "escalations", "interviews",
               "interview_events")
INTERVIEW_EVENT_COLUMNS = ("id", "interview_id", "actor_id", "action", "from_state", "to_state",
                           "at", "note")
# The creating event of a hazard (from nothing to 已登记).
CREATE_ACTION = "report"
RULE_DETAIL = {"R1": "发现重大事故隐患", "R2": "超过整改期限未完成整改",
               "R3": "整改复查两次未通过"}


class _Writer:
    """Appends rows to tables through the raw DB-API connection of the session's transaction:
    ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL."""

    def __init__(self, now_ts: float):
        conn = db.session.connection()
        self.dialect = conn.dialect.name
        self.raw = conn.connection.driver_connection
        self.rows_written: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self._deferred: list[str] = []
        # UTCDateTime as each driver stores it: SQLAlchemy's SQLite text form
        # "YYYY-MM-DD HH:MM:SS.ffffff" (SQL compares these strings, so the form must be exact),
        # and the same with "+00" for PostgreSQL's COPY. Whole seconds, from lookup tables.
        suffix = ".000000" if self.dialect == "sqlite" else ".000000+00"
        self._day0 = int(now_ts // 86400) - 800
        self._days = [(_EPOCH_DATE + timedelta(days=self._day0 + i)).isoformat() + " "
                      for i in range(1600)]
        self._clock = [f"{h:02d}:{m:02d}:{sec:02d}{suffix}" for h in range(24)
                       for m in range(60) for sec in range(60)]
        if self.dialect == "sqlite":
            cur = self.raw.cursor()
            cur.execute("PRAGMA cache_size = -262144")  # 256 MiB: the indexes stay in memory
            cur.close()

    def stamp_function(self):
        """``ts(epoch) -> text`` for the time columns, valid ±800 days around now."""
        days, clock, day0 = self._days, self._clock, self._day0

        def ts(t):
            d, sec = divmod(int(t), 86400)
            return days[d - day0] + clock[sec]
        return ts

    def defer_indexes(self, tables: tuple[str, ...]) -> None:
        """SQLite: drop the secondary indexes of ``tables`` until :meth:`restore_indexes`.

        Building an index once over sorted keys costs a fraction of updating it row by row
        (the usual bulk-load technique, as pg_restore does). The statements that recreate them
        are the ones stored in the schema, so the schema ends up exactly as it was; DDL is
        transactional in SQLite, so a failure rolls the drop back with everything else. Only
        worth it while the tables are small next to what is added: the caller decides."""
        if self.dialect != "sqlite":
            return
        cur = self.raw.cursor()
        try:
            for table in tables:
                for name, sql in cur.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                        "AND tbl_name = ? AND sql IS NOT NULL", (table,)).fetchall():
                    self._deferred.append(sql)
                    cur.execute(f'DROP INDEX "{name}"')
        finally:
            cur.close()

    def restore_indexes(self) -> None:
        cur = self.raw.cursor()
        try:
            while self._deferred:
                cur.execute(self._deferred.pop())
        finally:
            cur.close()

    def analyze(self) -> None:
        """Update the planner's statistics (SQLite: sampled, so it takes a moment)."""
        cur = self.raw.cursor()
        try:
            if self.dialect == "sqlite":
                cur.execute("PRAGMA analysis_limit = 1000")
            cur.execute("ANALYZE")
        finally:
            cur.close()

    def boolean(self, value: bool):
        return int(value) if self.dialect == "sqlite" else value

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        cols = ", ".join(columns)
        cur = self.raw.cursor()
        try:
            if self.dialect == "sqlite":
                marks = ", ".join("?" * len(columns))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
            else:
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cur.close()
        self.rows_written[table] += len(rows)
        self.seconds[table] += time.perf_counter() - started


def _id_maker():
    """A function returning time-ordered UUID strings (version 7 layout: milliseconds and random
    bits, then a counter). Rows written in id order append to the primary-key B-tree instead of
    splitting pages all over it; ids from two runs never collide (time and 26 random bits)."""
    sysrand = random.SystemRandom()
    ms = time.time_ns() // 1_000_000
    h = f"{ms:012x}"
    prefix = (f"{h[:8]}-{h[8:12]}-7{sysrand.getrandbits(12):03x}-"
              f"{0x8000 | sysrand.getrandbits(14):04x}-")
    counter = itertools.count(sysrand.getrandbits(40))
    return lambda: prefix + "%012x" % next(counter)


def _day_table(today: date, days: int = 365) -> tuple[list[date], list[float]]:
    """The last ``days`` calendar days (Asia/Shanghai) and their cumulative weights."""
    day_list = [today - timedelta(days=i) for i in range(days - 1, -1, -1)]
    weights = [WEEKDAY_WEIGHT[d.weekday()] * MONTH_WEIGHT[d.month] for d in day_list]
    return day_list, list(accumulate(weights))


def _governance_plans() -> list[dict]:
    """A few complete 治理方案 (the fields of app.hazards.choices.GOVERNANCE_PLAN_FIELDS) for
    major hazards; ``deadline`` is filled in per hazard."""
    return [{
        "goals_tasks": "彻底消除重大事故隐患，恢复安全生产条件", "methods_measures": m,
        "funds_materials": f"落实治理资金 {f} 万元及所需物资，企业自筹",
        "responsible_body": "企业安全生产管理部门",
        "responsible_people": "企业主要负责人、安全管理人员",
        "safety_measures": "治理期间停止相关区域作业，设置警戒区，落实专人监护",
        "emergency_plan": "启动企业现场处置方案，配备应急器材，明确应急联络人"}
        for m, f in (("停产整改，更换失效设施并组织专家论证", 12),
                     ("局部停产，委托专业单位实施改造", 30),
                     ("限期整改，增设防护及监测报警设施", 8))]


def generate_year(*, n_hazards: int, seed: int = 2023, now: datetime | None = None,
                  events: str = "recent", chunk: int = 20000) -> list[str]:
    """Write a year of ``n_hazards`` hazards ending at ``now`` over the existing enterprises and
    users; returns report lines (counts and the rate). Flushes, never commits.

    ``events`` chooses which hazards get their transition events (the audit trail, about six
    rows per hazard and the biggest cost): ``"all"``; ``"recent"`` (default) every hazard that
    is not yet archived, i.e. those anyone still acts on; ``"none"``."""
    if n_hazards <= 0:
        return []
    if events not in ("all", "recent", "none"):
        raise ValueError("events must be 'all', 'recent' or 'none'")
    started = time.perf_counter()
    cpu_started = time.process_time()
    now = (now or utcnow()).astimezone(timezone.utc)
    now_ts = float(int(now.timestamp()))
    rng = random.Random(seed)
    rnd = rng.random
    new_id = _id_maker()
    db.session.flush()
    writer = _Writer(now_ts)
    ts, boolean = writer.stamp_function(), writer.boolean

    enterprises = db.session.execute(select(
        Enterprise.id, Enterprise.community_id, Enterprise.lat, Enterprise.lng,
        Enterprise.risk_level, Enterprise.safety_officer, Enterprise.legal_rep,
        Enterprise.name)).all()
    if not enterprises:
        raise RuntimeError("generate_year needs enterprises: create the registry first")
    users = db.session.execute(select(User.id, User.role, User.enterprise_id, User.display_name)
                               .where(User.active.is_(True))).all()
    if not users:
        raise RuntimeError("generate_year needs users: create them first")
    by_role = defaultdict(list)
    officer_of = {}
    for u in users:
        by_role[u.role].append(u)
        if u.role == "officer" and u.enterprise_id:
            officer_of[u.enterprise_id] = u.id
    anyone = [u.id for u in users]
    inspectors = [u.id for u in by_role["inspector"]] or [u.id for u in by_role["admin"]] or anyone
    supervisors = ([u.id for u in by_role["supervisor"]] or [u.id for u in by_role["admin"]]
                   or anyone)
    supervisor_names = [u.display_name for u in by_role["supervisor"]] or ["街道安全生产领导小组"]

    categories = list(current_app.config["HAZARD_CATEGORIES"])
    cat_cum = list(accumulate(CATEGORY_WEIGHT.get(c, 1.0) for c in categories))
    ent_cum = list(accumulate(RISK_WEIGHT.get(e.risk_level, 1.0) for e in enterprises))
    day_list, day_cum = _day_table(now.astimezone(SHANGHAI).date())
    # 08:30 Asia/Shanghai of each day, as epoch seconds
    day_open = [datetime(d.year, d.month, d.day, 8, 30, tzinfo=SHANGHAI).timestamp()
                for d in day_list]
    kinds_for = {}
    for m in range(1, 13):
        pairs = KIND_WEIGHTS.get(m, KIND_WEIGHTS["default"])
        kinds_for[m] = ([k for k, _ in pairs], list(accumulate(w for _, w in pairs)))

    # While the tables are small next to what is added, their indexes are built once at the
    # end instead of row by row (SQLite; PostgreSQL's COPY needs no help).
    existing = db.session.scalar(select(func.count()).select_from(Hazard))
    if existing <= n_hazards:
        writer.defer_indexes(BULK_TABLES)
    try:
        # ---------------------------------------------------------------- inspections (检查)
        # Generated, written and given their hazards in time order: ids, found_at and the event
        # index then grow together, so most index inserts append to the B-trees.
        n_inspections = max(1, math.ceil(n_hazards / 2.4))
        visits = []
        ent_total, day_total = ent_cum[-1], day_cum[-1]
        for _ in range(n_inspections):
            di = bisect.bisect_left(day_cum, rnd() * day_total)
            start = day_open[di] + rnd() * 8 * HOUR
            if start > now_ts - HOUR:   # today's inspections happened this morning
                start = now_ts - HOUR - rnd() * 6 * HOUR
            visits.append((start, di, bisect.bisect_left(ent_cum, rnd() * ent_total)))
        visits.sort()
        insp_meta = []  # (id, enterprise index, start epoch, inspector id)
        insp_rows = []
        for start, di, ei in visits:
            e = enterprises[ei]
            kinds, kind_cum = kinds_for[day_list[di].month]
            kind = kinds[bisect.bisect_left(kind_cum, rnd() * kind_cum[-1])]
            off_site = rnd() < 0.04
            distance = 250 + rnd() * 600 if off_site else abs(rng.gauss(0, 35))
            lat = (e.lat or 29.533) + distance / 111_000 * (1 if rnd() < 0.5 else -1) * 0.7
            lng = (e.lng or 106.5) + distance / 97_000 * (1 if rnd() < 0.5 else -1) * 0.7
            inspector = inspectors[int(rnd() * len(inspectors))]
            iid = new_id()
            end = start + (0.5 + rnd() * 2.5) * HOUR
            start_s = ts(start)
            insp_rows.append((iid, e.id, e.community_id, inspector, kind, start_s,
                              ts(end) if end < now_ts else None,
                              "现场检查完毕，已告知企业隐患及整改要求。" if end < now_ts else None,
                              round(lat, 6), round(lng, 6), round(5 + rnd() * 25, 1),
                              round(distance, 1), boolean(not off_site), start_s, start_s, 1))
            insp_meta.append((iid, ei, start, inspector))
            if len(insp_rows) >= chunk:
                writer.write("inspections", INSPECTION_COLUMNS, insp_rows)
                insp_rows = []
        writer.write("inspections", INSPECTION_COLUMNS, insp_rows)
        del insp_rows, visits
        # each hazard belongs to a random inspection, taken in inspection order
        picks = sorted(int(rnd() * n_inspections) for _ in range(n_hazards))

        # ---------------------------------------------------------------- hazards (隐患)
        escalations = []  # (hazard id, rule, enterprise index, fired epoch, hazard title)
        state_counts = dict.fromkeys(
            (REPORTED, RECTIFYING, SUBMITTED, VERIFIED, CLOSED, ARCHIVED), 0)
        n_major = n_overdue = 0
        hazard_rows, event_rows, head_rows = [], [], []
        seal = plain_event_hash
        findings = [FINDINGS.get(c, GENERIC_FINDINGS) for c in categories]
        n_cat, cat_total = len(categories), cat_cum[-1]
        reject_limit = current_app.config["ESCALATION_REJECTIONS"]
        plans = _governance_plans()
        g_deadlines, m_deadlines = GENERAL_DEADLINE_DAYS, MAJOR_DEADLINE_DAYS
        # a dozen spots inside each plant where its hazards are found (WGS-84, ~±45 m)
        per_enterprise = [(e.id, e.community_id, [
            (round((e.lat or 29.533) + (rnd() - 0.5) * 0.0008, 6),
             round((e.lng or 106.5) + (rnd() - 0.5) * 0.0008, 6), round(4 + rnd() * 20, 1))
            for _ in range(12)], MAJOR_SHARE.get(e.risk_level, 0.08),
            e.safety_officer or e.legal_rep or "", officer_of.get(e.id)) for e in enterprises]
        archiver = supervisors[0]
        true_, false_ = boolean(True), boolean(False)
        escalate = escalations.append
        n_places, n_fixes = len(PLACES), len(FIXES)
        all_events, some_events = events == "all", events == "recent"

        for n in range(n_hazards):
            iid, ei, istart, inspector = insp_meta[picks[n]]
            eid, cid, spots, major_share, responsible, officer = per_enterprise[ei]
            officer = officer or inspector
            found = istart + int(300 + rnd() * 5400)
            if found > now_ts:
                found = now_ts - 60
            ci = bisect.bisect_left(cat_cum, rnd() * cat_total)
            if ci >= n_cat:
                ci = n_cat - 1
            options = findings[ci]
            title, harm = options[int(rnd() * len(options))]
            major = rnd() < major_share
            place = PLACES[int(rnd() * n_places)]
            days = m_deadlines if major else g_deadlines
            span = days[int(rnd() * len(days))] * DAY
            deadline = found + span
            hid = new_id()

            # The life of the hazard; each step is taken only if its time has come.
            # (time, action, from, to, actor, note) of the steps taken, in order.
            steps = [(found, CREATE_ACTION, None, REPORTED, inspector, None)]
            ack = ver = clo = arc = None
            recheck = None
            rejections = 0
            state = REPORTED
            while True:   # left at the first step that lies in the future
                if rnd() < 0.9:
                    ack = found + min(span * 0.2, (0.05 + rnd() * 1.5) * DAY)
                    if ack > now_ts:
                        ack = None
                        break
                    steps.append((ack, "acknowledge", REPORTED, RECTIFYING, officer, None))
                    state = RECTIFYING
                if rnd() < (0.10 if major else 0.04):
                    break   # stuck: nothing is done about it
                # most enterprises fix within the first two thirds of the time they were given
                t = found + (span * (1 + rng.expovariate(2.0)) if rnd() < 0.07
                             else span * (0.15 + 0.55 * rnd() ** 0.8))
                if ack is not None and t <= ack:
                    t = ack + 600
                n_reject = 0 if rnd() > 0.12 else (1 if rnd() < 0.75 else 2)
                for r in range(n_reject + 1):
                    if t > now_ts:
                        break
                    steps.append((t, "submit", state, SUBMITTED, officer, None))
                    state = SUBMITTED
                    # the re-check (复查) usually comes before the deadline, now and then late
                    left = deadline - t
                    review = t + ((0.1 + 0.8 * rnd()) * left if left > 0 and rnd() < 0.85
                                  else (0.5 + rnd() * 5) * DAY)
                    if review > now_ts:
                        break
                    if r < n_reject:
                        steps.append((review, "reject", SUBMITTED, RECTIFYING, inspector,
                                      REJECT_NOTES[r]))
                        state = RECTIFYING
                        rejections += 1
                        t = review + (0.5 + rnd() * 3) * DAY
                    else:
                        recheck = FIXES[int(rnd() * n_fixes)]
                        steps.append((review, "verify", SUBMITTED, VERIFIED, inspector, recheck))
                        ver, state = review, VERIFIED
                if ver is None:
                    break
                clo = ver + rnd() * (8 if major else 2) * DAY
                if clo > now_ts:
                    clo = None
                    break
                steps.append((clo, "close", VERIFIED, CLOSED,
                              supervisors[int(rnd() * len(supervisors))] if major else inspector,
                              None))
                state = CLOSED
                arc = clo + (20 + rnd() * 70) * DAY
                if arc > now_ts:
                    arc = None
                    break
                steps.append((arc, "archive", CLOSED, ARCHIVED, archiver, None))
                state = ARCHIVED
                break

            # 零容忍: R1 when a major hazard is reported; R2 when its deadline passes before a
            # rectification was accepted (verified); R3 at the second rejection.
            fired = []
            if major:
                fired.append(("R1", found, REPORTED))
                n_major += 1
            if deadline <= now_ts and (ver is None or ver > deadline):
                fired.append(("R2", deadline, [st for st in steps if st[0] <= deadline][-1][3]))
            if rejections >= reject_limit:
                fired.append(("R3", [st for st in steps if st[1] == "reject"][reject_limit - 1][0],
                              RECTIFYING))
            if overdue(state, deadline, now_ts):
                n_overdue += 1
            # each step's time as text, once: the hazard's columns and its events share them
            texts = [ts(st[0]) for st in steps]
            # the last of each action
            stamp = dict(zip([st[1] for st in steps], texts, strict=True))
            found_s = texts[0]
            if all_events or (some_events and state != ARCHIVED):
                # each line sealed into the hazard's chain as app.hazards.audit does
                trail = [(actor, action, src, dst, at_s, note)
                         for (_, action, src, dst, actor, note), at_s
                         in zip(steps, texts, strict=True)]
                trail += [(None, "escalate", at_state, at_state, ts(at),   # the system's lines
                           f"{rule} {RULE_DETAIL[rule]}") for rule, at, at_state in fired]
                prev = None
                for seq, (actor, action, src, dst, at_s, note) in enumerate(trail, start=1):
                    event_id = new_id()
                    digest = seal(prev_hash=prev, event_id=event_id, hazard_id=hid, seq=seq,
                                  actor_id=actor, action=action, from_state=src, to_state=dst,
                                  at_db_text=at_s, note=note)
                    event_rows.append((event_id, hid, actor, action, src, dst, at_s, note, seq,
                                       prev, digest))
                    prev = digest
                head_rows.append((hid, len(trail), prev))
            updated, updated_s = steps[-1][0], texts[-1]
            for rule, at, _ in fired:
                escalate((hid, rule, ei, at, title))
                if at > updated:
                    updated, updated_s = at, ts(at)
            state_counts[state] += 1
            spot = spots[n % 12]
            deadline_s = ts(deadline)
            hazard_rows.append((
                hid, eid, cid, iid, inspector, title, f"{place}{title}，存在{harm}的风险。",
                categories[ci], "major" if major else "general", state, place, found_s,
                spot[0], spot[1], spot[2], deadline_s, responsible,
                json.dumps({**plans[n % 3], "deadline": ts(deadline + 8 * HOUR)[:10]},
                           ensure_ascii=False) if major else None,
                rejections, true_ if fired else false_, stamp.get("acknowledge"),
                stamp.get("submit"), stamp.get("verify"), stamp.get("close"), stamp.get("archive"),
                recheck, found_s, updated_s, len(steps)))
            if len(hazard_rows) >= chunk:
                writer.write("hazards", HAZARD_COLUMNS, hazard_rows)
                writer.write("hazard_events", EVENT_COLUMNS, event_rows)
                writer.write("hazard_event_heads", HEAD_COLUMNS, head_rows)
                hazard_rows, event_rows, head_rows = [], [], []
        writer.write("hazards", HAZARD_COLUMNS, hazard_rows)
        writer.write("hazard_events", EVENT_COLUMNS, event_rows)
        writer.write("hazard_event_heads", HEAD_COLUMNS, head_rows)
        del hazard_rows, event_rows, head_rows, insp_meta, picks

        # ---------------------------------------------------------------- 零容忍 and 约谈
        n_interviews = _write_escalations_and_interviews(
            writer, ts, escalations, enterprises, rng, new_id, now_ts, supervisors,
            supervisor_names)
    finally:
        writer.restore_indexes()

    # The dashboard's rollups (app.hazards.rollups, app.inspections.visits): rows written behind
    # the ORM's back are counted once, all together.
    rollup_started = time.perf_counter()
    rollup_rows = rollups.rebuild(others=all_facts())
    rollup_rows += last_visits.rebuild()
    rollup_seconds = time.perf_counter() - rollup_started

    # Fresh statistics, as after any bulk load: without them SQLite's planner prefers the
    # narrow (community_id, state) index over the dashboard's covering one for scoped queries.
    writer.analyze()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rate = n_hazards / elapsed if elapsed else float("inf")
    states = ", ".join(f"{s} {c}" for s, c in state_counts.items())
    written = writer.rows_written
    return [
        f"generated {n_hazards} hazards over the 365 days up to {ts(now_ts)[:10]} at "
        f"{len(enterprises)} enterprises: {states}",
        f"  major {n_major} ({n_major / n_hazards:.1%}), overdue now {n_overdue}, "
        f"escalations {written['escalations']}, interviews {n_interviews}, "
        f"inspections {n_inspections}, hazard events {written['hazard_events']} ({events})",
        f"  {elapsed:.2f} s ({cpu:.2f} s CPU), {rate:,.0f} hazards/s ({writer.dialect}); "
        f"rollups {rollup_rows} rows in {rollup_seconds:.2f} s",
    ]


def _write_escalations_and_interviews(writer, ts, escalations, enterprises, rng, new_id, now_ts,
                                      supervisors, supervisor_names) -> int:
    """Attach each escalation to its enterprise's open interview as the escalation service does:
    the first firing opens one (待约谈), it is scheduled, held and closed over the next weeks, and
    firings while it is open join it; after it closes the next firing opens a new one. An
    enterprise that already has an open interview keeps collecting reasons on it."""
    rnd = rng.random
    existing_open = {row.enterprise_id: row for row in db.session.execute(
        select(Interview.enterprise_id, Interview.id, Interview.state)
        .where(Interview.open_slot.is_not(None)))}
    streets = dict(db.session.execute(select(Community.id, Community.street)).all())
    by_enterprise = defaultdict(list)
    for item in escalations:
        by_enterprise[item[2]].append(item)
    esc_rows, int_rows, ev_rows = [], [], []
    order = (I_PROPOSED, I_SCHEDULED, I_HELD, I_CLOSED)
    for ei in sorted(by_enterprise):
        e = enterprises[ei]
        items = sorted(by_enterprise[ei], key=lambda x: x[3])
        convener = f"{streets.get(e.community_id) or '街道'}安全生产领导小组"
        # an interview left open by an earlier run keeps collecting reasons
        current, times, closes = None, None, math.inf
        if e.id in existing_open:
            current = existing_open[e.id].id
        for hid, rule, _ei, fired, title in items:
            reason = f"{rule} {RULES.label(rule, 'zh')}｜{title}｜{RULE_DETAIL[rule]}"
            if current is None or fired >= closes:
                current = new_id()
                # 提出 → 安排 → 约谈 → 结案; the steps still ahead of now have not happened
                times = [fired, 0.0, 0.0, 0.0]
                times[1] = times[0] + (0.5 + rnd() * 2) * DAY
                times[2] = times[1] + (2 + rnd() * 5) * DAY
                times[3] = times[2] + (7 + rnd() * 14) * DAY
                closes = times[3]
                reached = sum(1 for t in times if t <= now_ts) - 1
                state = order[reached]
                scheduled, held = reached >= 1, reached >= 2
                chair = supervisor_names[int(rnd() * len(supervisor_names))]
                int_rows.append((
                    current, e.id, e.community_id, state,
                    None if state == I_CLOSED else e.id, convener,
                    ts(times[2]) if scheduled else None,
                    "街道办事处三楼会议室" if scheduled else None,
                    json.dumps([chair, "综合执法队 祁旭"], ensure_ascii=False)
                    if scheduled else None,
                    json.dumps(["区应急管理局"], ensure_ascii=False)
                    if scheduled and rnd() < 0.3 else None,
                    (e.legal_rep or "企业负责人") if held else None,
                    "法定代表人" if held else None, "张敏" if held else None, reason,
                    "通报了企业隐患排查治理情况，指出存在的问题，提出整改要求。" if held else None,
                    "隐患整改不及时，安全生产主体责任落实不到位。" if held else None,
                    "立即落实整改，5个工作日内书面报告整改情况。" if held else None,
                    "企业主要负责人承诺按期完成整改，并举一反三开展自查。" if held else None,
                    ts(times[2] + 7 * DAY) if held else None,
                    "已提交整改完成报告及照片，经核查属实。" if state == I_CLOSED else None,
                    ts(times[2]) if held else None, ts(times[3]) if state == I_CLOSED else None,
                    ts(times[0]), ts(times[reached]), 1 + reached))
                for step in range(reached + 1):
                    ev_rows.append((new_id(), current, None if step == 0 else supervisors[0],
                                    ("open", "schedule", "hold", "close")[step],
                                    None if step == 0 else order[step - 1], order[step],
                                    ts(times[step]), reason if step == 0 else None))
            at_state = (existing_open[e.id].state if times is None
                        else order[sum(1 for t in times if t <= fired) - 1])
            fired_s = ts(fired)
            ev_rows.append((new_id(), current, None, "attach", at_state, at_state, fired_s,
                            reason))
            esc_rows.append((new_id(), hid, rule, current, e.id, e.community_id, fired_s,
                             RULE_DETAIL[rule]))
    writer.write("interviews", INTERVIEW_COLUMNS, int_rows)
    writer.write("interview_events", INTERVIEW_EVENT_COLUMNS, ev_rows)
    writer.write("escalations", ESCALATION_COLUMNS, esc_rows)
    return len(int_rows)
