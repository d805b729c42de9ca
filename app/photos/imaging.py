"""Evidence photo (照片) processing: check an uploaded image and make the copies that are served.

The original upload is evidence and is kept byte for byte by the caller; this module never changes
it. It only decides whether the bytes are an acceptable image, reads what the evidence record needs
from them (hash, upright size, EXIF capture time and GPS position) and renders the two copies that
are served: a full-size JPEG and a thumbnail, both upright and stripped of every piece of metadata
(EXIF, XMP, ICC), because EXIF carries the phone model, owner names and exact positions that must
not leak to everyone who may view a hazard.

Pure and framework free: bytes in, :class:`ProcessedImage` out, or one of the domain errors
:class:`~app.errors.PayloadTooLarge` (413), :class:`~app.errors.UnsupportedMediaType` (415) or
:class:`~app.errors.Invalid` (422). The type is decided from the content alone, never from the
file name or the declared Content-Type.
"""
from __future__ import annotations

import hashlib
import io
import math
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pillow_heif
from PIL import Image, ImageCms, ImageFile

from app.core.fields import year_in_range
from app.errors import DomainError, Invalid, PayloadTooLarge, UnsupportedMediaType

__all__ = ["ProcessedImage", "process_upload"]

# HEIC/HEIF (every iPhone since iOS 11) is decoded by libheif through pillow-heif. Registering is
# process-wide and idempotent; it must happen before the first Image.open.
pillow_heif.register_heif_opener()

DEFAULT_MAX_BYTES = 15 * 1024 * 1024
#: JPEG and HEIC/HEIF are what phone cameras write, up to their 48 and 50 MP modes.
DEFAULT_MAX_PIXELS = 50_000_000
#: PNG and WebP come from screenshots and editing apps, never from a phone's camera, and are
#: decoded at full size (no DCT scaling): a lower bound keeps a small file from costing
#: hundreds of megabytes (a 143 KB PNG can declare 49 MP).
DEFAULT_MAX_PIXELS_PNG_WEBP = 24_000_000
#: Full-size decodes one process runs at once; the others wait up to ``decode_wait_s``. Each
#: holds up to a few hundred megabytes for a moment, so this bounds a worker's peak memory.
DEFAULT_DECODE_SLOTS = 2
DEFAULT_DECODE_WAIT_S = 30.0
JPEG_QUALITY = 82
#: The multipart field the errors name (CONTRACT "Photos"); a hash mismatch names ``sha256``.
FILE_FIELD = "file"

#: Phones without a time-zone tag are assumed to be set to local time in China.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

# EXIF tag numbers (TIFF/EXIF 2.32).
_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 0x0132
_IFD_EXIF = 0x8769
_IFD_GPS = 0x8825
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_OFFSET_TIME = 0x9010
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LNG_REF, _GPS_LNG = 1, 2, 3, 4

# ISO-BMFF brands (the ``ftyp`` box) of HEVC-coded HEIF images and sequences, and of generic
# HEIF. AVIF shares the container but not the codec and is not an accepted type.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}


@dataclass(frozen=True)
class ProcessedImage:
    """What an accepted evidence photo (照片) yields; the original bytes stay with the caller."""

    sha256: str                 # hex digest of the ORIGINAL bytes
    mime: str                   # from the content: image/jpeg|png|webp|heic|heif
    ext: str                    # 'jpg', 'png', 'webp', 'heic', 'heif'
    size: int                   # byte length of the original
    width: int                  # of the upright (EXIF-oriented) original
    height: int
    taken_at: datetime | None   # EXIF capture time, timezone-aware; None when absent or garbled
    exif_lat: float | None      # WGS-84 decimal degrees from EXIF GPS; None when absent/garbled
    exif_lng: float | None
    full_jpeg: bytes            # upright, longest side <= full_px, no metadata
    thumb_jpeg: bytes           # upright, longest side <= thumb_px, no metadata


