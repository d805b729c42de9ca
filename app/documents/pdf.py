"""reportlab helpers for Chinese PDFs: the embedded CJK font, paragraph styles, QR label sheets
and the shared header/footer of record documents (整改通知书, 约谈记录, ...).

The font (WenQuanYi Micro Hei, a TrueType collection) ships in ``app/documents/fonts`` so no
system font is needed at run time; it is embedded (subset) in every PDF. Framework-free.
"""
from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from app.documents.linebreak import ChineseParagraph
from app.documents.qr import QUIET_ZONE, draw_qr, modules

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "wqy-microhei.ttc"
FONT = "WenQuanYiMicroHei"          # reportlab font name; the PDF BaseFont is a subset of it
SHANGHAI = ZoneInfo("Asia/Shanghai")
APP_NAME = "安巡"

_lock = threading.Lock()
#: A table cell's left and right padding together (reportlab's default 6 pt each side).
CELL_PADDING = 12


def register_fonts() -> str:
    """Register the embedded CJK font with reportlab (idempotent, thread-safe); returns its name.

    WenQuanYi Micro Hei has no bold face: the family maps bold/italic to the regular face."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    with _lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT,
                                          boldItalic=FONT)
    return FONT


# --------------------------------------------------------------------------------------------
# Styles and flowables

def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles for Chinese text (``wordWrap='CJK'``: lines may break between any two
    characters; :func:`para` keeps the punctuation rules, see :mod:`app.documents.linebreak`)."""
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK",
                          alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24,
                                alignment=TA_CENTER, spaceAfter=6),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=20, spaceBefore=8,
                             spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=6,
                             spaceAfter=2),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=12,
                                textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13.5),
        "cell_label": ParagraphStyle("cell_label", parent=base, fontSize=9.5, leading=13.5,
                                     textColor=colors.HexColor("#333333")),
    }


def para(text: str | None, style: str | ParagraphStyle = "body") -> Paragraph:
    """A paragraph of *plain* text: markup characters are escaped, newlines kept, lines broken
    by the Chinese rules (no ，or 》 at a line start; a credit code kept whole)."""
    st = styles()[style] if isinstance(style, str) else style
    return ChineseParagraph(escape(text or "").replace("\n", "<br/>"), st)


def field_table(pairs: Sequence[tuple[str, str | None]], *, width: float = 170 * mm,
                label_width: float = 32 * mm) -> Table:
    """A two-column record table (label | value) with wrapped Chinese text, e.g. the parties,
    time and place, commitments of an interview record. The label column is widened to its
    longest label, so no label (统一社会信用代码) wraps."""
    st = styles()
    label_style = st["cell_label"]
    widest = max((pdfmetrics.stringWidth(label, label_style.fontName, label_style.fontSize)
                  for label, _ in pairs), default=0)
    label_width = max(label_width, widest + CELL_PADDING + 1)
    data = [[para(label, st["cell_label"]), para(value or "", st["cell"])]
            for label, value in pairs]
    t = Table(data, colWidths=[label_width, width - label_width], splitInRow=1)
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),   # else Table selects Helvetica per cell
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEF1F5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return t


def data_table(header: Sequence[str], rows: Iterable[Sequence], *,
               col_widths: Sequence[float] | None = None) -> Table:
    """A list table with a shaded header row repeated on every page."""
    st = styles()
    head = [para(h, st["cell_label"]) for h in header]
    body = [[para("" if v is None else str(v), st["cell"]) for v in r] for r in rows]
    t = Table([head, *body], colWidths=col_widths, repeatRows=1, splitInRow=1)
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),   # else Table selects Helvetica per cell
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return t


# --------------------------------------------------------------------------------------------
# QR label sheet

class Label(NamedTuple):
    url: str
    name_zh: str
    credit_code: str | None = None
    community_name: str | None = None


