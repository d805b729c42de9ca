"""Printable documents (PDF): 隐患整改通知书, 约谈记录 and the campaign summary (活动总结).

Each is built with the shared helpers of :mod:`app.documents.pdf` (embedded CJK font; a header
with the title, the record's id and a QR code back to the record in the app; a footer with the
generation time and page numbers), reads only, and answers 404 outside the user's scope.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Image, KeepTogether, Paragraph, Spacer, Table,
                                TableStyle)
from sqlalchemy import and_, func, select

from app.campaigns.choices import ACTIVITY_KINDS, DRILL, SUBMISSION_STATUSES, TRAINING
from app.campaigns.operations import (campaign_activities, get_campaign_record,
                                      submissions_board, today_in_shanghai)
from app.campaigns.submissions import FrozenSummary, activity_figures
from app.core.permissions import get_or_404, scope_clause
from app.core.timeutil import SHANGHAI, utcnow
from app.documents.pdf import FONT, data_table, field_table, para, render_document, styles
from app.escalation.choices import INTERVIEW_STATES, RULES
from app.escalation.models import Escalation, Interview
from app.extensions import db
from app.hazards.choices import (APPROVED, DELISTED, FINDING, HAZARD_LEVELS, HAZARD_STATES,
                                 configured_categories)
from app.hazards.models import Hazard
from app.hazards.oversight_models import DeadlineExtension
from app.inspections.answers import checklist_detail
from app.inspections.choices import FAIL, INSPECTION_KINDS
from app.inspections.models import Inspection
from app.photos.models import Photo
from app.photos.storage import media_root
from app.registry.choices import RISK_LEVELS
from app.registry.models import Community, Enterprise
from app.registry.operations import public_base_url
from app.registry.scope import community_scope_clause, visible_community
from app.reports.dashboard import dashboard

PDF_MIME = "application/pdf"
# 安全生产法 (2021 修正) 第六十五条: 监督检查中发现的事故隐患，责令立即排除或限期排除;
# 第一百零二条: 未采取措施消除事故隐患的处罚。
LEGAL_BASIS = ("依据《中华人民共和国安全生产法》第六十五条和《安全生产事故隐患排查治理暂行规定》"
               "（原国家安全生产监督管理总局令第16号），现责令你单位对下列事故隐患限期整改。")
LEGAL_WARNING = ("逾期未整改或整改不到位的，将依照《中华人民共和国安全生产法》第一百零二条"
                 "依法处理，并按“零容忍”要求约谈企业主要负责人。")
PHOTO_PX = 800         # photos are re-encoded to this size for print (≈ 500 dpi at 40 mm)
THUMB_MM = 38


# --------------------------------------------------------------------------- helpers
def app_url(route: str) -> str:
    """The URL of a screen of the app (a route of ``ROUTES`` in ``static/js/app.js``, e.g.
    ``inspection/<id>``): what a document's QR code opens. ``tests/test_documents_print.py``
    matches every printed URL against those routes."""
    return f"{public_base_url()}/#/{route}"


def record_url(screen: str, record_id: str) -> str:
    """The app screen of one record, e.g. ``<base>/#/inspection/<id>`` (整改通知书) or
    ``<base>/#/interviews/<id>`` (约谈记录): ``screen`` is the route's first segment."""
    return app_url(f"{screen}/{record_id}")


def _zh_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI)
    return f"{value.year}年{value.month}月{value.day}日"


def _zh_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{_zh_date(local)} {local:%H:%M}"


def _street(community_id: str | None) -> str:
    community = db.session.get(Community, community_id) if community_id else None
    return (community.street if community is not None and community.street else "街道")


def _photo_flowable(photo: Photo, width: float) -> Image | Paragraph:
    """A finding photo scaled to ``width`` (points), re-encoded small enough for print; a note
    instead when the file is missing or unreadable."""
    path = media_root() / (photo.full_path or photo.thumb_path)
    try:
        with PILImage.open(path) as opened:
            # served copies are already upright; an original still carries its orientation
            im = ImageOps.exif_transpose(opened).convert("RGB")
            im.thumbnail((PHOTO_PX, PHOTO_PX))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=82, optimize=True)
            w, h = im.size
    except (OSError, ValueError):
        return para("（照片文件缺失）", "small")
    buf.seek(0)
    height = width * h / w
    max_height = width * 1.1
    if height > max_height:
        width, height = max_height * w / h, max_height
    return Image(buf, width=width, height=height)


def _signature_table(left: list[str], right: list[str]) -> Table:
    """Two columns of signature lines (签名、日期), as on paper forms."""
    st = styles()
    rows = [[para(a, st["body"]), para(b, st["body"])] for a, b in zip(left, right, strict=True)]
    t = Table(rows, colWidths=[85 * mm, 85 * mm])
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 9),
    ]))
    return t


def _heading(text: str) -> list:
    """A section heading, moved to the next page when less than 4 cm are left for it and the
    start of its section (keepWithNext would drag a whole table along)."""
    return [CondPageBreak(40 * mm), para(text, styles()["h1"])]


def _right(text: str) -> Paragraph:
    st = styles()["body"]
    return para(text, ParagraphStyle("body-right", parent=st, alignment=TA_RIGHT))


def _paragraph(text: str, *, indent: bool = True, style: str = "body") -> Paragraph:
    st = styles()[style]
    if indent:
        st = ParagraphStyle(f"{st.name}-indent", parent=st, firstLineIndent=2 * st.fontSize)
    return para(text, st)