@dataclass(frozen=True)
class _Kind:
    mime: str
    ext: str
    pillow_formats: tuple[str, ...]   # the only Pillow plugins allowed to open it


class DecoderBusy(DomainError):
    """Every decode slot of this process stayed busy for ``decode_wait_s``: retry shortly."""

    status = 503
    title = "Service unavailable"


_JPEG = _Kind("image/jpeg", "jpg", ("JPEG", "MPO"))   # MPO: multi-picture JPEG from cameras
_PNG = _Kind("image/png", "png", ("PNG",))
_WEBP = _Kind("image/webp", "webp", ("WEBP",))
_HEIC = _Kind("image/heic", "heic", ("HEIF",))
_HEIF = _Kind("image/heif", "heif", ("HEIF",))


def process_upload(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   max_pixels: int = DEFAULT_MAX_PIXELS,
                   max_pixels_png_webp: int = DEFAULT_MAX_PIXELS_PNG_WEBP,
                   full_px: int = 1600, thumb_px: int = 400,
                   claimed_sha256: str | None = None, decode_slots: int = DEFAULT_DECODE_SLOTS,
                   decode_wait_s: float = DEFAULT_DECODE_WAIT_S) -> ProcessedImage:
    """Check an uploaded evidence photo (照片) and render its served copies.

    Checks, in this order, each one before any more expensive work:

    1. ``len(data) > max_bytes`` -> :class:`PayloadTooLarge` (413).
    2. ``claimed_sha256`` (the hash the phone computed; blank counts as absent) differs from the
       SHA-256 of ``data`` -> :class:`Invalid` on field ``sha256`` (422): the upload was damaged.
    3. The magic bytes are not JPEG, PNG, WebP or HEIC/HEIF -> :class:`UnsupportedMediaType` (415).
    4. The header declares more than ``max_pixels`` pixels (``max_pixels_png_webp`` for PNG and
       WebP, the smaller of the two) -> :class:`Invalid` (422), decided from the header alone so
       a decompression bomb is never decoded.
    5. No decode slot frees within ``decode_wait_s`` (at most ``decode_slots`` decodes run at
       once in a process) -> :class:`DecoderBusy` (503).
    6. The content does not parse or decode completely (truncated, corrupt, a text file behind a
       faked magic) -> :class:`Invalid` (422).

    Memory: a JPEG is decoded at the smallest DCT scale that still covers ``full_px``; any other
    image is cut down (box reduction) right after decoding, before colour and alpha are handled,
    so a decode never holds more than about two full-size copies.

    Malformed EXIF never rejects a photo: the EXIF-derived fields are then ``None``. Of an
    animated or multi-frame image only the first frame is used.
    """
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"照片为 {len(data)} 字节，最大 {max_bytes} 字节 / "
                              f"The photo is {len(data)} bytes; at most {max_bytes} are accepted.",
                              field=FILE_FIELD)

    sha256 = hashlib.sha256(data).hexdigest()
    if claimed_sha256 is not None and claimed_sha256.strip():
        if claimed_sha256.strip().lower() != sha256:
            raise Invalid("照片的 SHA-256 与上传内容不符：上传已损坏，或不是计算摘要的那张照片 / "
                          "The photo's SHA-256 does not match the uploaded bytes; the upload was "
                          "damaged or is not the photo that was hashed.", field="sha256")

    kind = _sniff(data)
    if kind is None:
        raise UnsupportedMediaType("不是 JPEG、PNG、WebP 或 HEIC/HEIF 图片 / "
                                   "Not a JPEG, PNG, WebP or HEIC/HEIF image.", field=FILE_FIELD)

    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A process-wide Pillow switch: when on, a half-uploaded photo decodes "successfully" with
        # its missing part painted grey, and that must never be stored as evidence.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; evidence photos need it off")

    try:
        limit = max_pixels if kind in (_JPEG, _HEIC, _HEIF) else min(max_pixels,
                                                                      max_pixels_png_webp)
        with Image.open(io.BytesIO(data), formats=kind.pillow_formats) as im:
            return _process_opened(im, data, sha256, kind, limit, full_px, thumb_px,
                                   _decode_slot(decode_slots), decode_wait_s)
    except (DomainError, MemoryError):
        raise
    except Image.DecompressionBombError as exc:
        # Pillow's own guard (at 2 x Image.MAX_IMAGE_PIXELS) fires inside Image.open, from the
        # header, before anything is decoded.
        raise Invalid(f"图片像素过多（疑似解压炸弹） / Too many pixels (decompression bomb): {exc}",
                      field=FILE_FIELD) from exc
    except Exception as exc:
        # Decoders report a bad file with whatever they like (OSError, SyntaxError, ValueError,
        # EOFError, struct.error, libheif errors...). For untrusted input all of them mean the
        # same thing: these bytes are not a complete image of the type their magic claims.
        raise Invalid(f"{kind.ext.upper()} 文件已损坏或不完整 / "
                      f"The {kind.ext.upper()} file is corrupt or truncated.",
                      field=FILE_FIELD) from exc


