"""Memory a small upload may cost (issue 12, item 8): a 49 MP PNG of 150 KB, parallel large
decodes in one process, an XLSX zip bomb of 195 KB that unpacks to 190 MB. Each is refused from
its header or directory, or decoded within a bound measured in a separate process."""
from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib

import pytest
from openpyxl import Workbook
from PIL import Image

from app.errors import Invalid
from app.photos import imaging
from app.photos.imaging import DecoderBusy, process_upload
from app.registry.importing import TableError, parse_table
from config import BASE_DIR
from tests.test_hazards_support import photo_bytes
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter
from tests.test_registry_import import upload


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def blank_png(width: int, height: int, *, colour_type: int = 2) -> bytes:
    """A valid 8-bit PNG of black pixels (RGB: colour type 2, RGBA: 6), deflated row by row:
    a few hundred kilobytes however many pixels it declares."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    row = b"\x00" * (1 + width * channels)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


# --------------------------------------------------------------------------- pixels
def test_a_49_megapixel_png_is_refused_from_its_header():
    data = blank_png(7000, 7000)
    assert len(data) < 400_000
    started = time.perf_counter()
    with pytest.raises(Invalid) as caught:
        process_upload(data)
    assert "file" in caught.value.errors and "decompression bomb" in caught.value.detail
    assert time.perf_counter() - started < 2, "judged from the header, not decoded"


def test_camera_formats_keep_the_higher_limit():
    """JPEG and HEIC are what phones' cameras write (48 and 50 MP modes); PNG and WebP are
    screenshots and exports, held to PHOTO_MAX_PIXELS_PNG_WEBP."""
    assert imaging.DEFAULT_MAX_PIXELS >= 50_000_000
    assert imaging.DEFAULT_MAX_PIXELS_PNG_WEBP < imaging.DEFAULT_MAX_PIXELS
    heic = process_upload(photo_bytes("iphone_13_pro_max.HEIC"))
    assert (heic.width, heic.height) == (3024, 4032)
    small = blank_png(640, 480)
    with pytest.raises(Invalid):
        process_upload(small, max_pixels_png_webp=640 * 480 - 1)
    assert process_upload(small, max_pixels_png_webp=640 * 480).width == 640


def test_the_api_refuses_a_49_megapixel_png_naming_the_file(world):
    hazard = world.create_hazard()
    response = world.upload(hazard["id"], "finding", who="inspector",
                            data=blank_png(7000, 7000), filename="big.png")
    assert response.status_code == 422, response.get_json()
    assert "file" in response.get_json()["errors"]


def test_large_images_are_reduced_the_same_way_upright_and_in_size():
    for colour_type in (2, 6, 0):
        done = process_upload(blank_png(5000, 3000, colour_type=colour_type))
        assert (done.width, done.height) == (5000, 3000)
        with Image.open(io.BytesIO(done.full_jpeg)) as full:
            assert max(full.size) == 1600 and full.size[0] > full.size[1]


PEAK_SCRIPT = r"""
import json, resource, sys, threading
from app.photos.imaging import process_upload
from tests.test_memory_bounds import blank_png
data = blank_png(3464, 3464, colour_type=6)          # 12 MP RGBA, under the PNG limit
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
results = []
def run():
    results.append(process_upload(data, decode_wait_s=300).width)
threads = [threading.Thread(target=run) for _ in range(int(sys.argv[1]))]
for t in threads: t.start()
for t in threads: t.join()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"mb": (peak - base) / 1024, "results": results}))
"""


def test_parallel_decodes_stay_within_a_memory_bound():
    """Four uploads at once of a 12 MP RGBA PNG: the decode slots (2 by default) and compositing
    without copies keep the process's peak to two decodes (measured: 270 MB; before the fix
    every decode ran at once and copied the image three times: 640 MB)."""
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, "4"], cwd=BASE_DIR,
                         capture_output=True, text=True, timeout=300, check=True)
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    assert measured["results"] == [3464] * 4
    assert measured["mb"] < 400, measured


def test_a_decode_waits_for_a_slot_then_answers_503():
    slot = imaging._decode_slot(1)
    data = blank_png(640, 480)
    assert slot.acquire(timeout=5)
    try:
        with pytest.raises(DecoderBusy) as caught:
            process_upload(data, decode_slots=1, decode_wait_s=0.2)
        assert caught.value.status == 503 and caught.value.headers["Retry-After"]
        assert "file" in caught.value.errors
        threading.Timer(0.3, slot.release).start()
        assert process_upload(data, decode_slots=1, decode_wait_s=10).width == 640
    finally:
        if slot._value == 0:   # the timer did not run
            slot.release()


# --------------------------------------------------------------------------- XLSX zip bomb
def zip_bomb_xlsx(unpacked: int = 190 * 1024 * 1024) -> bytes:
    """A real registry XLSX with a member of ``unpacked`` zero bytes (deflate: ~1000:1)."""
    wb = Workbook()
    wb.active.append(["企业名称", "统一社会信用代码", "所属社区"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                        compresslevel=9) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        with dst.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(unpacked // len(block)):
                member.write(block)
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_read(app, factory, client_for):
    data = zip_bomb_xlsx()
    assert len(data) < 400_000
    with pytest.raises(TableError):
        parse_table(data, "名录.xlsx", max_unpacked=50 * 1024 * 1024)
    admin = client_for(factory.user("admin"))
    started = time.perf_counter()
    response = upload(admin, data, filename="名录.xlsx")
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert "file" in body["errors"] and "压缩炸弹" in body["errors"]["file"][0]
    assert time.perf_counter() - started < 5, "refused from the zip directory, not unpacked"


def test_the_unpacked_limit_is_configuration(app, factory, client_for, monkeypatch):
    assert app.config["IMPORT_MAX_UNPACKED_BYTES"] == 50 * 1024 * 1024
    admin = client_for(factory.user("admin"))
    data = zip_bomb_xlsx(2 * 1024 * 1024)
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024)
    assert upload(admin, data, filename="名录.xlsx").status_code == 422
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
    response = upload(admin, data, filename="名录.xlsx")
    assert response.status_code == 200, response.get_json()   # a header and no rows