def _percent(score: float | None) -> str:
    return "—" if score is None else f"{round(score * 100)}%"


def _checklist_line(checklist: dict, score: float | None) -> str:
    """检查表 of an inspection as the notice states it: name, version, 符合率 and counts."""
    return (f"{checklist['name']}（第 {checklist['version']} 版）：符合率 {_percent(score)}"
            f"（符合 {checklist['passed']} 项、不符合 {checklist['failed']} 项、"
            f"不适用 {checklist['not_applicable']} 项，共 {checklist['total']} 项）")


# --------------------------------------------------------------------------- 整改通知书
def _first_deadlines(hazard_ids: list[str]) -> dict[str, datetime]:
    """The deadline before the first approved extension, of each hazard an extension moved."""
    if not hazard_ids:
        return {}
    rows = db.session.execute(
        select(DeadlineExtension.hazard_id, DeadlineExtension.old_deadline)
        .where(DeadlineExtension.hazard_id.in_(hazard_ids), DeadlineExtension.state == APPROVED)
        .order_by(DeadlineExtension.hazard_id, DeadlineExtension.decided_at.desc()))
    return {hazard_id: old for hazard_id, old in rows}  # the earliest decision comes last


def _listing_text(listing) -> str:
    """挂牌督办 of a hazard as the notice prints it (and its 摘牌)."""
    text = (f"挂牌督办：督办单位 {listing.unit}；督办期限 {_zh_date(listing.deadline)}；"
            f"责任人 {listing.responsible}")
    if listing.state == DELISTED:
        text += f"。已于{_zh_date(listing.delisted_at)}摘牌，评估意见：{listing.assessment}"
    return text


