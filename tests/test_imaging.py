"""Evidence photo (照片) processing, on real camera/phone files and on images built here with
Pillow.

No mocks: every case feeds real bytes through ``process_upload`` and decodes what comes out.
The real files and their attribution are in ``tests/data/photos/README.md``.
"""
from __future__ import annotations

import hashlib
import io
import struct
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageFile, ImageStat
from PIL.TiffImagePlugin import IFDRational

from app.errors import Invalid, PayloadTooLarge, UnsupportedMediaType
from app.photos.imaging import ProcessedImage, process_upload

PHOTOS = Path(__file__).parent / "data" / "photos"
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- helpers -----------------------------------------------------------------------------------

def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def decode(jpeg: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(jpeg))
    im.load()
    return im


def encode(im: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def jpeg_segments(jpeg: bytes) -> list[int]:
    """Marker bytes of the segments before the first scan (APPn, COM, DQT, SOF...)."""
    assert jpeg[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while True:
        assert jpeg[pos] == 0xFF
        marker = jpeg[pos + 1]
        if marker == 0xDA:  # start of scan: no metadata after this
            return markers
        markers.append(marker)
        pos += 2 + struct.unpack(">H", jpeg[pos + 2:pos + 4])[0]


def assert_served_copy(jpeg: bytes, longest: int) -> Image.Image:
    """A served copy: a baseline-decodable JPEG, within size, with no metadata whatsoever."""
    im = decode(jpeg)
    assert im.format == "JPEG" and im.mode == "RGB"
    assert max(im.size) <= longest
    assert len(im.getexif()) == 0
    for key in ("exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "comment"):
        assert key not in im.info
    # Byte level: only the JFIF APP0 segment may precede the image; no APP1 (EXIF/XMP),
    # APP2 (ICC), APP13 (IPTC) or comment.
    app_or_com = [m for m in jpeg_segments(jpeg) if 0xE0 <= m <= 0xEF or m == 0xFE]
    assert app_or_com == [0xE0]
    return im


def assert_processed(result: ProcessedImage, data: bytes, full_px: int = 1600,
                     thumb_px: int = 400) -> tuple[Image.Image, Image.Image]:
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data)
    full = assert_served_copy(result.full_jpeg, full_px)
    thumb = assert_served_copy(result.thumb_jpeg, thumb_px)
    # The served copies keep the upright aspect ratio (within rounding).
    for copy in (full, thumb):
        assert copy.size[0] / copy.size[1] == pytest.approx(result.width / result.height, rel=0.01)
    return full, thumb


def brightness(im: Image.Image, box) -> float:
    return ImageStat.Stat(im.crop(box).convert("L")).mean[0]


def edge_brightness(im: Image.Image) -> dict[str, float]:
    w, h = im.size
    band_w, band_h = w // 6, h // 6
    return {
        "top": brightness(im, (0, 0, w, band_h)),
        "bottom": brightness(im, (0, h - band_h, w, h)),
        "left": brightness(im, (0, 0, band_w, h)),
        "right": brightness(im, (w - band_w, 0, w, h)),
    }


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def one_bit_png(width: int, height: int, *, idat: bytes | None = None) -> bytes:
    """A 1-bit greyscale PNG written chunk by chunk; all-black pixels unless ``idat`` is given.

    All-zero rows deflate about 1000:1, which is what makes a small file a decompression bomb.
    """
    if idat is None:
        row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
        packer = zlib.compressobj(9)
        idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """Insert an APP1 segment right after SOI (where cameras put EXIF)."""
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def small_jpeg(size=(120, 80), colour="white", **params) -> bytes:
    return encode(Image.new("RGB", size, colour), "JPEG", **params)


# --- real camera and phone files ---------------------------------------------------------------

def test_nikon_jpeg_gps_and_capture_time():
    data = photo("DSCN0010.jpg")
    result = process_upload(data)
    assert (result.mime, result.ext) == ("image/jpeg", "jpg")
    assert (result.width, result.height) == (640, 480)
    assert result.exif_lat == pytest.approx(43.467448, abs=1e-6)
    assert result.exif_lng == pytest.approx(11.885127, abs=1e-6)
    # DateTimeOriginal 2008:10:22 16:28:39 without an offset tag: read as Asia/Shanghai time
    # (and not the later DateTime 2008:11:01 written by the transfer software).
    assert result.taken_at == datetime(2008, 10, 22, 16, 28, 39, tzinfo=SHANGHAI)
    assert result.taken_at.utcoffset() == timedelta(hours=8)
    full, thumb = assert_processed(result, data)
    assert full.size == (640, 480)  # never enlarged
    assert thumb.size == (400, 300)


@pytest.mark.parametrize("name, stored, upright", [
    ("landscape_6.jpg", (450, 600), (600, 450)),
    ("portrait_8.jpg", (600, 450), (450, 600)),
])
def test_exif_orientation_is_applied(name, stored, upright):
    data = photo(name)
    assert Image.open(io.BytesIO(data)).size == stored
    result = process_upload(data)
    assert (result.width, result.height) == upright
    full, thumb = assert_processed(result, data)
    assert full.size == upright
    assert max(thumb.size) == 400
    # Both photos show a waterfall under a bright sky: upright, the brightest edge is the top.
    # Stored as is, the sky would be on the left or right edge.
    for im in (full, thumb):
        edges = edge_brightness(im)
        assert max(edges, key=edges.get) == "top", edges
    raw_edges = edge_brightness(Image.open(io.BytesIO(data)))
    assert max(raw_edges, key=raw_edges.get) in ("left", "right")


def test_iphone_heic():
    data = photo("iphone_13_pro_max.HEIC")
    result = process_upload(data)
    assert (result.mime, result.ext) == ("image/heic", "heic")
    assert (result.width, result.height) == (3024, 4032)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data) == 2182707
    # DateTimeOriginal 2022:02:16 12:55:41 with OffsetTimeOriginal +01:00; no GPS in this file.
    assert result.taken_at == datetime(2022, 2, 16, 12, 55, 41, tzinfo=timezone(timedelta(hours=1)))
    assert (result.exif_lat, result.exif_lng) == (None, None)
    full, thumb = assert_processed(result, data)
    assert full.size == (1200, 1600)
    assert thumb.size == (300, 400)


def test_cut_off_heic_is_rejected():
    # libheif fills the missing tiles of a cut-off iPhone HEIC with flat colour and reports no
    # error; an interrupted upload must not be stored as evidence anyway.
    data = photo("iphone_13_pro_max.HEIC")
    for cut in (len(data) // 2, len(data) - 1):
        with pytest.raises(Invalid) as info:
            process_upload(data[:cut])
        assert info.value.status == 422
        assert "truncated" in info.value.detail
        assert "file" in info.value.errors


def test_small_heif():
    data = photo("samplefilehub.heif")
    result = process_upload(data)
    # The file is named .heif but its ftyp brand is "heic" (HEVC-coded): the content decides.
    assert (result.mime, result.ext) == ("image/heic", "heic")
    assert (result.width, result.height) == (640, 426)
    assert result.taken_at is None
    full, thumb = assert_processed(result, data)
    assert full.size == (640, 426)
    assert thumb.size == (400, 266)


def test_jpeg_without_usable_exif_is_accepted():
    # Its only APP1 segment is XMP, not EXIF: nothing to read, and nothing may crash.
    data = photo("image01137.jpg")
    result = process_upload(data)
    assert (result.width, result.height) == (88, 64)
    assert (result.taken_at, result.exif_lat, result.exif_lng) == (None, None, None)
    assert_processed(result, data)


def test_claimed_sha256_matches_case_insensitively():
    data = photo("DSCN0010.jpg")
    digest = hashlib.sha256(data).hexdigest()
    assert process_upload(data, claimed_sha256=digest.upper()).sha256 == digest
    assert process_upload(data, claimed_sha256=f" {digest}\n").sha256 == digest
    assert process_upload(data, claimed_sha256="").sha256 == digest  # blank form field = absent


# --- EXIF written by Pillow --------------------------------------------------------------------

def exif_jpeg(orientation=6, gps=None, exif_ifd=None, base=None) -> bytes:
    """A 300x200 stored JPEG, red in its stored top-left corner, with the given EXIF."""
    im = Image.new("RGB", (300, 200), "white")
    im.paste((255, 0, 0), (0, 0, 60, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    for tag, value in (base or {}).items():
        exif[tag] = value
    if exif_ifd is not None:
        exif[0x8769] = exif_ifd
    if gps is not None:
        exif[0x8825] = gps
    return encode(im, "JPEG", exif=exif, quality=95)


def test_pillow_written_exif_round_trips():
    data = exif_jpeg(
        orientation=6,
        base={0x0132: "2024:05:01 09:30:00"},
        exif_ifd={0x9003: "2024:06:15 14:02:03", 0x9011: "+09:00"},
        gps={1: "N", 2: (IFDRational(31, 1), IFDRational(13, 1), IFDRational(4944, 100)),
             3: "E", 4: (121.0, 28.0, 25.32)},
    )
    result = process_upload(data)
    assert result.exif_lat == pytest.approx(31 + 13 / 60 + 49.44 / 3600)
    assert result.exif_lng == pytest.approx(121 + 28 / 60 + 25.32 / 3600)
    assert result.taken_at == datetime(2024, 6, 15, 14, 2, 3, tzinfo=timezone(timedelta(hours=9)))
    # Orientation 6: shown rotated 90° clockwise, so the stored top-left is the upright top-right.
    assert (result.width, result.height) == (200, 300)
    full, _ = assert_processed(result, data)
    assert full.size == (200, 300)
    r, g, b = full.getpixel((190, 10))
    assert r > 200 and g < 60 and b < 60
    assert full.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=8)


def test_southern_western_gps_and_fallback_time():
    data = exif_jpeg(
        orientation=1,
        base={0x0132: "2024:05:01 09:30:00"},  # DateTime only, no offset: Asia/Shanghai
        gps={1: "S", 2: (33.0, 52.0, 12.34), 3: "W", 4: (151.0, 12.0, 30.5)},
    )
    result = process_upload(data)
    assert result.exif_lat == pytest.approx(-(33 + 52 / 60 + 12.34 / 3600))
    assert result.exif_lng == pytest.approx(-(151 + 12 / 60 + 30.5 / 3600))
    assert result.taken_at == datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)
    assert (result.width, result.height) == (300, 200)


@pytest.mark.parametrize("gps", [
    {1: "N", 2: (95.0, 0.0, 0.0), 3: "E", 4: (10.0, 0.0, 0.0)},           # latitude > 90
    {1: "N", 2: (10.0, 0.0, 0.0), 3: "E", 4: (181.0, 0.0, 0.0)},          # longitude > 180
    {1: "X", 2: (10.0, 0.0, 0.0), 3: "E", 4: (10.0, 0.0, 0.0)},           # bad reference
    {2: (10.0, 0.0, 0.0), 3: "E", 4: (10.0, 0.0, 0.0)},                   # no reference
    {1: "N", 2: (IFDRational(10, 0), 0.0, 0.0), 3: "E", 4: (10.0, 0.0, 0.0)},  # x/0
    {1: "N", 2: (10.0, 5.0, 0.0, 1.0), 3: "E", 4: (10.0, 0.0, 0.0)},      # four components
    {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)},             # "no fix" 0/0
    {1: "N", 3: "E", 4: (10.0, 0.0, 0.0)},                                # latitude missing
    {1: "", 2: (10.0, 0.0, 0.0), 3: "E", 4: (10.0, 0.0, 0.0)},            # empty reference
])
def test_garbled_gps_reads_as_none(gps):
    result = process_upload(exif_jpeg(orientation=1, gps=gps))
    assert (result.exif_lat, result.exif_lng) == (None, None)


@pytest.mark.parametrize("exif_ifd, base", [
    ({0x9003: "0000:00:00 00:00:00"}, {}),                 # unset camera clock
    ({0x9003: "2024:13:45 99:00:00"}, {}),                 # impossible date
    ({0x9003: "yesterday"}, {}),
    ({0x9003: ""}, {}),
    ({}, {0x0132: "    :  :     :  :  "}),                 # blank-padded, as the spec allows
])
def test_garbled_capture_time_reads_as_none(exif_ifd, base):
    result = process_upload(exif_jpeg(orientation=1, exif_ifd=exif_ifd, base=base))
    assert result.taken_at is None


def test_garbled_offset_falls_back_to_shanghai():
    result = process_upload(exif_jpeg(orientation=1,
                                      exif_ifd={0x9003: "2024:06:15 14:02:03", 0x9011: "+99:99"}))
    assert result.taken_at == datetime(2024, 6, 15, 14, 2, 3, tzinfo=SHANGHAI)


@pytest.mark.parametrize("orientation", [0, 9, 255])
def test_out_of_range_orientation_is_ignored(orientation):
    result = process_upload(exif_jpeg(orientation=orientation))
    assert (result.width, result.height) == (300, 200)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")  # Pillow says so, rightly
@pytest.mark.parametrize("payload", [
    b"Exif\x00\x00" + b"this is not a TIFF header",
    b"Exif\x00\x00MM\x00\x2a\x7f\xff\xff\xff",                       # IFD0 far beyond the end
    b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\x02\x00"                # 2 entries, then nothing
    + b"\x25\x88\x04\x00\x01\x00\x00\x00\xff\xff\x00\x00",           # GPS IFD pointer into the void
    b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01"                # Orientation with a bogus
    + b"\x01\x12\x00\x63\x00\x00\x00\x01\x00\x06\x00\x00",           # field type 0x63
])
def test_malformed_exif_segment_never_crashes(payload):
    data = with_app1(small_jpeg(), payload)
    result = process_upload(data)
    assert (result.width, result.height) == (120, 80)
    assert (result.taken_at, result.exif_lat, result.exif_lng) == (None, None, None)
    assert_processed(result, data)


# --- formats and modes built with Pillow --------------------------------------------------------

def test_png_alpha_is_composited_on_white():
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))       # left half fully transparent black
    im.paste((255, 0, 0, 255), (100, 0, 150, 100))         # opaque red
    im.paste((255, 0, 0, 128), (150, 0, 200, 100))         # half-transparent red
    data = encode(im, "PNG")
    result = process_upload(data)
    assert (result.mime, result.ext) == ("image/png", "png")
    assert (result.width, result.height) == (200, 100)
    full, _ = assert_processed(result, data)
    assert full.getpixel((50, 50)) == pytest.approx((255, 255, 255), abs=6)  # not black
    assert full.getpixel((125, 50)) == pytest.approx((255, 0, 0), abs=6)
    assert full.getpixel((175, 50)) == pytest.approx((255, 127, 127), abs=8)