def _process_opened(im: Image.Image, data: bytes, sha256: str, kind: _Kind, max_pixels: int,
                    full_px: int, thumb_px: int, slot: threading.BoundedSemaphore,
                    wait_s: float) -> ProcessedImage:
    # Image.open has read the header only; nothing is decoded yet.
    header_w, header_h = im.size
    if header_w * header_h > max_pixels:
        raise Invalid(f"图片像素过多（疑似解压炸弹）：{header_w}x{header_h} 超过 {max_pixels} "
                      f"像素 / Too many pixels (decompression bomb): {header_w}x{header_h} is "
                      f"more than {max_pixels} pixels.", field=FILE_FIELD)

    # A JPEG can be decoded directly at 1/2, 1/4 or 1/8 scale (DCT scaling), several times faster
    # than decoding a 12 MP photo in full; the whole stream is still read, so truncation is still
    # detected. The requested box keeps the aspect ratio so the reduction never undershoots full_px.
    longest = max(header_w, header_h)
    if kind is _JPEG and longest > full_px:
        im.draft(None, (math.ceil(header_w * full_px / longest),
                        math.ceil(header_h * full_px / longest)))

    # Decoders stop as soon as they have the pixels, so a file cut off in its trailer, or (HEIC)
    # missing whole tiles, can decode "fine". Check the container is complete as well.
    if kind in (_HEIC, _HEIF):
        _check_bmff_complete(data)
    elif kind is _PNG:
        # verify() walks every chunk up to IEND and checks its CRC; it needs a fresh open.
        with Image.open(io.BytesIO(data), formats=_PNG.pillow_formats) as check:
            check.verify()

    with _decoding(slot, wait_s):
        # Force the full decode now (of the first frame), so corrupt or truncated files fail here.
        im.load()

        exif = _read_exif(im)
        taken_at = _taken_at(exif)
        lat, lng = _gps(exif)
        icc = im.info.get("icc_profile") or None
        orientation = _orientation(exif)

        small = _reduced(im, full_px)
        try:
            small = _upright(small, orientation)
        except Exception:
            # A garbled orientation must not reject evidence; serve it as stored.
            orientation = 1
        # Orientations 5-8 swap the axes; the reported size is that of the upright original.
        width, height = (header_h, header_w) if orientation >= 5 else (header_w, header_h)

        flat = _flatten(small)
        flat.thumbnail((full_px, full_px), Image.Resampling.LANCZOS)
        full = _to_srgb(flat, icc)
        thumb = full.copy()
        # A box reduction by the whole factor first (1600 -> 400 px: all of it), then Lanczos
        # for what is left: a fifth of the cost of Lanczos from 800 px, alike at 400 px.
        thumb.thumbnail((thumb_px, thumb_px), Image.Resampling.LANCZOS, reducing_gap=1.0)

        return ProcessedImage(
            sha256=sha256, mime=kind.mime, ext=kind.ext, size=len(data), width=width,
            height=height, taken_at=taken_at, exif_lat=lat, exif_lng=lng,
            full_jpeg=_encode_jpeg(full), thumb_jpeg=_encode_jpeg(thumb),
        )


