"""QR codes and PDFs, checked the way a phone and a reader see them: rendered pages are decoded
with zxing-cpp, text is extracted with pypdf, and the CJK font must be embedded."""
import io
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from app.documents import pdf as pdfmod
from app.documents.pdf import (FONT, FONT_FILE, Label, data_table, field_table, label_sheet_pdf,
                               para, register_fonts, render_document, styles)
from app.documents.qr import modules, qr_drawing, qr_matrix, qr_png

PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(PDFTOPPM is None, reason="poppler-utils (pdftoppm) missing")

BASE = "https://anxun.example.gov.cn/api/v1/scan/"
ENTERPRISES = [
    ("华为技术有限公司", "914403001922038216", "坂田社区"),
    ("腾讯科技（深圳）有限公司", "9144030071526726XG", "粤海社区"),
    ("阿里巴巴（中国）网络技术有限公司", "91330100716105852F", "五常社区"),
    ("北京百度网讯科技有限公司", "91110000802100433B", "上地社区"),
    ("比亚迪股份有限公司", "91440300192317458F", "葵涌社区"),
    ("福州市鼓楼区某某某某餐饮管理服务有限公司第一分公司（东街口店）", "91350100M000100Y43",
     "东街社区"),
    ("小店", None, None),
    ("Anxun Demo Trading Co., Ltd. <&>", "91350100M000100Y43", "A community with a long name 社区"),
    ("福建省安全生产示范企业", "914403001922038216", "坂田社区"),
    ("东街口百货大楼", "9144030071526726XG", "东街社区"),
    ("鼓楼区第十一家企业", "91330100716105852F", "东街社区"),
]


def _url(i: int) -> str:
    # the token is as long as a real one (32 url-safe characters)
    return f"{BASE}{i:02d}Xk9fQ2mZpL7vR4tY8wN3cH6jB5sD1gE"[:len(BASE) + 32]


def _render(pdf_bytes: bytes, tmp_path: Path, dpi: int = 150) -> list[Image.Image]:
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf_bytes)
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-png", str(src), str(tmp_path / "page")],
                   check=True, capture_output=True)
    return [Image.open(p) for p in sorted(tmp_path.glob("page-*.png"))]


def _fonts(reader: PdfReader) -> list[dict]:
    out = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            f = ref.get_object()
            desc = f.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in f:
                desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            out.append({"base": str(f["/BaseFont"]),
                        "embedded": any(k in desc
                                        for k in ("/FontFile", "/FontFile2", "/FontFile3"))})
    return out


# ------------------------------------------------------------------ QR PNG

@pytest.mark.parametrize("url", [
    _url(1),
    "https://anxun.example.gov.cn/e/3f1c2e4a-0000-4000-8000-000000000001?x=1&y=%E4%B8%AD",
    "http://localhost:5000/api/v1/scan/" + "A" * 64,
])
def test_qr_png_decodes_to_exact_url(url):
    data = qr_png(url)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    results = zxingcpp.read_barcodes(img)
    assert [r.text for r in results] == [url]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level == "M"


def test_qr_png_size_follows_box_and_border():
    url = _url(2)
    n = modules(url)
    assert Image.open(io.BytesIO(qr_png(url, box_size=10, border=4))).size == ((n + 8) * 10,) * 2
    assert Image.open(io.BytesIO(qr_png(url, box_size=3, border=0))).size == (n * 3,) * 2
    with pytest.raises(ValueError):
        qr_png(url, box_size=0)


def test_qr_matrix_border():
    m = qr_matrix("x", border=4)
    assert len(m) == 21 + 8 and not any(m[0]) and not any(row[0] for row in m)


# ------------------------------------------------------------------ fonts

def test_font_ships_in_repo_with_licence():
    assert FONT_FILE.is_file() and FONT_FILE.stat().st_size > 4_000_000
    assert Path(pdfmod.__file__).resolve().parent in FONT_FILE.resolve().parents
    folder = FONT_FILE.parent
    assert "Apache" in (folder / "wqy-microhei.COPYRIGHT").read_text()
    assert "Apache License" in (folder / "LICENSE-Apache-2.0.txt").read_text()


def test_register_fonts_idempotent():
    assert register_fonts() == FONT
    assert register_fonts() == FONT
    assert styles()["body"].fontName == FONT and styles()["body"].wordWrap == "CJK"


# ------------------------------------------------------------------ label sheet

