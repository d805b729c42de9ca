"""A corpus of bad files for the two upload paths, photos (POST /photos) and registry imports
(POST /enterprises/import), and a short hypothesis fuzz of the photo path.

Every bad photo is a 4xx problem+json naming ``file`` and leaves nothing behind: no photo row,
no hazard event, no file under MEDIA_DIR. A file that is odd but a real image (EXIF garbage, a
JPEG carrying a ZIP after its end, as phones' "motion photos" carry a video) is accepted, and only
re-encoded copies without the trailer are shown; the original is handed out as a download with
``nosniff``. Every bad import is a 422 naming ``file``, or, where the fault is in a cell (the
contract keeps good rows and names bad ones), a report naming each refused row and field; either
way nothing is created. The fuzz (random bytes, real JPEGs with bytes flipped, cut or spliced)
must never see a 5xx nor leave an orphan file. Its budget grows under ``make soak``.
"""
from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from PIL import Image

from app.hazards.models import HazardEvent
from app.photos.models import Photo
from tests.test_hazards_support import media_files, photo_bytes
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter
from tests.test_memory_bounds import blank_png, zip_bomb_xlsx
from tests.test_registry_import import HEADER, code, csv_bytes, snapshot, upload

FUZZ_EXAMPLES, SOAK_FUZZ_EXAMPLES = 40, 400


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring ``width``×``height`` with a few bytes of data (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _chunk(b"IEND", b""))


def broken_heic() -> bytes:
    """The iPhone HEIC with its item locations (``iloc`` box) overwritten. (Zeroed image data
    with the boxes intact decodes, as a grey picture: no decoder can tell it from a photo.)"""
    data = bytearray(photo_bytes("iphone_13_pro_max.HEIC"))
    at = data.find(b"iloc")
    data[at + 4:at + 200] = b"\xff" * 196
    return bytes(data)


def heic_header_only() -> bytes:
    return photo_bytes("iphone_13_pro_max.HEIC")[:4096]


def exif_overrun_jpeg() -> bytes:
    """A JPEG whose APP1 (EXIF) segment declares more bytes than the file holds."""
    jpeg = photo_bytes("DSCN0010.jpg")
    return jpeg[:2] + b"\xff\xe1\xff\xf0Exif\x00\x00" + b"MM\x00\x2a" + b"\x00" * 64


def png_then_html() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(1)</script></html>" * 20


def jpeg_then_pdf() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"%PDF-1.4\n1 0 obj << >> endobj\n" * 40


def gif_javascript() -> bytes:
    return b"GIF89a/*\x00\x00*/=1;alert(document.domain);//" + b"\x00" * 64


def svg_as_jpg() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>")


def tiny_valid_png_huge_canvas() -> bytes:
    return blank_png(12_000, 12_000)  # 144 MP of black: 24 MP is the PNG limit


#: name: (bytes, the field named)
BAD_PHOTOS = {
    "zero-bytes": (lambda: b"", "file"),
    "text-renamed-jpg": (lambda: "整改完成，请复查。\n".encode() * 200, "file"),
    "truncated-jpeg-half": (lambda: photo_bytes("DSCN0010.jpg")[:80_000], "file"),
    "truncated-jpeg-header": (lambda: photo_bytes("DSCN0010.jpg")[:600], "file"),
    "jpeg-soi-only": (lambda: b"\xff\xd8", "file"),
    "png-decompression-bomb": (lambda: png_header_only(30_000, 30_000), "file"),
    "png-max-dimensions": (lambda: png_header_only(0x7FFFFFFF, 0x7FFFFFFF), "file"),
    "png-zero-dimensions": (lambda: png_header_only(0, 0), "file"),
    "png-144-megapixels": (tiny_valid_png_huge_canvas, "file"),
    "heic-broken-boxes": (broken_heic, "file"),
    "heic-header-only": (heic_header_only, "file"),
    "exif-segment-overruns-file": (exif_overrun_jpeg, "file"),
    "polyglot-png-html": (png_then_html, "file"),
    "polyglot-jpeg-pdf": (jpeg_then_pdf, "file"),
    "polyglot-gif-javascript": (gif_javascript, "file"),
    "svg-renamed-jpg": (svg_as_jpg, "file"),
    "zip-renamed-jpg": (lambda: zip_bomb_xlsx(1024 * 1024), "file"),
}