# --- memory ------------------------------------------------------------------------------------

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _decode_slot(slots: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore of ``slots`` concurrent decodes (one per configured size)."""
    with _slots_lock:
        return _slots.setdefault(max(1, slots), threading.BoundedSemaphore(max(1, slots)))


@contextmanager
def _decoding(slot: threading.BoundedSemaphore, wait_s: float):
    if not slot.acquire(timeout=wait_s):
        raise DecoderBusy("服务器正忙于处理其他照片，请稍后重试 / The server is busy decoding "
                          "other photos; retry in a moment.", field=FILE_FIELD,
                          headers={"Retry-After": "5"})
    try:
        yield
    finally:
        slot.release()


#: Modes Pillow's box reduction handles directly.
_REDUCIBLE = frozenset({"L", "LA", "RGB", "RGBA", "CMYK", "I", "F"})


def _reduced(im: Image.Image, full_px: int) -> Image.Image:
    """A copy of a decoded image cut down by a whole factor to no less than
    :data:`_REDUCING_GAP` times ``full_px`` (the final resampling then has pixels to spare), and
    the full-size pixels released; ``im`` itself when it is small enough already (a JPEG decoded
    at a DCT scale usually is).

    The reduction (a box average) runs strip by strip: Pillow's own ``reduce`` and ``resize``
    first copy an RGBA image whole (premultiplied), which doubled the peak."""
    factor = int(max(im.size) / (_REDUCING_GAP * full_px))
    if factor < 2:
        return im
    source = im
    if im.mode == "P":
        im = im.convert("RGBA" if im.info.get("transparency") is not None else "RGB")
    elif im.mode == "1":
        im = im.convert("L")
    if im.mode not in _REDUCIBLE:
        return im
    width, height = im.size
    small = Image.new(im.mode, (-(-width // factor), -(-height // factor)))
    rows = factor * _STRIP_OUTPUT_ROWS
    for top in range(0, height, rows):
        strip = im.crop((0, top, width, min(height, top + rows)))
        small.paste(strip.reduce(factor), (0, top // factor))
    small.info = dict(source.info)
    for full_size in {id(source): source, id(im): im}.values():
        full_size.close()   # frees the full-size pixels now, not when the request ends
    return small


#: How much larger than the served size a reduction stays (Pillow's ``reducing_gap``): 1.5 is
#: visually the same as resampling the full image, and lets 2400-4800 px photos be reduced too.
_REDUCING_GAP = 1.5
#: Output rows reduced at a time: a strip of a 49 MP RGBA image is then a few megabytes.
_STRIP_OUTPUT_ROWS = 32


#: EXIF orientation -> the transpose that makes the image upright (as ImageOps.exif_transpose).
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}


def _upright(im: Image.Image, orientation: int) -> Image.Image:
    method = _UPRIGHT.get(orientation)
    if method is None:
        return im
    upright = im.transpose(method)
    upright.info = dict(im.info)
    return upright


# --- type detection ---------------------------------------------------------------------------

def _sniff(data: bytes) -> _Kind | None:
    """The accepted type the magic bytes announce, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return _JPEG
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _WEBP
    if data[4:8] == b"ftyp":
        return _sniff_heif(data)
    return None


def _sniff_heif(data: bytes) -> _Kind | None:
    """HEIC or HEIF from the ftyp box's major and compatible brands (MP4 video, AVIF, CR3: None)."""
    box_size = int.from_bytes(data[:4], "big")
    if not 16 <= box_size <= 4096:  # 0/1 (to end of file / 64-bit size) never occur for ftyp
        box_size = 16
    major = data[8:12]
    brands = {major} | {data[i:i + 4] for i in range(16, min(box_size, len(data)) - 3, 4)}
    if brands & _HEIC_BRANDS:
        return _HEIC
    if major in _HEIF_BRANDS and not brands & {b"avif", b"avis"}:
        return _HEIF
    return None


def _check_bmff_complete(data: bytes) -> None:
    """Walk the top-level ISO-BMFF boxes of a HEIC/HEIF file and reject it if one runs past the end.

    libheif decodes the tiled (grid) images iPhones write without complaint when tiles are missing
    and fills the gap with flat colour, and pillow-heif offers no strict mode. A cut-off upload
    shows up as a last box (normally ``mdat``) that is longer than the bytes that arrived.
    """
    cut_header = ("HEIF 文件不完整（box 头残缺） / The HEIF file is truncated (incomplete box "
                  "header).")
    offset, end = 0, len(data)
    while offset < end:
        if end - offset < 8:
            raise Invalid(cut_header, field=FILE_FIELD)
        size = int.from_bytes(data[offset:offset + 4], "big")
        header = 8
        if size == 1:  # 64-bit "largesize" follows the type
            if end - offset < 16:
                raise Invalid(cut_header, field=FILE_FIELD)
            size = int.from_bytes(data[offset + 8:offset + 16], "big")
            header = 16
        elif size == 0:  # the box extends to the end of the file
            return
        if size < header:
            raise Invalid("HEIF 文件已损坏（box 大小不可能） / "
                          "The HEIF file is corrupt (impossible box size).", field=FILE_FIELD)
        if offset + size > end:
            raise Invalid(f"HEIF 文件不完整：最后一个 box 缺少 {offset + size - end} 字节 / "
                          "The HEIF file is truncated: "
                          f"{offset + size - end} bytes of its last box are missing.",
                          field=FILE_FIELD)
        offset += size


# --- EXIF ----------------------------------------------------------------------------------------
# Every reader below returns None (or 1 for orientation) on anything unexpected: EXIF is written
# by thousands of camera firmwares and apps, and a broken tag must cost the field, not the photo.

def _read_exif(im: Image.Image) -> Image.Exif | None:
    try:
        return im.getexif()
    except Exception:
        return None


def _orientation(exif: Image.Exif | None) -> int:
    try:
        value = exif.get(_TAG_ORIENTATION, 1) if exif is not None else 1
        return int(value) if value in range(1, 9) else 1
    except Exception:
        return 1


def _sub_ifd(exif: Image.Exif | None, tag: int) -> dict:
    if exif is None:
        return {}
    try:
        return dict(exif.get_ifd(tag))
    except Exception:
        return {}


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 \t\r\n") or None


_EXIF_DATETIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


def _taken_at(exif: Image.Exif | None) -> datetime | None:
    """DateTimeOriginal (else DateTime) with its offset tag, else read as Asia/Shanghai time."""
    if exif is None:
        return None
    try:
        sub = _sub_ifd(exif, _IFD_EXIF)
        for stamp, offset in ((sub.get(_TAG_DATETIME_ORIGINAL), sub.get(_TAG_OFFSET_TIME_ORIGINAL)),
                              (exif.get(_TAG_DATETIME), sub.get(_TAG_OFFSET_TIME))):
            naive = _parse_exif_datetime(stamp)
            # A clock reset or run wild (year 0001, 9999) is no capture time: such a moment
            # cannot be stored, nor even put in UTC. The photo itself still counts.
            if naive is not None and year_in_range(naive):
                tz = _parse_exif_offset(offset)
                # ZoneInfo also resolves China's 1986-1991 summer time for old photos.
                return naive.replace(tzinfo=tz or LOCAL_TZ)
    except Exception:
        pass
    return None


def _parse_exif_datetime(value) -> datetime | None:
    text = _text(value)
    match = _EXIF_DATETIME.match(text) if text else None
    if not match:
        return None
    try:  # "0000:00:00 00:00:00" (unset clock) and other impossible dates end here
        return datetime(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _parse_exif_offset(value) -> timezone | None:
    text = _text(value)
    match = _EXIF_OFFSET.fullmatch(text) if text else None
    if not match:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3))
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


