"""Chinese line breaking in the PDFs (issue 11 item 12): no line starts with closing
punctuation, and a 统一社会信用代码 (value and label) is never cut in two."""
from __future__ import annotations

import io
from datetime import timedelta
from xml.sax.saxutils import escape

from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.documents.linebreak import CANNOT_END, CANNOT_START, ChineseParagraph
from app.documents.pdf import FONT, styles
from tests.test_hazards_support import iso, now, world  # noqa: F401

#: The marks the issue names, and more of the closing kind.
CLOSING = "，。、；：？！）》」』】”’"
CODE = "91350100M000100Y43"
PUNCTUATED = ("依据《中华人民共和国安全生产法》第四十一条，“生产经营单位应当建立健全"
              "并落实生产安全事故隐患排查治理制度”；你单位（统一社会信用代码："
              + CODE + "）存在以下问题：配电箱未接地、线路裸露（见照片一、二）！"
              "灭火器过期？“消防通道”被占用。整改要求：《整改通知书》所列事项，"
              "须于期限内完成；逾期未改的，依法处理。") * 3


def _lines(paragraph, width) -> list[str]:
    paragraph.wrap(width, 100000)
    return ["".join(w.text for w in line.words) for line in paragraph.blPara.lines]


def test_no_line_starts_with_closing_punctuation_at_any_width():
    st = styles()["cell"]
    code_width = stringWidth(CODE, FONT, st.fontSize)
    for width in range(40, 400, 7):
        lines = _lines(ChineseParagraph(escape(PUNCTUATED) + "<br/>《消防法》，完。", st), width)
        assert "".join(lines) == PUNCTUATED + "《消防法》，完。"
        for line in lines:
            assert line[:1] not in CANNOT_START, (width, line, lines)
            assert line[-1:] not in CANNOT_END, (width, line)
        if width >= code_width:
            assert any(CODE in line for line in lines), (width, lines)


def test_a_line_of_nothing_but_marks_still_ends():
    st = styles()["cell"]
    lines = _lines(ChineseParagraph(escape("，" * 40), st), 60)
    assert "".join(lines) == "，" * 40 and len(lines) > 1


def test_the_rectification_notice_breaks_lines_by_the_chinese_rules(world):
    inspector = world.client("inspector")
    started = now() - timedelta(hours=2)
    inspection = inspector.post("/api/v1/inspections", json={
        "enterprise_id": world.enterprise.id, "kind": "routine", "started_at": iso(started),
        "location": {"lat": 29.5331, "lng": 106.5001, "accuracy": 8.0}}).get_json()
    for n in range(2):
        world.create_hazard(inspection_id=inspection["id"], place="一楼车间（东侧）、二楼仓库",
                            title=f"消防安全隐患（第{n + 1}项）：“安全出口”被封堵、锁闭",
                            description=PUNCTUATED[:300 + 90 * n])
    response = inspector.get(f"/api/v1/inspections/{inspection['id']}/rectification-notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    lines = [line.strip() for page in reader.pages
             for line in (page.extract_text() or "").splitlines() if line.strip()]
    starting = [line for line in lines if line[0] in CLOSING]
    assert not starting, starting
    # The code is printed whole, and so is its label.
    assert any(world.enterprise.credit_code in line for line in lines)
    assert "统一社会信用代码" in lines


def test_a_split_paragraphs_remainder_reuses_its_lines_and_breaks_the_same(monkeypatch):
    """A long text crossing pages is broken once: its remainder (reportlab's split, lines joined
    with a space) takes the lines already made, and they are the lines a fresh break gives."""
    from app.documents import linebreak

    st = styles()["cell"]
    text = PUNCTUATED * 12
    assert len(text) > linebreak.CACHE_FROM_CHARS
    monkeypatch.setattr(linebreak, "LINE_CACHE", linebreak.LineCache())
    breaks = []
    real_split = linebreak._split
    monkeypatch.setattr(linebreak, "_split", lambda *a: breaks.append(1) or real_split(*a))

    whole = ChineseParagraph(escape(text), st)
    whole_lines = _lines(whole, 300)
    first, rest = whole.split(300, st.leading * 10.5)
    assert len(breaks) == 1
    rest_lines = _lines(rest, 300)
    assert len(breaks) == 1, "the remainder was broken again"
    assert [t.rstrip(" ") for t in rest_lines] == whole_lines[10:]

    monkeypatch.setattr(linebreak, "LINE_CACHE", linebreak.LineCache())
    fresh = ChineseParagraph(escape("".join(rest_lines)), st)
    assert [t.rstrip(" ") for t in _lines(fresh, 300)] == whole_lines[10:]
    assert len(breaks) == 2
    # A different text of the same length is not taken for it.
    other = ChineseParagraph(escape(text[::-1]), st)
    assert _lines(other, 300) != whole_lines