def rectification_notice(user, inspection_id: str) -> tuple[bytes, str]:
    """隐患整改通知书 of an inspection: the enterprise, the inspection (and the checklist it
    followed, with its 符合率), each hazard found with level, place, description, deadline (with
    the first deadline when an extension moved it) and finding photos, its 挂牌督办 (and 摘牌),
    the checklist items that failed with their legal basis, the legal basis and the signature
    lines for the inspector and the enterprise. Returns ``(pdf, file name)``."""
    inspection = get_or_404(Inspection, inspection_id, user)
    enterprise = db.session.get(Enterprise, inspection.enterprise_id)
    hazards = db.session.scalars(
        select(Hazard).where(Hazard.inspection_id == inspection.id, scope_clause(user, Hazard))
        .order_by(Hazard.found_at, Hazard.id)).all()
    photos: dict[str, list[Photo]] = {}
    if hazards:
        for photo in db.session.scalars(
                select(Photo).where(Photo.hazard_id.in_([h.id for h in hazards]),
                                    Photo.kind == FINDING)
                .order_by(Photo.created_at, Photo.id)):
            photos.setdefault(photo.hazard_id, []).append(photo)
    first_deadline = _first_deadlines([h.id for h in hazards])
    st = styles()
    street = _street(inspection.community_id)
    kind = INSPECTION_KINDS.label(inspection.kind, "zh")
    inspector = "、".join(inspection.inspector_names)  # 联合检查: everyone who took part
    categories = configured_categories()
    community = db.session.get(Community, inspection.community_id)

    story = [para(f"{enterprise.name}：", st["h2"])]
    found = (f"{_zh_datetime(inspection.started_at)}，{street}检查人员{inspector}对你单位开展"
             f"{kind}，")
    if hazards:
        majors = sum(1 for h in hazards if h.level == "major")
        found += (f"发现事故隐患 {len(hazards)} 项" +
                  (f"（其中重大事故隐患 {majors} 项）" if majors else "") + "。")
        story.append(_paragraph(found + LEGAL_BASIS))
    else:
        story.append(_paragraph(found + "本次检查未发现事故隐患。"))
    story.append(Spacer(1, 3 * mm))

    location = ""
    if inspection.distance_m is not None:
        location = (f"距企业登记位置 {inspection.distance_m:.0f} 米"
                    f"（{'现场' if inspection.on_site else '不在现场范围'}）")
    checklist = checklist_detail(inspection)
    story.append(field_table([
        ("被检查单位", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("单位地址", enterprise.address),
        ("法定代表人", enterprise.legal_rep),
        ("安全管理人员", " ".join(x for x in (enterprise.safety_officer, enterprise.phone) if x)),
        ("所属社区", community.name if community else ""),
        ("检查时间", _zh_datetime(inspection.started_at)),
        ("检查类型", kind),
        ("检查人员", inspector),
        ("检查定位", location),
        *([("检查表", _checklist_line(checklist, inspection.score))] if checklist else []),
    ], label_width=30 * mm))

    sections = iter("一二三四")
    if hazards:
        story += [Spacer(1, 4 * mm), *_heading(f"{next(sections)}、隐患清单及整改期限")]
        header = ["序号", "隐患地点及描述", "等级", "整改期限", "隐患照片"]
        major_cell = ParagraphStyle("cell-major", parent=st["cell"],
                                    textColor=colors.HexColor("#C62828"))
        rows = []
        for n, h in enumerate(hazards, start=1):
            level = HAZARD_LEVELS.label(h.level, "zh")
            text = [para(f"{h.title}", st["cell_label"])]
            detail = "；".join(x for x in (
                f"地点：{h.place}" if h.place else "",
                f"类别：{categories.label(h.category, 'zh')}",
                h.description or "") if x)
            text.append(para(detail, st["cell"]))
            if h.listing is not None:
                text.append(para(_listing_text(h.listing), major_cell))
            text.append(para(f"编号：{h.id}", st["small"]))
            pics = [_photo_flowable(p, THUMB_MM * mm) for p in photos.get(h.id, [])[:2]]
            level_style = major_cell if h.level == "major" else st["cell"]
            deadline = [para(_zh_datetime(h.deadline), st["cell"])]
            if h.id in first_deadline:
                deadline.append(para(f"（经批准延期，原期限{_zh_datetime(first_deadline[h.id])}）",
                                     st["small"]))
            rows.append([para(str(n), st["cell"]), text, para(level, level_style), deadline,
                         pics or para("—", st["cell"])])
        table = Table([[para(x, st["cell_label"]) for x in header], *rows],
                      colWidths=[10 * mm, 67 * mm, 20 * mm, 31 * mm, 42 * mm], repeatRows=1,
                      splitInRow=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    failed = [i for i in (checklist or {}).get("items", [])
              if i["answer"] is not None and i["answer"].result == FAIL]
    if failed:
        story += [Spacer(1, 4 * mm), *_heading(f"{next(sections)}、检查表不符合项及依据"),
                  data_table(["序号", "编号", "检查内容", "依据", "情况说明"],
                             [[n, i["code"], i["text"], i["basis"] or "—",
                               i["answer"].note or ""] for n, i in enumerate(failed, start=1)],
                             col_widths=[10 * mm, 14 * mm, 58 * mm, 48 * mm, 40 * mm])]
    if hazards:
        story += [
            Spacer(1, 4 * mm), *_heading(f"{next(sections)}、整改要求"),
            _paragraph("1. 你单位应当立即组织整改，落实整改措施、责任、资金、时限和预案，"
                       "在整改期限内完成整改，并通过“安巡”上传整改照片提交复查。"),
            _paragraph("2. 重大事故隐患应当制定治理方案（治理目标和任务、方法和措施、经费和物资、"
                       "负责机构和人员、时限和要求、安全措施和应急预案）；整改前或者整改过程中"
                       "无法保证安全的，应当从危险区域内撤出作业人员，暂时停产停业或者停止使用"
                       "相关设施、设备。"),
            _paragraph(f"3. {LEGAL_WARNING}"),
        ]
    story += [Spacer(1, 8 * mm), CondPageBreak(45 * mm), KeepTogether([
        _signature_table(
            ["检查人员（签名）：______________", "日期：______年____月____日"],
            ["被检查单位负责人（签收）：______________", "日期：______年____月____日"]),
        Spacer(1, 8 * mm),
        _right(f"{street}安全生产领导小组办公室（盖章）"),
        Spacer(1, 2 * mm),
        _right(_zh_date(inspection.started_at)),
        Spacer(1, 4 * mm),
        para("本通知书一式两份，一份交被检查单位，一份由检查单位存档。", st["small"]),
    ])]
    pdf = render_document(story, title="安全生产事故隐患整改通知书", record_id=inspection.id,
                          url=record_url("inspection", inspection.id),
                          subtitle=f"{street}安全生产领导小组办公室 · {kind}")
    started = inspection.started_at.astimezone(SHANGHAI)
    return pdf, f"整改通知书-{enterprise.name}-{started:%Y%m%d}.pdf"


# --------------------------------------------------------------------------- 约谈记录
def interview_record(user, interview_id: str) -> tuple[bytes, str]:
    """约谈记录 with every record field: parties, reasons (rule and hazard), time and place,
    interviewers and called-in departments, interviewee, note-taker, minutes, problems,
    requirements, commitments, follow-up deadline and the completion receipt."""
    interview = get_or_404(Interview, interview_id, user)
    enterprise = db.session.get(Enterprise, interview.enterprise_id)
    reasons = db.session.execute(
        select(Escalation.rule, Escalation.fired_at, Escalation.detail, Hazard.title,
               Hazard.level, Hazard.id)
        .join(Hazard, Hazard.id == Escalation.hazard_id)
        .where(Escalation.interview_id == interview.id)
        .order_by(Escalation.fired_at, Escalation.id)).all()
    state = INTERVIEW_STATES.label(interview.state, "zh")
    story = [field_table([
        ("约谈方", interview.convener),
        ("被约谈单位", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("单位地址", enterprise.address),
        ("被约谈人", " ".join(x for x in (interview.interviewee, interview.interviewee_title) if x)
         or "（待约谈时填写）"),
        ("约谈时间", _zh_datetime(interview.held_at or interview.scheduled_at)),
        ("约谈地点", interview.place or ""),
        ("约谈人员", "、".join(interview.interviewers or [])),
        ("参加部门", "、".join(interview.departments or []) or "—"),
        ("记录人", interview.note_taker or ""),
        ("状态", state),
    ], label_width=32 * mm), Spacer(1, 4 * mm), *_heading("一、约谈事由")]
    if reasons:
        story.append(data_table(
            ["规则", "隐患", "等级", "触发时间", "说明"],
            [[f"{r.rule} {RULES.label(r.rule, 'zh')}", r.title,
              HAZARD_LEVELS.label(r.level, "zh"), _zh_datetime(r.fired_at),
              r.detail or ""] for r in reasons],
            col_widths=[30 * mm, 48 * mm, 18 * mm, 32 * mm, 42 * mm]))
    if interview.situation:
        story += [Spacer(1, 2 * mm), _paragraph(f"情况通报：{interview.situation}")]
    for number, (label, value) in enumerate((
            ("约谈纪要", interview.minutes), ("存在问题", interview.problems),
            ("整改要求", interview.requirements), ("企业承诺", interview.commitments)), start=2):
        story += [*_heading(f"{'二三四五六'[number - 2]}、{label}"),
                  _paragraph(value or "（未填写）")]
    story += [*_heading("六、跟踪落实"), field_table([
        ("书面回复期限", _zh_datetime(interview.follow_up_deadline)),
        ("整改完成回执", interview.completion_receipt or "（待企业报送）"),
        ("结案时间", _zh_datetime(interview.closed_at)),
    ], label_width=32 * mm), Spacer(1, 10 * mm), CondPageBreak(40 * mm), _signature_table(
        ["约谈人（签名）：______________", "记录人（签名）：______________",
         "日期：______年____月____日"],
        ["被约谈人（签名）：______________", "被约谈单位（盖章）", "日期：______年____月____日"])]
    pdf = render_document(story, title="安全生产约谈记录", record_id=interview.id,
                          url=record_url("interviews", interview.id),
                          subtitle=f"{interview.convener} · 零容忍约谈")
    return pdf, f"约谈记录-{enterprise.name}.pdf"


# --------------------------------------------------------------------------- 活动总结
def _bar_chart(labels: list[str], values: list[int], *, title: str, color: str,
               width: float = 170 * mm, height: float = 62 * mm) -> Drawing:
    d = Drawing(width, height)
    d.add(String(0, height - 10, title, fontName=FONT, fontSize=10))
    chart = HorizontalBarChart()
    chart.x, chart.y = 62, 6
    chart.width, chart.height = width - 90, height - 24
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or ["—"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = colors.HexColor(color)
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    d.add(chart)
    return d


def _pie(items: list[tuple[str, int, str]], *, title: str, width: float = 84 * mm,
         height: float = 62 * mm) -> Drawing:
    d = Drawing(width, height)
    d.add(String(0, height - 10, title, fontName=FONT, fontSize=10))
    shown = [(label, n, color) for label, n, color in items if n]
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 6, 8, 36 * mm, 36 * mm
    pie.data = [n for _, n, _ in shown] or [1]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.5
    for i, (_, _, color) in enumerate(shown):
        pie.slices[i].fillColor = colors.HexColor(color)
    if not shown:
        pie.slices[0].fillColor = colors.HexColor("#DDDDDD")
    d.add(pie)
    legend = Legend()
    legend.x, legend.y = 36 * mm + 20, height - 22
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.colorNamePairs = [(colors.HexColor(c), f"{label} {n}") for label, n, c in items]
    d.add(legend)
    return d


def _week_chart(weeks: list[dict], *, width: float = 170 * mm, height: float = 62 * mm
                ) -> Drawing:
    d = Drawing(width, height)
    d.add(String(0, height - 10, "每周发现与销号隐患数", fontName=FONT, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 22
    chart.width, chart.height = width - 50, height - 40
    chart.data = [[w["found"] for w in weeks] or [0], [w["closed"] for w in weeks] or [0]]
    chart.categoryAxis.categoryNames = [f"{w['start']:%m-%d}" for w in weeks] or ["—"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(weeks) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(weeks) > 8 else "n"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1565C0")
    chart.bars[1].fillColor = colors.HexColor("#2E7D32")
    chart.bars.strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 120, height - 6
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(colors.HexColor("#1565C0"), "发现"),
                             (colors.HexColor("#2E7D32"), "销号")]
    d.add(legend)
    return d


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def summary_figures(user, *, date_from: date, date_to: date, community: Community | None,
                    now: datetime) -> dict:
    """The hazard and inspection figures of a campaign summary for ``user``'s scope (and
    ``community``), as plain JSON data: what the summary prints, and what a submission (报送)
    freezes. Dates are ISO strings; labels are looked up when printing."""
    figures = dashboard(user, community_id=community.id if community else None,
                        date_from=date_from, date_to=date_to, now=now)
    start = datetime.combine(date_from, datetime.min.time(), tzinfo=SHANGHAI)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)
    insp_scope = scope_clause(user, Inspection)
    if community is not None:
        insp_scope = and_(insp_scope, Inspection.community_id == community.id)
    insp_scope = and_(insp_scope, Inspection.started_at >= start, Inspection.started_at < end)
    by_kind = dict(db.session.execute(select(Inspection.kind, func.count()).where(insp_scope)
                                      .group_by(Inspection.kind)).all())
    enterprises_checked = db.session.scalar(
        select(func.count(func.distinct(Inspection.enterprise_id))).where(insp_scope))
    hazard_scope = scope_clause(user, Hazard)
    if community is not None:
        hazard_scope = and_(hazard_scope, Hazard.community_id == community.id)
    in_period = and_(hazard_scope, Hazard.found_at >= start, Hazard.found_at < end)
    cases = db.session.execute(
        select(Hazard.id, Hazard.title, Hazard.level, Hazard.state, Hazard.escalated,
               Hazard.found_at, Hazard.place, Enterprise.name.label("enterprise"))
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(in_period, (Hazard.level == "major") | Hazard.escalated.is_(True))
        .order_by((Hazard.level == "major").desc(), Hazard.rejection_count.desc(),
                  Hazard.found_at, Hazard.id).limit(8)).all()
    exposed = db.session.execute(
        select(Enterprise.name, func.count().label("n")).select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(in_period, Hazard.level == "major")
        .group_by(Enterprise.id, Enterprise.name)
        .order_by(func.count().desc(), Enterprise.name).limit(10)).all()
    rules_by_hazard: dict[str, list[str]] = {}
    if cases:
        for hazard_id, rule in db.session.execute(
                select(Escalation.hazard_id, Escalation.rule)
                .where(Escalation.hazard_id.in_([c.id for c in cases]))
                .order_by(Escalation.rule)):
            rules_by_hazard.setdefault(hazard_id, []).append(rule)
    counts = ("key", "count")
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "inspections": {"total": sum(by_kind.values()), "by_kind": dict(sorted(by_kind.items())),
                        "enterprises": int(enterprises_checked or 0)},
        "hazards": {
            "total": figures["total"],
            "by_level": {x["key"]: x["count"] for x in figures["by_level"]},
            "by_state": [{k: x[k] for k in counts} for x in figures["by_state"]],
            "by_risk": [{k: x[k] for k in counts} for x in figures["by_risk"]],
            "by_category": [{k: x[k] for k in counts} for x in figures["by_category"]],
            "by_community": [{"id": x["id"], "name": x["name"], "count": x["count"]}
                             for x in figures["by_community"]],
            "rectified": figures["rectified"],
            "rectification_rate": figures["rectification_rate"],
            "on_time": figures["on_time"], "on_time_rate": figures["on_time_rate"],
            "overdue_now": figures["overdue_now"],
            "median_days_to_close": figures["median_days_to_close"],
            "escalations": figures["escalations"]["total"],
            "interviews_opened": figures["interviews"]["opened"],
            "weekly_trend": [{"start": w["start"].isoformat(), "found": w["found"],
                              "closed": w["closed"]} for w in figures["weekly_trend"]],
        },
        "cases": [{"id": c.id, "title": c.title, "level": c.level, "state": c.state,
                   "escalated": bool(c.escalated), "place": c.place or "",
                   "enterprise": c.enterprise, "rules": rules_by_hazard.get(c.id, [])}
                  for c in cases],
        "exposed": [{"name": e.name, "count": int(e.n)} for e in exposed],
    }


def _summary_heading(unit: str, campaign: str, year: int) -> str:
    """「乌龙社区2026年安全生产月活动总结」: the year once, whether or not the name holds it."""
    if f"{year}年" in campaign:
        return f"{unit}{campaign}活动总结"
    return f"{unit}{year}年{campaign}活动总结"


def _activity_photos(activities: list[dict], limit: int = 6) -> list[tuple[dict, Photo]]:
    """Photos of the main activities (most participants first, every kind before a second of
    the same kind), at most two of each, ``limit`` in all, from the stored files."""
    with_photos = [a for a in activities if a.get("photos")]
    ranked = sorted(with_photos, key=lambda a: (-a["participants"], a["held_on"], a["id"]))
    seen: set[str] = set()
    ordered = [a for a in ranked if not (a["kind"] in seen or seen.add(a["kind"]))]
    ordered += [a for a in ranked if a not in ordered]
    wanted = [(a, p["id"]) for a in ordered for p in a["photos"][:2]][:limit]
    rows = {p.id: p for p in db.session.scalars(
        select(Photo).where(Photo.id.in_([pid for _, pid in wanted])))} if wanted else {}
    return [(a, rows[pid]) for a, pid in wanted if pid in rows]


def _activities_section(activities: list[dict], by_kind: dict, number: str) -> list:
    """三、宣传教育和应急演练活动: counts by kind, the list, the drills' scenarios and problems,
    photos of the main activities."""
    st = styles()
    story = [*_heading(f"{number}、宣传教育和应急演练活动")]
    if not activities:
        return story + [_paragraph("本期间未登记宣传教育、培训或应急演练活动。")]
    rows = [[x["zh"], x["count"], x["participants"], x["enterprises"]]
            for x in by_kind["by_kind"] if x["count"]]
    rows.append(["合计", by_kind["count"], by_kind["participants"], by_kind["enterprises"]])
    story.append(data_table(["活动类型", "场次", "参与人次", "参与企业（家）"], rows,
                            col_widths=[55 * mm, 35 * mm, 40 * mm, 40 * mm]))
    story.append(Spacer(1, 3 * mm))
    story.append(data_table(["日期", "类型", "活动名称及地点", "人次", "参与企业"], [
        [_zh_date(date.fromisoformat(a["held_on"])), ACTIVITY_KINDS.label(a["kind"], "zh"),
         f"{a['title']}（{a['place']}）" if a["place"] else a["title"], a["participants"],
         "、".join(e["name"] for e in a["enterprises"]) or "—"] for a in activities],
        col_widths=[27 * mm, 24 * mm, 60 * mm, 14 * mm, 45 * mm]))
    drills = [a for a in activities if a["kind"] == DRILL]
    if drills:
        story.append(Spacer(1, 3 * mm))
        story.append(para("应急演练情况", st["h2"]))
        for a in drills:
            text = f"{_zh_date(date.fromisoformat(a['held_on']))}，{a['title']}"
            if a.get("scenario"):
                text += f"。演练科目：{a['scenario']}"
            text += f"。发现的问题：{a['problems']}" if a.get("problems") else "。未发现明显问题"
            story.append(_paragraph(text + "。"))
    pictures = _activity_photos(activities)
    if pictures:
        story += [Spacer(1, 3 * mm), para("主要活动照片", st["h2"])]
        cells = [[_photo_flowable(photo, 52 * mm),
                  para(f"{ACTIVITY_KINDS.label(a['kind'], 'zh')}：{a['title']}"
                       f"（{_zh_date(date.fromisoformat(a['held_on']))}）", st["small"])]
                 for a, photo in pictures]
        grid = [cells[i:i + 3] for i in range(0, len(cells), 3)]
        grid[-1] += [""] * (3 - len(grid[-1]))
        table = Table(grid, colWidths=[57 * mm] * 3)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 1)]))
        story.append(table)
    return story