def _photo_state(world, media_dir, hazard_id):
    return (world.count(Photo), world.count(HazardEvent, hazard_id=hazard_id),
            media_files(media_dir))


@pytest.mark.parametrize("case", sorted(BAD_PHOTOS))
def test_a_bad_photo_is_refused_naming_the_file_and_leaves_nothing(world, media_dir, case):
    make, field = BAD_PHOTOS[case]
    hazard = world.create_hazard()
    before = _photo_state(world, media_dir, hazard["id"])
    response = world.upload(hazard["id"], "finding", who="inspector", data=make(),
                            filename="IMG_0001.jpg")
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data()[:300])
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"], response.get_json()
    assert _photo_state(world, media_dir, hazard["id"]) == before


def _with_exif_garbage() -> bytes:
    """A real JPEG whose EXIF segment is replaced by random bytes of a consistent length."""
    jpeg = photo_bytes("DSCN0010.jpg")
    assert jpeg[2:4] == b"\xff\xe1"
    length = struct.unpack(">H", jpeg[4:6])[0]
    garbage = b"Exif\x00\x00" + random.Random(12).randbytes(length - 8)
    return jpeg[:4] + struct.pack(">H", length) + garbage + jpeg[4 + length:]


def _jpeg_with_zip_trailer() -> bytes:
    trailer = io.BytesIO()
    with zipfile.ZipFile(trailer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return photo_bytes("landscape_6.jpg") + trailer.getvalue()


@pytest.mark.parametrize("make", [_with_exif_garbage, _jpeg_with_zip_trailer],
                         ids=["exif-garbage", "jpeg-with-zip-trailer"])
def test_an_odd_but_real_photo_is_kept_and_served_harmless(world, media_dir, make):
    data = make()
    hazard = world.create_hazard()
    response = world.upload(hazard["id"], "finding", who="inspector", data=data)
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    client = world.client("inspector")
    full = client.get(photo["urls"]["full"])
    assert full.mimetype == "image/jpeg" and b"PK\x03\x04" not in full.data
    assert b"<script>" not in full.data
    assert Image.open(io.BytesIO(full.data)).format == "JPEG"
    original = client.get(photo["urls"]["original"])
    assert original.data == data  # evidence is kept byte for byte
    assert original.headers["Content-Disposition"].startswith("attachment")
    assert original.headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------------- imports
def _xlsx(rows, *, formulas=()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, formula in formulas:
        sheet[cell] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADERS = HEADER.split(",")


def _xlsx_escaped(rows, placeholder: str, escape: str) -> bytes:
    """A book whose XML holds ``escape`` where the rows say ``placeholder`` (a control
    character written raw, which XML cannot carry: Excel writes ``_x001F_``, which reads back
    as that text)."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename).replace(placeholder.encode(),
                                                                      escape.encode()))
    return out.getvalue()


def _good_line(n: int, name: str = "福州甲机械有限公司") -> str:
    return f"{name},{code(n)},鼓东社区,五四路{n}号,,,工贸制造,红,,,,"


def _utf8_and_gbk() -> bytes:
    return (HEADER + "\r\n" + _good_line(1) + "\r\n").encode("utf-8") + \
        (_good_line(2, "福州乙餐饮有限公司") + "\r\n").encode("gbk")


def _bom_then_gbk() -> bytes:
    return b"\xef\xbb\xbf" + csv_bytes([HEADER, _good_line(3)], encoding="gbk")


def _utf16_bom_utf8_body() -> bytes:
    return b"\xff\xfe" + csv_bytes([HEADER, _good_line(4)])[:-1]


def _truncated_xlsx() -> bytes:
    data = _xlsx([HEADERS, _good_line(5).split(",")])
    return data[: len(data) // 2]


def _xlsx_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


def _xlsx_broken_sheet_xml() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_xlsx([HEADERS, _good_line(6).split(",")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]
            archive.writestr(item, content)
    return out.getvalue()


#: file-level faults: 422 naming ``file`` (name: (bytes, file name))
BAD_IMPORT_FILES = {
    "zero-bytes": (lambda: b"", "名录.csv"),
    "xlsx-zip-bomb": (zip_bomb_xlsx, "名录.xlsx"),
    "xlsx-truncated": (_truncated_xlsx, "名录.xlsx"),
    "xlsx-without-workbook": (_xlsx_without_workbook, "名录.xlsx"),
    "xlsx-broken-sheet-xml": (_xlsx_broken_sheet_xml, "名录.xlsx"),
    "jpeg-renamed-csv": (lambda: photo_bytes("DSCN0010.jpg"), "名录.csv"),
    "binary-noise": (lambda: random.Random(7).randbytes(20_000), "名录.csv"),
    "utf8-bom-then-gbk": (_bom_then_gbk, "名录.csv"),
    "utf16-bom-then-utf8": (_utf16_bom_utf8_body, "名录.csv"),
    "utf8-and-gbk-mixed": (_utf8_and_gbk, "名录.csv"),
    "csv-nul-in-header": (lambda: csv_bytes([HEADER.replace("地址", "地\x00址"),
                                             _good_line(7)]), "名录.csv"),
    "only-nul-bytes": (lambda: b"\x00" * 4096, "名录.csv"),
    "xlsx-raw-control-character": (lambda: _xlsx_escaped([HEADERS, _good_line(
        15, "福州PLACEHOLDER己公司").split(",")], "PLACEHOLDER", "\x1f"), "名录.xlsx"),
}


@pytest.fixture
def import_admin(factory, client_for):
    factory.community("鼓东社区", code="GD01")
    return client_for(factory.user("admin"))


@pytest.mark.parametrize("case", sorted(BAD_IMPORT_FILES))
def test_a_bad_import_file_is_refused_naming_the_file(app, import_admin, case):
    make, filename = BAD_IMPORT_FILES[case]
    response = upload(import_admin, make(), filename=filename)
    assert response.status_code == 422, (response.status_code, response.get_data()[:400])
    assert response.mimetype == "application/problem+json"
    assert "file" in response.get_json()["errors"], response.get_json()
    assert snapshot(app) == {}


#: cell-level faults: the report names each row and field, nothing is created
#: (name: (bytes, file name, {line: field}))
BAD_IMPORT_CELLS = {
    "csv-nul-in-cell": (lambda: csv_bytes([HEADER, _good_line(11, "福州\x00丙公司")]),
                        "名录.csv", {2: "name"}),
    "csv-control-characters": (lambda: csv_bytes([
        HEADER, _good_line(12, "福州\x07丁公司"),
        f"福州戊公司,{code(13)},鼓东社区,五四路\x1b[31m1号,,,工贸制造,红,,,,"]),
        "名录.csv", {2: "name", 3: "address"}),
    "xlsx-formula-without-value": (lambda: _xlsx(
        [HEADERS, _good_line(16).split(",")], formulas=[("A2", '=HYPERLINK("http://x","a")')]),
        "名录.xlsx", {2: "name"}),
    "xlsx-formula-in-optional-cell": (lambda: _xlsx(
        [HEADERS, _good_line(17).split(",")], formulas=[("D2", "=CONCAT(\"五四路\",\"1号\")")]),
        "名录.xlsx", {2: "address"}),
}


@pytest.mark.parametrize("case", sorted(BAD_IMPORT_CELLS))
def test_a_bad_cell_is_named_in_the_report_and_its_row_not_created(app, import_admin, case):
    make, filename, expected = BAD_IMPORT_CELLS[case]
    response = upload(import_admin, make(), filename=filename)
    assert response.status_code == 200, (response.status_code, response.get_data()[:400])
    report = response.get_json()
    refused = {e["line"]: e["field"] for e in report["errors"]}
    assert refused == expected, report
    assert report["created"] == 0 and snapshot(app) == {}


def test_a_bom_inside_a_file_is_dropped_not_kept_in_a_name(app, import_admin):
    """Two exported files joined: the second one's BOM starts a line. It is an encoding mark,
    so the row imports with its name as written."""
    data = b"\xef\xbb\xbf" + csv_bytes([HEADER]) + b"\xef\xbb\xbf" + csv_bytes([_good_line(14)])
    response = upload(import_admin, data)
    assert response.status_code == 200 and response.get_json()["created"] == 1
    assert [row[2] for row in snapshot(app).values()] == ["福州甲机械有限公司"]


# --------------------------------------------------------------------------- the photo fuzz
def _mutations():
    seeds = [photo_bytes(name) for name in ("DSCN0010.jpg", "image01137.jpg", "portrait_8.jpg")]
    flipped = st.tuples(st.sampled_from(seeds), st.lists(st.tuples(
        st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=40)).map(
        lambda s: _flip(*s))
    cut = st.tuples(st.sampled_from(seeds), st.floats(0, 1)).map(
        lambda s: s[0][: int(len(s[0]) * s[1])])
    spliced = st.tuples(st.sampled_from(seeds), st.floats(0, 1), st.binary(max_size=512)).map(
        lambda s: s[0][: int(len(s[0]) * s[1])] + s[2] + s[0][int(len(s[0]) * s[1]):])
    magic = st.tuples(st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00"
                                       b"\x00\x00WEBPVP8 ", b"\x00\x00\x00\x18ftypheic"]),
                      st.binary(max_size=4096)).map(lambda s: s[0] + s[1])
    return st.one_of(st.binary(max_size=4096), magic, flipped, cut, spliced)


def _flip(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for where, value in edits:
        out[min(int(where * len(out)), len(out) - 1)] = value
    return bytes(out)


@pytest.mark.slow
def test_fuzzed_photos_never_5xx_and_leave_no_orphans(world, media_dir, soak, figures):
    hazard = world.create_hazard()
    client = world.client("inspector")
    outcomes: dict[int, int] = {}
    before = media_files(media_dir)

    @settings(max_examples=SOAK_FUZZ_EXAMPLES if soak else FUZZ_EXAMPLES, deadline=None,
              database=None, derandomize=not soak, suppress_health_check=list(HealthCheck))
    @given(data=_mutations())
    def one(data):
        response = client.post("/api/v1/photos", content_type="multipart/form-data", data={
            "hazard_id": hazard["id"], "kind": "finding",
            "file": (io.BytesIO(data), "IMG_0001.jpg", "image/jpeg")})
        outcomes[response.status_code] = outcomes.get(response.status_code, 0) + 1
        assert response.status_code < 500, response.get_data()[:300]
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
            assert "file" in response.get_json()["errors"], response.get_json()

    one()
    # Media dir against photo rows: every file belongs to a stored photo, every photo has its 3.
    from sqlalchemy import select

    from app.extensions import db
    with world.app.app_context():
        stored = db.session.execute(select(Photo.original_path, Photo.full_path,
                                           Photo.thumb_path)).all()
    expected = {path for row in stored for path in row}
    assert media_files(media_dir) - before == expected and before <= media_files(media_dir)
    assert world.count(Photo) == outcomes.get(201, 0)
    figures("bad-files photo-fuzz", uploads=sum(outcomes.values()),
            **{f"s{k}": v for k, v in sorted(outcomes.items())}, files_checked=len(expected))


def test_a_formula_without_a_value_refuses_its_checklist_row(world):
    """The checklist import reads its file with the registry's reader: a formula cell whose
    value was never saved is named as its row's error there too, never imported empty."""
    from app.checklists.models import Checklist
    from tests.test_checklists import xlsx
    rows = [("消防检查表", "", "F1", "疏散通道畅通", "fire", "", "否", "否"),
            ("消防检查表", "", "F2", "PLACEHOLDER", "fire", "", "否", "否")]
    data = xlsx(rows)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # the text of F2 becomes a formula, unsaved
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<c r="D3"[^>]*>.*?</c>',
                                 b'<c r="D3"><f>CONCAT("A","B")</f></c>', content)
            archive.writestr(item, content)
    response = world.client("supervisor").post(
        "/api/v1/checklists/import", content_type="multipart/form-data",
        data={"file": (io.BytesIO(out.getvalue()), "checklists.xlsx")})
    assert response.status_code in (200, 422), response.get_data()[:300]
    body = response.get_json()
    errors = body.get("errors")
    named = ([(e["line"], e["field"]) for e in errors] if isinstance(errors, list)
             else sorted(errors))
    assert (3, "text") in named, body
    assert world.count(Checklist) == 0 or body.get("created", 0) == 0