@dataclass(frozen=True)
class LabelLayout:
    """Geometry in millimetres. The default is the common A4 8-up sticker stock (2 × 4 labels of
    99.1 × 67.7 mm, e.g. Avery L7165); on plain paper the faint outlines are cutting guides."""
    columns: int = 2
    rows: int = 4
    label_w: float = 99.1
    label_h: float = 67.7
    left: float = 4.65
    top: float = 13.1
    pitch_x: float = 101.6
    pitch_y: float = 67.7
    qr_symbol_mm: float = 52.0     # target size of the QR symbol itself (without quiet zone)
    min_qr_symbol_mm: float = 50.0
    inset: float = 1.0             # kept clear of the label edge (printer misalignment)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


A4_8UP = LabelLayout()
CAPTION = f"{APP_NAME} · 扫码查看企业信息"


def label_sheet_pdf(labels: Sequence[Label | tuple], *, layout: LabelLayout = A4_8UP,
                    title: str | None = None, outline: bool = True) -> bytes:
    """A4 pages of QR labels (8 per page by default): each label has a QR code whose symbol is
    at least 50 mm wide (plus the 4-module quiet zone), the enterprise name (wrapped, shrunk to
    fit), community, 统一社会信用代码 and the caption “安巡 · 扫码查看企业信息”.

    ``title`` (e.g. the community's name) is printed small in the top margin with the page
    number. An empty list gives one empty page."""
    register_fonts()
    labels = [lb if isinstance(lb, Label) else Label(*lb) for lb in labels]
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1, initialFontName=FONT,
               initialFontSize=10, lang="zh-CN")
    c.setTitle(title or "企业二维码标签")
    c.setAuthor(APP_NAME)
    c.setCreator(f"{APP_NAME} Anxun")
    c.setSubject("QR labels / 企业二维码标签")
    page_w, page_h = A4
    pages = max(1, -(-len(labels) // layout.per_page))
    for p in range(pages):
        chunk = labels[p * layout.per_page:(p + 1) * layout.per_page]
        if title or pages > 1:
            c.setFont(FONT, 7.5)
            c.setFillColor(colors.HexColor("#777777"))
            c.drawString(layout.left * mm, page_h - (layout.top - 5) * mm,
                         f"{title or ''}  第 {p + 1}/{pages} 页".strip())
        for i, label in enumerate(chunk):
            col, row = i % layout.columns, i // layout.columns
            x = (layout.left + col * layout.pitch_x) * mm
            y = page_h - (layout.top + row * layout.pitch_y + layout.label_h) * mm
            _draw_label(c, label, x, y, layout, outline)
        c.showPage()
    c.save()
    return buf.getvalue()


def _draw_label(c: Canvas, label: Label, x: float, y: float, layout: LabelLayout,
                outline: bool) -> None:
    w, h = layout.label_w * mm, layout.label_h * mm
    if outline:
        c.saveState()
        c.setStrokeColor(colors.HexColor("#C8C8C8"))
        c.setLineWidth(0.3)
        c.setDash(2, 2)
        c.roundRect(x, y, w, h, 2.5 * mm, stroke=1, fill=0)
        c.restoreState()

    # QR: the symbol gets the target size unless the quiet zone would not fit the label height
    n = modules(label.url)
    avail = (layout.label_h - 2 * layout.inset) * mm
    module = min(layout.qr_symbol_mm * mm / n, avail / (n + 2 * QUIET_ZONE))
    qr_total = module * (n + 2 * QUIET_ZONE)
    qr_x = x + layout.inset * mm
    qr_y = y + (h - qr_total) / 2
    draw_qr(c, label.url, qr_x, qr_y, qr_total, quiet_zone=True)

    # text column right of the QR (its quiet zone already separates them)
    tx = qr_x + qr_total
    tw = x + w - 3 * mm - tx
    top = y + h - 5 * mm
    bottom = y + 4 * mm
    grey = colors.HexColor("#555555")

    caption_size = _fit_line(CAPTION, tw, 7.5, 5.5)
    c.setFont(FONT, caption_size)
    c.setFillColor(grey)
    c.drawString(tx, bottom, CAPTION)
    cursor = bottom + caption_size + 2.5 * mm

    if label.credit_code:
        code_size = _fit_line(label.credit_code, tw, 9, 6)
        c.setFont(FONT, code_size)
        c.setFillColor(colors.black)
        c.drawString(tx, cursor, label.credit_code)
        cursor += code_size + 1.2
        c.setFont(FONT, 6.5)
        c.setFillColor(grey)
        c.drawString(tx, cursor, "统一社会信用代码")
        cursor += 6.5 + 2 * mm

    if label.community_name:
        st = ParagraphStyle("community", fontName=FONT, fontSize=8, leading=10.5,
                            wordWrap="CJK", textColor=grey)
        p = ChineseParagraph(escape(f"所属社区：{label.community_name}"), st)
        _, ph = p.wrap(tw, 3 * st.leading)
        if ph > 2 * st.leading:   # very long community names: one shrunk line
            p, ph = _shrink_paragraph(f"所属社区：{label.community_name}", st, tw,
                                      2 * st.leading, 5)
        p.drawOn(c, tx, cursor)
        cursor += ph + 2.5 * mm

    name_st = ParagraphStyle("name", fontName=FONT, fontSize=14, leading=18, wordWrap="CJK",
                             textColor=colors.black)
    p, ph = _shrink_paragraph(label.name_zh or "", name_st, tw, top - cursor, 6)
    p.drawOn(c, tx, top - ph)


def has_cjk(text: str) -> bool:
    """True when ``text`` holds CJK ideographs, kana, hangul or full-width forms."""
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text or "")


def _fit_line(text: str, width: float, size: float, min_size: float) -> float:
    """The largest font size ≤ ``size`` at which ``text`` fits ``width`` on one line."""
    w = pdfmetrics.stringWidth(text, FONT, size)
    if w <= width:
        return size
    return max(min_size, size * width / w * 0.98)


def _shrink_paragraph(text: str, style: ParagraphStyle, width: float, height: float,
                      min_size: float) -> tuple[Paragraph, float]:
    """Wrap ``text`` into ``width``, shrinking the font until it fits ``height``; at the minimum
    size an over-long text is cut with an ellipsis."""
    size = style.fontSize
    ratio = style.leading / style.fontSize
    # CJK wrapping breaks anywhere; a name without CJK characters wraps at spaces instead
    wrap = "CJK" if has_cjk(text) else None
    while True:
        st = ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size,
                            leading=size * ratio, wordWrap=wrap)
        p = ChineseParagraph(escape(text), st)
        _, ph = p.wrap(width, height + 1000)
        if ph <= height or size <= min_size:
            break
        size = max(min_size, size - 0.5)
    if ph > height:
        # cut characters until it fits
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            q = ChineseParagraph(escape(text[:mid] + "…"), st)
            if q.wrap(width, height + 1000)[1] <= height:
                lo = mid
            else:
                hi = mid - 1
        p = ChineseParagraph(escape(text[:lo] + "…"), st)
        _, ph = p.wrap(width, height + 1000)
    return p, ph