def render_campaign_summary(figures: dict, *, unit: str, campaign: str, date_from: date,
                            date_to: date, due: date, activities: list[dict],
                            activity_figures: dict, record_id: str, url: str,
                            now: datetime, frozen: dict | None = None) -> tuple[bytes, str]:
    """Print a campaign summary from its figures (:func:`summary_figures`) and activities;
    ``frozen`` (a submission: its id, time, who, late, content SHA-256) prints what was
    submitted and the digest that names it."""
    st = styles()
    hz = figures["hazards"]
    insp = figures["inspections"]
    levels = hz["by_level"]
    heading = _summary_heading(unit, campaign, date_from.year)
    done = {x["key"]: x for x in activity_figures["by_kind"]}
    activity_text = ""
    if activity_figures["count"]:
        parts = [f"{x['zh']}{x['count']}场" for x in activity_figures["by_kind"] if x["count"]]
        activity_text = (f"组织开展{'、'.join(parts)}，参与{activity_figures['participants']}"
                         f"人次，覆盖企业{activity_figures['enterprises']}家。")
    overview = (
        f"{_zh_date(date_from)}至{_zh_date(date_to)}，{unit}围绕“{campaign}”活动，"
        f"{activity_text}"
        f"共开展安全检查{insp['total']}次，检查企业{insp['enterprises']}家，"
        f"其中“四不两直”暗查暗访{insp['by_kind'].get('unannounced', 0)}次、专项检查"
        f"{insp['by_kind'].get('special', 0)}次。共排查发现事故隐患{hz['total']}项，其中重大事故"
        f"隐患{levels.get('major', 0)}项、一般事故隐患{levels.get('general', 0)}项；已完成整改"
        f"{hz['rectified']}项，整改率{_pct(hz['rectification_rate'])}，按期整改率"
        f"{_pct(hz['on_time_rate'])}。坚持事故隐患“零容忍”，启动升级督办"
        f"{hz['escalations']}次，约谈企业{hz['interviews_opened']}家次。")
    median = hz["median_days_to_close"]
    story = [para(f"报送单位：{unit}　　统计期间：{_zh_date(date_from)}—{_zh_date(date_to)}",
                  st["small"])]
    if frozen is not None:
        story += [Spacer(1, 2 * mm), field_table([
            ("报送编号", frozen["id"]),
            ("报送时间", _zh_datetime(frozen["submitted_at"])
             + ("（逾期报送）" if frozen["late"] else "（按时报送）")),
            ("报送人", frozen["submitted_by"]),
            ("数据摘要 SHA-256", frozen["content_sha256"]),
        ], label_width=34 * mm), para("数据摘要为报送时冻结的各项指标和活动清单的 SHA-256，"
                                      "报送后内容不再改变。", st["small"])]
    story += [
        *_heading("一、活动开展情况"), _paragraph(overview),
        *_heading("二、主要指标"),
        data_table(["指标", "数值", "指标", "数值"], [
            ["检查次数", insp["total"], "检查企业（家）", insp["enterprises"]],
            ["发现隐患（项）", hz["total"], "其中重大隐患", levels.get("major", 0)],
            ["已整改（项）", hz["rectified"], "整改率", _pct(hz["rectification_rate"])],
            ["按期整改（项）", hz["on_time"], "按期整改率", _pct(hz["on_time_rate"])],
            ["当前逾期未改（项）", hz["overdue_now"], "销号用时中位数（天）",
             "—" if median is None else f"{median:.1f}"],
            ["零容忍升级（次）", hz["escalations"], "约谈（家次）", hz["interviews_opened"]],
            ["培训（场）", done[TRAINING]["count"], "应急演练（场）", done[DRILL]["count"]],
            ["各类活动（场）", activity_figures["count"], "参与人次",
             activity_figures["participants"]],
        ], col_widths=[45 * mm, 40 * mm, 45 * mm, 40 * mm]),
        Spacer(1, 4 * mm),
    ]
    story += _activities_section(activities, activity_figures, "三")
    states = [(HAZARD_STATES.label(x["key"], "zh"), x["count"],
               HAZARD_STATES.color(x["key"]) or "#999999") for x in hz["by_state"]]
    risks = [(RISK_LEVELS.label(x["key"], "zh"), x["count"],
              RISK_LEVELS.color(x["key"]) or "#999999") for x in hz["by_risk"]]
    pies = Table([[_pie(states, title="隐患状态分布"), _pie(risks, title="按企业风险等级")]],
                 colWidths=[85 * mm, 85 * mm])
    pies.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    categories = [x for x in hz["by_category"] if x["count"]]
    story += [KeepTogether([*_heading("四、隐患分布"), pies])]
    story.append(_bar_chart([configured_categories().label(x["key"], "zh") for x in categories],
                            [x["count"] for x in categories],
                            title="隐患类别分布", color="#E06C00",
                            height=max(40, 14 + 11 * len(categories)) * mm / 2.2))
    if len(hz["by_community"]) > 1:
        rows = hz["by_community"]
        story.append(Spacer(1, 6 * mm))
        story.append(_bar_chart([x["name"] for x in rows], [x["count"] for x in rows],
                                title="各社区发现隐患数", color="#1565C0",
                                height=max(40, 14 + 11 * len(rows)) * mm / 2.2))
    weeks = [{**w, "start": date.fromisoformat(w["start"])} for w in hz["weekly_trend"]]
    story += [Spacer(1, 6 * mm), CondPageBreak(70 * mm), _week_chart(weeks)]
    story += [*_heading("五、典型案例")]
    cases = figures["cases"]
    if cases:
        story.append(data_table(["企业", "隐患", "等级", "状态", "零容忍"], [
            [c["enterprise"], f"{c['title']}（{c['place']}）" if c["place"] else c["title"],
             HAZARD_LEVELS.label(c["level"], "zh"), HAZARD_STATES.label(c["state"], "zh"),
             "、".join(f"{r} {RULES.label(r, 'zh')}" for r in c["rules"])
             or ("已升级" if c["escalated"] else "—")] for c in cases],
            col_widths=[40 * mm, 52 * mm, 18 * mm, 18 * mm, 42 * mm]))
        story.append(_paragraph("以上案例用于警示教育，请各企业举一反三，深入开展自查自改。",
                                style="small"))
    else:
        story.append(_paragraph("本期间未发现重大事故隐患或升级督办案例。"))
    story += _heading("六、重大事故隐患企业（曝光）")
    if figures["exposed"]:
        story.append(data_table(["企业", "重大隐患（项）"],
                                [[e["name"], e["count"]] for e in figures["exposed"]],
                                col_widths=[130 * mm, 40 * mm]))
    else:
        story.append(_paragraph("无。"))
    story += [
        *_heading("七、下一步工作"),
        _paragraph("1. 对尚未完成整改的隐患逐项跟踪督办，逾期未整改的依规升级约谈；"),
        _paragraph("2. 巩固活动成果，常态化开展“四不两直”检查和“回头看”；"),
        _paragraph("3. 完善隐患排查治理台账，做到隐患登记、整改、复查、销号闭环管理。"),
        Spacer(1, 6 * mm),
        para(f"报送要求：本总结请于{_zh_date(due)}前报街道安全生产领导小组办公室。", st["body"]),
        Spacer(1, 10 * mm),
        _signature_table(["填报人：______________", "审核人：______________"],
                         [f"报送单位：{unit}（盖章）", f"日期：{_zh_date(now)}"]),
    ]
    note = f"请于{_zh_date(due)}前报送"
    if frozen is not None:
        note = f"已报送 · 数据摘要 SHA-256 {frozen['content_sha256'][:16]}…"
    pdf = render_document(story, title=heading, record_id=record_id, url=url,
                          subtitle=f"（{_zh_date(date_from)}—{_zh_date(date_to)}）",
                          footer_note=note, generated_at=now)
    return pdf, f"{heading}.pdf"