def _gps(exif: Image.Exif | None) -> tuple[float | None, float | None]:
    """Decimal degrees from the GPS IFD; both None unless both are present and plausible."""
    gps = _sub_ifd(exif, _IFD_GPS)
    try:
        lat = _degrees(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "N", "S", 90)
        lng = _degrees(gps.get(_GPS_LNG), gps.get(_GPS_LNG_REF), "E", "W", 180)
    except Exception:
        return None, None
    if lat is None or lng is None:
        return None, None
    if lat == 0 and lng == 0:
        # Phones write 0/0 when they had no fix; nobody inspects a plant at "Null Island".
        return None, None
    return lat, lng


def _degrees(value, ref, positive: str, negative: str, limit: float) -> float | None:
    ref_text = (_text(ref) or "").upper()[:1]
    if ref_text not in (positive, negative) or value is None:
        return None  # without its reference the sign is unknown
    parts = [float(part) for part in (value if isinstance(value, (tuple, list)) else (value,))]
    if not 1 <= len(parts) <= 3 or any(not math.isfinite(p) or p < 0 for p in parts):
        return None  # e.g. a 0/0 rational, which Pillow reads as NaN
    degrees = sum(part / 60 ** i for i, part in enumerate(parts))  # degrees, minutes, seconds
    if degrees > limit:
        return None
    return -degrees if ref_text == negative else degrees