def test_palette_png_with_transparency():
    im = Image.new("P", (64, 64), 0)
    im.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    im.paste(1, (32, 0, 64, 64))
    data = encode(im, "PNG", transparency=0)
    full, _ = assert_processed(process_upload(data), data)
    assert full.getpixel((10, 32)) == pytest.approx((255, 255, 255), abs=6)
    assert full.getpixel((54, 32)) == pytest.approx((0, 0, 255), abs=8)


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped():
    data = encode(Image.new("I;16", (64, 64), 32768), "PNG")
    full, _ = assert_processed(process_upload(data), data)
    assert full.getpixel((32, 32)) == pytest.approx((128, 128, 128), abs=3)


def test_cmyk_jpeg():
    data = encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG")
    full, _ = assert_processed(process_upload(data), data)
    assert full.getpixel((32, 32)) == pytest.approx((255, 0, 0), abs=8)


def test_webp():
    data = encode(Image.new("RGB", (500, 300), (0, 128, 0)), "WEBP", quality=80)
    result = process_upload(data)
    assert (result.mime, result.ext) == ("image/webp", "webp")
    assert (result.width, result.height) == (500, 300)
    full, thumb = assert_processed(result, data)
    assert full.size == (500, 300) and thumb.size == (400, 240)
    assert full.getpixel((250, 150)) == pytest.approx((0, 128, 0), abs=8)