def campaign_summary(user, *, date_from: date | None = None, date_to: date | None = None,
                     community_id: str | None = None, title: str | None = None,
                     report_due: date | None = None, campaign_id: str | None = None
                     ) -> tuple[bytes, str]:
    """The activity summary of a campaign (e.g. 安全生产月, 1–30 June) that a 社区 sends upward:
    inspections, the dashboard's figures for the period, the campaign's activities (training,
    drills, publicity… by kind, with photos of the main ones), charts, typical cases (major and
    escalated hazards), the enterprises exposed for major hazards, and the reporting deadline.
    ``campaign_id`` takes the period, name and deadline from a campaign."""
    now = utcnow()
    community = visible_community(user, community_id)
    campaign = get_campaign_record(campaign_id) if campaign_id else None
    if campaign is not None:
        date_from, date_to = campaign.starts_on, campaign.ends_on
        title, report_due = title or campaign.name, report_due or campaign.submission_due
    figures = summary_figures(user, date_from=date_from, date_to=date_to, community=community,
                              now=now)
    # the campaign's confirmed activities, else those held in the period
    activities = campaign_activities(
        user, community_id=community.id if community else None,
        **({"campaign_id": campaign.id} if campaign is not None
           else {"held_from": date_from, "held_to": date_to}))
    unit = community.name if community else _street_of_user(user)
    record_id = (f"SUM-{community.code or community.id[:8] if community else 'ALL'}-"
                 f"{date_from:%Y%m%d}-{date_to:%Y%m%d}")
    query = f"?from={date_from.isoformat()}&to={date_to.isoformat()}"
    if community is not None:
        query += f"&community_id={community.id}"
    return render_campaign_summary(
        figures, unit=unit, campaign=title or "安全生产月", date_from=date_from,
        date_to=date_to, due=report_due or date(date_to.year, date_to.month, 25),
        activities=activities, activity_figures=activity_figures(activities),
        record_id=record_id, url=app_url(f"dashboard{query}"), now=now)