# --------------------------------------------------------------------------------------------
# Record documents: shared header and footer

HEADER_HEIGHT = 34 * mm   # top margin to leave under document_header
FOOTER_HEIGHT = 16 * mm   # bottom margin to leave above document_footer
QR_CORNER_MM = 21.0   # quiet zone included


def _local(dt: datetime | None) -> datetime:
    dt = dt or datetime.now(timezone.utc)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(SHANGHAI)


def document_header(canvas: Canvas, *, title: str, record_id: str | None = None,
                    url: str | None = None, subtitle: str | None = None,
                    pagesize=A4) -> None:
    """Draw the header of a record document on the current page: Chinese title, subtitle,
    ``编号`` record id, and a QR code back to the record in the top-right corner."""
    register_fonts()
    w, h = pagesize
    left, right = 20 * mm, w - 20 * mm
    canvas.saveState()
    qr_size = QR_CORNER_MM * mm
    text_right = right
    if url:
        draw_qr(canvas, url, right - qr_size, h - 5 * mm - qr_size, qr_size)
        canvas.setFont(FONT, 6.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawCentredString(right - qr_size / 2, h - 7.5 * mm - qr_size, "扫码查看记录")
        text_right = right - qr_size - 2 * mm
    cx = (left + text_right) / 2
    size = 18
    while size > 11 and pdfmetrics.stringWidth(title, FONT, size) > text_right - left:
        size -= 1
    canvas.setFillColor(colors.black)
    canvas.setFont(FONT, size)
    canvas.drawCentredString(cx, h - 17 * mm, title)
    if subtitle:
        canvas.setFont(FONT, 10)
        canvas.setFillColor(colors.HexColor("#333333"))
        canvas.drawCentredString(cx, h - 23 * mm, subtitle)
    if record_id:
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(left, h - 29 * mm, f"编号 No.：{record_id}")
    canvas.setStrokeColor(colors.HexColor("#999999"))
    canvas.setLineWidth(0.6)
    canvas.line(left, h - 31 * mm, right, h - 31 * mm)
    canvas.restoreState()


def document_footer(canvas: Canvas, *, page: int, total: int | None = None,
                    generated_at: datetime | None = None, note: str | None = None,
                    pagesize=A4) -> None:
    """Draw the footer: ``安巡 · 生成于 <Asia/Shanghai time>`` (and ``note``) on the left,
    ``第 N 页 / 共 M 页`` on the right."""
    register_fonts()
    w, _ = pagesize
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
    canvas.setLineWidth(0.4)
    canvas.line(20 * mm, 13 * mm, w - 20 * mm, 13 * mm)
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(colors.HexColor("#555555"))
    stamp = _local(generated_at).strftime("%Y-%m-%d %H:%M")
    left_text = f"{APP_NAME} · 生成于 {stamp}（北京时间）" + (f" · {note}" if note else "")
    canvas.drawString(20 * mm, 9 * mm, left_text)
    pages = f"第 {page} 页" + (f" / 共 {total} 页" if total else "")
    canvas.drawRightString(w - 20 * mm, 9 * mm, pages)
    canvas.restoreState()


def _numbered_canvas(decorate: Callable[[Canvas, int, int], None]):
    """A Canvas class that runs ``decorate(canvas, page, total)`` on every page at save time,
    when the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("invariant", True)
            kwargs["initialFontName"] = FONT    # no stray Helvetica resource on any page
            kwargs["initialFontSize"] = kwargs.get("initialFontSize") or 10
            kwargs["lang"] = kwargs.get("lang") or "zh-CN"
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - overrides reportlab's Canvas.showPage
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def render_document(story: list, *, title: str, record_id: str | None = None,
                    url: str | None = None, subtitle: str | None = None,
                    generated_at: datetime | None = None, footer_note: str | None = None,
                    pagesize=A4) -> bytes:
    """Build a record document (e.g. 隐患整改通知书, 约谈记录) from platypus flowables: every page
    gets :func:`document_header` (title, record id, QR back to ``url``) and
    :func:`document_footer` (generation time, page N of M). Returns the PDF bytes."""
    register_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=pagesize, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=HEADER_HEIGHT, bottomMargin=FOOTER_HEIGHT + 4 * mm,
                            title=title, author=APP_NAME, creator=f"{APP_NAME} Anxun",
                            subject=record_id or "", initialFontName=FONT,
                            initialFontSize=10, lang="zh-CN")
    stamp = generated_at or datetime.now(timezone.utc)

    def decorate(canvas, page, total):
        document_header(canvas, title=title, record_id=record_id, url=url, subtitle=subtitle,
                        pagesize=pagesize)
        document_footer(canvas, page=page, total=total, generated_at=stamp, note=footer_note,
                        pagesize=pagesize)

    doc.build(list(story), canvasmaker=_numbered_canvas(decorate))
    return buf.getvalue()