@needs_poppler
def test_label_sheet_every_qr_scans_and_names_are_real_text(tmp_path):
    labels = [Label(_url(i), name, code, community)
              for i, (name, code, community) in enumerate(ENTERPRISES)]
    data = label_sheet_pdf(labels, title="东街街道")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2                       # 11 labels at 8 per page
    w, h = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(w) / 72 * 25.4), round(float(h) / 72 * 25.4)) == (210, 297)  # A4

    pages = _render(data, tmp_path)
    assert len(pages) == 2
    found: list[str] = []
    per_page = []
    for img in pages:
        results = zxingcpp.read_barcodes(img)
        per_page.append(len(results))
        found += [r.text for r in results]
        for r in results:
            # the QR symbol is at least 50 mm wide on paper
            p = r.position
            width_px = max(p.top_right.x, p.bottom_right.x) - min(p.top_left.x, p.bottom_left.x)
            assert width_px / 150 * 25.4 >= 49.5, width_px
    assert per_page == [8, 3]
    assert sorted(found) == sorted(lb.url for lb in labels)   # each exactly once

    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())
    for name, code, _community in ENTERPRISES[:5] + ENTERPRISES[8:]:
        assert name in compact, name
        assert code in compact
    assert "所属社区：坂田社区" in compact
    assert "安巡·扫码查看企业信息" in compact
    assert "统一社会信用代码" in compact
    # the long name is wrapped/shrunk, not lost
    assert "东街口店" in compact

    fonts = _fonts(reader)
    assert fonts and all("WenQuanYi" in f["base"] for f in fonts), fonts
    assert all(f["embedded"] for f in fonts)


@needs_poppler
def test_label_sheet_single_and_empty(tmp_path):
    data = label_sheet_pdf([(_url(0), "华为技术有限公司", "914403001922038216", "坂田社区")])
    pages = _render(data, tmp_path)
    assert [r.text for r in zxingcpp.read_barcodes(pages[0])] == [_url(0)]
    assert len(PdfReader(io.BytesIO(label_sheet_pdf([]))).pages) == 1


def test_label_sheet_is_deterministic():
    labels = [Label(_url(i), n, c, m) for i, (n, c, m) in enumerate(ENTERPRISES[:3])]
    assert label_sheet_pdf(labels) == label_sheet_pdf(labels)


def test_absurdly_long_name_is_cut_not_overflowing():
    st = styles()["body"]
    p, height = pdfmod._shrink_paragraph("很长的企业名称" * 60, st, 30 * mm, 30 * mm, 6)
    assert height <= 30 * mm
    assert p.text.endswith("…")


# ------------------------------------------------------------------ record documents

@needs_poppler
def test_render_document_header_footer_and_qr_back_to_record(tmp_path):
    record_url = "https://anxun.example.gov.cn/hazards/3f1c2e4a-0000-4000-8000-000000000001"
    story = [para("一、隐患情况", "h1"),
             field_table([("被检查单位", "福州市鼓楼区某某餐饮管理服务有限公司"),
                          ("统一社会信用代码", "91350100M000100Y43"),
                          ("隐患描述",
                           "燃气管道未安装泄漏报警装置 <b>原样</b> & 油烟管道积油。\n第二行")]),
             Spacer(1, 12),
             data_table(["序号", "整改要求"],
                        [[i, f"第 {i} 项整改要求，须按期完成。"] for i in range(1, 60)],
                        col_widths=[20 * mm, 150 * mm]),
             Spacer(1, 12),
             qr_drawing("https://anxun.example.gov.cn/photos/evidence-1", 30)]
    data = render_document(story, title="安全生产隐患整改通知书",
                           record_id="3f1c2e4a-0000-4000-8000-000000000001", url=record_url,
                           subtitle="东街街道安全生产领导小组办公室",
                           generated_at=datetime(2024, 5, 1, 2, 30, tzinfo=timezone.utc))
    reader = PdfReader(io.BytesIO(data))
    n = len(reader.pages)
    assert n >= 2
    for i, page in enumerate(reader.pages, start=1):
        compact = "".join(page.extract_text().split())
        assert "安全生产隐患整改通知书" in compact
        assert "3f1c2e4a-0000-4000-8000-000000000001" in compact
        assert f"第{i}页/共{n}页" in compact
        assert "2024-05-0110:30" in compact            # shown in Asia/Shanghai
    first = "".join(reader.pages[0].extract_text().split())
    assert "<b>原样</b>&油烟管道积油" in first            # user text is escaped, not markup
    fonts = _fonts(reader)
    assert fonts and all("WenQuanYi" in f["base"] and f["embedded"] for f in fonts)

    images = _render(data, tmp_path, dpi=200)
    texts = [[r.text for r in zxingcpp.read_barcodes(img)] for img in images]
    assert all(record_url in t for t in texts)          # the corner QR on every page
    assert "https://anxun.example.gov.cn/photos/evidence-1" in sum(texts, [])