def freeze_summary(_sender, *, campaign, community, submission_id, submitted_at, late,
                   activities, activity_figures, seal, actor, **_) -> FrozenSummary:
    """A community's submission (报送): its figures for the campaign's period as its submitter
    sees them, and the summary PDF printing them with the digest of what is frozen
    (:data:`app.campaigns.signals.summary_wanted`)."""
    figures = summary_figures(actor, date_from=campaign.starts_on, date_to=campaign.ends_on,
                              community=community, now=submitted_at)
    digest = seal(figures)
    pdf, filename = render_campaign_summary(
        figures, unit=community.name, campaign=campaign.name, date_from=campaign.starts_on,
        date_to=campaign.ends_on, due=campaign.submission_due, activities=activities,
        activity_figures=activity_figures, record_id=f"SUB-{submission_id}",
        url=app_url(f"campaigns/{campaign.id}"), now=submitted_at,
        frozen={"id": submission_id, "submitted_at": submitted_at, "late": late,
                "submitted_by": actor.display_name, "content_sha256": digest})
    return FrozenSummary(figures=figures, pdf=pdf, filename=f"报送-{filename}")


def _summed(rows: list[dict], key: str) -> int:
    return sum(int(r.get(key) or 0) for r in rows)


def street_summary(user, campaign_id: str) -> tuple[bytes, str]:
    """The street's summary of a campaign (街道汇总), built from the communities' submissions
    alone, as they were frozen: which communities submitted (on time or late) and which did
    not, each one's figures with the digest it was submitted under, the sums, and every
    activity reported with photos of the main ones."""
    now = utcnow()
    campaign = get_campaign_record(campaign_id)
    today = today_in_shanghai(now)
    board = submissions_board(user, campaign, today)
    made = board["submissions"]
    st = styles()
    street = _street_of_user(user)
    heading = _summary_heading(street, campaign.name, campaign.starts_on.year) + "（街道汇总）"
    hazards = [s.figures["hazards"] for s in made]
    inspections = [s.figures["inspections"] for s in made]
    total = _summed(hazards, "total")
    rectified = _summed(hazards, "rectified")
    on_time = _summed(hazards, "on_time")
    majors = sum(int(h["by_level"].get("major", 0)) for h in hazards)
    activities = [{**a, "title": f"【{s.community_name}】{a['title']}"}
                  for s in made for a in s.activities]
    by_kind = activity_figures(activities)
    counts = board["counts"]
    status_rows = [[s.community_name, _zh_datetime(s.submitted_at),
                    SUBMISSION_STATUSES.label(s.status, "zh"), s.figures["hazards"]["total"],
                    _pct(s.figures["hazards"]["rectification_rate"]),
                    s.figures["activities"]["count"], s.figures["activities"]["participants"],
                    s.content_sha256[:16]] for s in made]
    status_rows += [[m["community_name"], "—", SUBMISSION_STATUSES.label(m["status"], "zh"),
                     "—", "—", "—", "—", "—"] for m in board["missing"]]
    story = [
        para(f"汇总单位：{street}　　活动期间：{_zh_date(campaign.starts_on)}—"
             f"{_zh_date(campaign.ends_on)}　　社区报送截止：{_zh_date(campaign.submission_due)}",
             st["small"]),
        *_heading("一、各社区报送情况"),
        _paragraph(f"应报送社区{counts['communities']}个，已报送{counts['submitted']}个（其中逾期"
                   f"报送{counts['late']}个），未报送{counts['missing']}个。本汇总仅依据各社区"
                   "已报送（冻结）的总结生成，各社区数据摘要见下表。"),
        data_table(["社区", "报送时间", "状态", "隐患（项）", "整改率", "活动（场）", "人次",
                    "数据摘要（前16位）"], status_rows,
                   col_widths=[24 * mm, 28 * mm, 24 * mm, 16 * mm, 16 * mm, 16 * mm, 12 * mm,
                               34 * mm]),
        *_heading("二、主要指标（已报送社区合计）"),
        data_table(["指标", "数值", "指标", "数值"], [
            ["检查次数", _summed(inspections, "total"), "检查企业（家）",
             _summed(inspections, "enterprises")],
            ["发现隐患（项）", total, "其中重大隐患", majors],
            ["已整改（项）", rectified, "整改率", _pct(rectified / total if total else None)],
            ["按期整改（项）", on_time, "按期整改率",
             _pct(on_time / rectified if rectified else None)],
            ["零容忍升级（次）", _summed(hazards, "escalations"), "约谈（家次）",
             _summed(hazards, "interviews_opened")],
            ["各类活动（场）", by_kind["count"], "参与人次", by_kind["participants"]],
        ], col_widths=[45 * mm, 40 * mm, 45 * mm, 40 * mm]),
        Spacer(1, 4 * mm),
        *_activities_section(activities, by_kind, "三"),
        Spacer(1, 10 * mm),
        _signature_table(["填报人：______________", "审核人：______________"],
                         [f"报送单位：{street}安全生产领导小组办公室（盖章）",
                          f"日期：{_zh_date(now)}"]),
    ]
    pdf = render_document(story, title=heading, record_id=f"STREET-{campaign.id[:8]}",
                          url=app_url(f"campaigns/{campaign.id}"),
                          subtitle=f"（{_zh_date(campaign.starts_on)}—{_zh_date(campaign.ends_on)}）",
                          footer_note=f"已报送 {counts['submitted']}/{counts['communities']}",
                          generated_at=now)
    return pdf, f"{heading}.pdf"


def _street_of_user(user) -> str:
    """The 街道 of the communities the user sees (the unit of an all-communities summary)."""
    street = db.session.scalar(select(Community.street).where(
        community_scope_clause(user), Community.street != "")
        .order_by(Community.code).limit(1))
    return street or "街道"