# --- rendering ---------------------------------------------------------------------------------

def _flatten(im: Image.Image) -> Image.Image:
    """An RGB, L or CMYK image with no alpha: transparency is composited onto white."""
    if im.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
        # 16-bit greyscale (e.g. PNG): a plain convert("L") would clip everything above 255 to
        # white, so scale 0..65535 down to 0..255 first.
        im = im.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    elif im.mode == "F":
        im = im.convert("L")

    has_alpha = im.mode in ("RGBA", "RGBa", "LA", "La", "PA") or (
        im.mode in ("P", "L", "RGB", "1") and im.info.get("transparency") is not None)
    if has_alpha:
        rgba = im if im.mode == "RGBA" else im.convert("RGBA")
        # White, not black: transparent areas of screenshots and stickers are meant as background.
        # Pasting through the alpha band composites onto opaque white with one new image.
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, (0, 0), rgba)
        return canvas
    if im.mode in ("RGB", "L", "CMYK"):
        return im
    if im.mode == "1":
        return im.convert("L")
    return im.convert("RGB")  # P, YCbCr, LAB, HSV


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB in sRGB. The served copy carries no ICC profile, and viewers then assume sRGB, so
    colours in another space (Display P3 on iPhones, CMYK from scanners) are converted here."""
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(im, source, _SRGB, outputMode="RGB")
        except Exception:
            pass  # broken or mode-mismatched profile: the plain conversion below is close enough
    return im if im.mode == "RGB" else im.convert("RGB")


def _encode_jpeg(im: Image.Image) -> bytes:
    # Pillow writes only what is passed to save(), but clear info and pass the metadata options
    # empty anyway: what is served must never carry EXIF, XMP or an ICC profile.
    im.info.clear()
    out = io.BytesIO()
    # Baseline, with optimised Huffman tables (4 % smaller): a progressive encode was 3 % smaller
    # still but took five times the CPU, the most expensive step of accepting a photo (issue 18,
    # bench/RESULTS.md).
    im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"", icc_profile=None,
            xmp=None)
    return out.getvalue()