@pytest.mark.parametrize("fmt", ["WEBP", "PNG", "MPO"])  # MPO: multi-picture JPEG of cameras
def test_multi_frame_image_uses_first_frame(fmt):
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).n_frames == 2
    full, _ = assert_processed(process_upload(data), data)
    assert full.getpixel((32, 32)) == pytest.approx((255, 0, 0), abs=8)


def test_large_jpeg_is_scaled_to_the_limits():
    im = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    data = encode(im, "JPEG", quality=90)
    result = process_upload(data)
    assert (result.width, result.height) == (4000, 3000)
    full, thumb = assert_processed(result, data)
    assert full.size == (1600, 1200)
    assert thumb.size == (400, 300)
    smaller = process_upload(data, full_px=1000, thumb_px=100)
    assert decode(smaller.full_jpeg).size == (1000, 750)
    assert decode(smaller.thumb_jpeg).size == (100, 75)


# --- rejections ----------------------------------------------------------------------------------

def rejected(exc_type, data: bytes, **kwargs):
    with pytest.raises(exc_type) as info:
        process_upload(data, **kwargs)
    return info.value


def test_too_big_is_413():
    data = photo("DSCN0010.jpg")
    err = rejected(PayloadTooLarge, data, max_bytes=len(data) - 1)
    assert err.status == 413 and "file" in err.errors
    assert process_upload(data, max_bytes=len(data)).size == len(data)
    # The default limit is 15 MiB, checked before anything looks at the content.
    assert rejected(PayloadTooLarge, b"\0" * (15 * 1024 * 1024 + 1)).status == 413


def test_sha256_mismatch_is_422_on_sha256():
    data = photo("DSCN0010.jpg")
    err = rejected(Invalid, data, claimed_sha256="0" * 64)
    assert err.status == 422
    assert list(err.errors) == ["sha256"]
    assert rejected(Invalid, data, claimed_sha256="not-a-hash").errors.keys() == {"sha256"}


@pytest.mark.parametrize("data", [
    pytest.param(b"", id="empty"),
    pytest.param("巡查记录：这不是一张照片。\n".encode(), id="text"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", id="pdf"),
    pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="svg"),
    pytest.param(encode(Image.new("RGB", (32, 32), "red"), "GIF"), id="gif"),
    pytest.param(encode(Image.new("RGB", (32, 32), "red"), "BMP"), id="bmp"),
    pytest.param(encode(Image.new("RGB", (32, 32), "red"), "TIFF"), id="tiff"),
    pytest.param(encode(Image.new("RGB", (32, 32), "red"), "AVIF"), id="avif"),
    pytest.param(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", id="mp4"),
])
def test_other_types_are_415(data):
    err = rejected(UnsupportedMediaType, data)
    assert err.status == 415 and "file" in err.errors


def test_text_behind_a_faked_jpeg_magic_is_422():
    data = b"\xff\xd8\xff" + "巡查记录：这不是一张照片。\n".encode() * 20
    err = rejected(Invalid, data)
    assert err.status == 422 and "file" in err.errors


@pytest.mark.parametrize("make", [
    pytest.param(lambda: photo("DSCN0010.jpg"), id="nikon-jpeg"),
    pytest.param(lambda: encode(Image.radial_gradient("L").resize((3000, 2000)), "JPEG",
                                progressive=True), id="large-progressive-jpeg"),
    pytest.param(lambda: encode(Image.effect_noise((300, 200), 64).convert("RGB"), "PNG"),
                 id="png"),
    pytest.param(lambda: encode(Image.effect_noise((300, 200), 64).convert("RGB"), "WEBP"),
                 id="webp"),
    pytest.param(lambda: photo("samplefilehub.heif"), id="heif"),
])
def test_truncated_files_are_422(make):
    data = make()
    process_upload(data)  # the whole file is fine
    for cut in (len(data) // 2, len(data) - 20):
        err = rejected(Invalid, data[:cut])
        assert err.status == 422 and "file" in err.errors


def test_decompression_bomb_is_422_before_decoding():
    bomb = one_bit_png(8000, 8000)  # 64 million pixels, over the 50 million default
    assert len(bomb) < 100_000
    with Image.open(io.BytesIO(bomb)) as im:  # a genuine, valid PNG: chunks and CRCs check out
        im.verify()
    err = rejected(Invalid, bomb)
    assert err.status == 422 and "file" in err.errors
    assert "decompression bomb" in err.detail
    # Same header, pixel data that could never decode: still judged on the header alone, so the
    # verdict is "too many pixels", not "corrupt": nothing was decoded.
    fake = one_bit_png(8000, 8000, idat=b"\x00" * 64)
    assert "decompression bomb" in rejected(Invalid, fake).detail


def test_header_beyond_pillows_own_limit_is_422():
    # 20000 x 20000 is over twice Image.MAX_IMAGE_PIXELS: Pillow refuses it inside Image.open.
    err = rejected(Invalid, one_bit_png(20000, 20000, idat=b"\x00" * 64))
    assert err.status == 422 and "decompression bomb" in err.detail


def test_max_pixels_is_a_parameter():
    data = photo("DSCN0010.jpg")
    assert "decompression bomb" in rejected(Invalid, data, max_pixels=640 * 480 - 1).detail
    assert process_upload(data, max_pixels=640 * 480).width == 640


def test_refuses_to_run_with_truncated_images_allowed(monkeypatch):
    # A process-wide Pillow switch that would let half-uploaded photos through as "fine".
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        process_upload(photo("DSCN0010.jpg"))
