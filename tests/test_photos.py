"""Evidence photos (照片) over HTTP: real camera and phone files in, checked after the round trip;
every bad file refused with nothing written; bytes only for those who may see the hazard."""
from __future__ import annotations

import io
import shutil
import struct
import zlib

import pytest
from PIL import Image, ImageStat

from app.hazards.models import HazardEvent
from app.photos.models import Photo
from tests.test_hazards_support import media_files, new_id, photo_bytes, sha256
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter


def served(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data()[:200]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"].startswith("private")
    return response


def assert_clean_jpeg(data: bytes) -> Image.Image:
    """A served copy: a JPEG with no EXIF (no APP1 segment at all) and no ICC profile."""
    assert data[:3] == b"\xff\xd8\xff"
    assert b"Exif\x00\x00" not in data and b"http://ns.adobe.com/xap" not in data
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and not im.getexif() and "icc_profile" not in im.info
    return im


def brightness(im, box):
    return ImageStat.Stat(im.convert("L").crop(box)).mean[0]


# --------------------------------------------------------------------------- real files
def test_orientation_6_is_served_upright_without_exif(world):
    hazard = world.create_hazard()
    original = photo_bytes("landscape_6.jpg")
    response = world.upload(hazard["id"], "finding", who="inspector", name="landscape_6.jpg")
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert (photo["width"], photo["height"]) == (600, 450)
    assert photo["sha256"] == sha256(original) and photo["mime"] == "image/jpeg"

    officer = world.client("officer")  # the enterprise sees the evidence of its hazard
    full = served(officer, photo["urls"]["full"])
    assert full.mimetype == "image/jpeg"
    im = assert_clean_jpeg(full.data)
    assert im.size == (600, 450)
    assert brightness(im, (0, 0, 600, 90)) > brightness(im, (0, 360, 600, 450)) + 30  # sky on top
    thumb = served(officer, photo["urls"]["thumb"])
    assert assert_clean_jpeg(thumb.data).size == (400, 300)

    kept = served(officer, photo["urls"]["original"])
    assert kept.data == original and sha256(kept.data) == photo["sha256"]
    assert kept.mimetype == "image/jpeg"
    assert kept.headers["Content-Disposition"].startswith("attachment")


def test_gps_and_capture_time_are_read_from_exif(world):
    hazard = world.create_hazard()
    data = photo_bytes("DSCN0010.jpg")
    photo = world.upload(hazard["id"], "finding", who="inspector", sha256=sha256(data)).get_json()
    assert photo["exif_location"]["lat"] == pytest.approx(43.467448, abs=1e-5)
    assert photo["exif_location"]["lng"] == pytest.approx(11.885127, abs=1e-5)
    # No offset tag in the file: read as Asia/Shanghai wall time, answered in UTC.
    assert photo["taken_at"] == "2008-10-22T08:28:39+00:00"
    assert (photo["width"], photo["height"]) == (640, 480)
    stored = world.client("supervisor").get(f"/api/v1/photos/{photo['id']}").get_json()
    assert stored == photo
    full = served(world.client("supervisor"), photo["urls"]["full"]).data
    assert_clean_jpeg(full)
    assert b"NIKON" not in full  # the camera's maker notes stay in the original only
    assert b"NIKON" in served(world.client("supervisor"), photo["urls"]["original"]).data


def test_iphone_heic_is_accepted_and_kept_byte_for_byte(world):
    hazard = world.create_hazard()
    original = photo_bytes("iphone_13_pro_max.HEIC")
    response = world.upload(hazard["id"], "rectification", who="officer",
                            name="iphone_13_pro_max.HEIC", sha256=sha256(original).upper())
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert photo["mime"] == "image/heic" and photo["size"] == len(original)
    assert (photo["width"], photo["height"]) == (3024, 4032)
    assert photo["taken_at"] == "2022-02-16T11:55:41+00:00"
    client = world.client("inspector")
    assert assert_clean_jpeg(served(client, photo["urls"]["full"]).data).size == (1200, 1600)
    assert assert_clean_jpeg(served(client, photo["urls"]["thumb"]).data).size == (300, 400)
    kept = served(client, photo["urls"]["original"])
    assert kept.mimetype == "image/heic" and kept.data == original
    assert kept.headers["Content-Disposition"].endswith(".heic")


def test_type_comes_from_the_content_not_the_name(world):
    hazard = world.create_hazard()
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 48), (0, 128, 0, 128)).save(buffer, "PNG")
    response = world.upload(hazard["id"], "finding", who="inspector", data=buffer.getvalue(),
                            filename="photo.jpg")
    assert response.status_code == 201 and response.get_json()["mime"] == "image/png"
    kept = served(world.client("inspector"), response.get_json()["urls"]["original"])
    assert kept.mimetype == "image/png"
    webp = io.BytesIO()
    Image.new("RGB", (80, 60), "blue").save(webp, "WEBP")
    response = world.upload(hazard["id"], "finding", who="inspector", data=webp.getvalue(),
                            filename="x.heic")
    assert response.status_code == 201 and response.get_json()["mime"] == "image/webp"


def test_files_live_under_server_chosen_names(world, media_dir):
    hazard = world.create_hazard()
    before = media_files(media_dir)
    photo = world.upload(hazard["id"], "finding", who="inspector",
                         filename="../../etc/passwd.jpg").get_json()
    new = sorted(media_files(media_dir) - before)
    assert len(new) == 3
    names = sorted(path.rsplit("/", 1)[1] for path in new)
    assert names == ["full.jpg", "original.jpg", "thumb.jpg"]
    year, month, folder = new[0].split("/")[:3]
    assert photo["created_at"].startswith(f"{year}-{month}") and folder.startswith(photo["id"])
    assert all("passwd" not in path for path in new)


# --------------------------------------------------------------------------- bad files
def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width=20000, height=20000) -> bytes:
    """A valid 1-bit PNG header declaring 400 MP, with almost no data: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


BAD_FILES = {
    "fake": (lambda: "这不是照片，是一份文本。".encode() * 50, {}, 415, "file"),
    "text-behind-jpeg-magic": (lambda: b"\xff\xd8\xff" + b"not a jpeg " * 100, {}, 422, "file"),
    "truncated-jpeg": (lambda: photo_bytes("DSCN0010.jpg")[:80_000], {}, 422, "file"),
    "truncated-heic": (lambda: photo_bytes("iphone_13_pro_max.HEIC")[:1_500_000], {}, 422,
                       "file"),
    "bomb": (bomb_png, {}, 422, "file"),
    "gif": (lambda: b"GIF89a" + b"\x00" * 100, {}, 415, "file"),
    "empty": (lambda: b"", {}, 422, "file"),
    "sha-mismatch": (lambda: photo_bytes("DSCN0010.jpg"), {"sha256": "0" * 64}, 422, "sha256"),
    "sha-not-hex": (lambda: photo_bytes("DSCN0010.jpg"), {"sha256": "xyz"}, 422, "sha256"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_and_leave_nothing(world, media_dir, case):
    make, form, status, field = BAD_FILES[case]
    hazard = world.create_hazard()
    before = media_files(media_dir)
    events = world.count(HazardEvent, hazard_id=hazard["id"])
    response = world.upload(hazard["id"], "finding", who="inspector", data=make(),
                            filename="photo.jpg", **form)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert media_files(media_dir) == before
    assert world.count(Photo) == 0
    assert world.count(HazardEvent, hazard_id=hazard["id"]) == events


def test_oversize_is_413_before_and_after_reading(world, media_dir, app):
    hazard = world.create_hazard()
    limit = app.config["PHOTO_MAX_BYTES"]
    before = media_files(media_dir)
    jpeg = photo_bytes("DSCN0010.jpg")
    just_over = jpeg + b"\x00" * (limit + 1 - len(jpeg))  # refused while reading the file
    response = world.upload(hazard["id"], "finding", who="inspector", data=just_over)
    assert response.status_code == 413 and "file" in response.get_json()["errors"]
    far_over = jpeg + b"\x00" * (limit + 200_000)  # refused from Content-Length, unread
    response = world.upload(hazard["id"], "finding", who="inspector", data=far_over)
    assert response.status_code == 413
    assert media_files(media_dir) == before and world.count(Photo) == 0


def test_missing_fields_are_named(world):
    hazard = world.create_hazard()
    response = world.client("inspector").post("/api/v1/photos", data={
        "hazard_id": hazard["id"], "kind": "finding"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    response = world.upload(hazard["id"], "selfie", who="inspector")
    assert response.status_code == 422 and "kind" in response.get_json()["errors"]


# --------------------------------------------------------------------------- who uploads what
def test_who_may_upload_which_kind(world):
    hazard = world.create_hazard()
    hid = hazard["id"]
    assert world.upload(hid, "finding", who="officer").status_code == 403
    assert world.upload(hid, "rectification", who="officer").status_code == 201
    assert world.upload(hid, "finding", who="inspector").status_code == 201
    assert world.upload(hid, "rectification", who="inspector").status_code == 201
    assert world.upload(hid, "finding", who="supervisor").status_code == 201
    assert world.upload(hid, "finding", who="admin").status_code == 403
    assert world.count(Photo, hazard_id=hid) == 4


def test_rectification_photos_only_while_rectifying(world):
    hazard = world.hazard_in("submitted")
    response = world.upload(hazard["id"], "rectification", who="officer")
    assert response.status_code == 409 and "kind" in response.get_json()["errors"]
    assert world.upload(hazard["id"], "finding", who="inspector").status_code == 201


def test_recheck_photos_go_with_the_reviewers_verdict(world):
    """复查照片: the reviewer photographs what the re-check found, only while the fix awaits
    re-check, and hands them in with verify/reject; nobody else's photos go with a verdict."""
    from app.hazards.models import HazardEvent

    reported = world.create_hazard()
    refused = world.upload(reported["id"], "recheck", who="inspector")
    assert refused.status_code == 409 and "kind" in refused.get_json()["errors"]
    hazard = world.hazard_in("submitted")
    hid = hazard["id"]
    assert world.upload(hid, "recheck", who="officer").status_code == 403
    finding = world.upload(hid, "finding", who="inspector").get_json()["id"]
    seen = world.upload(hid, "recheck", who="inspector")
    assert seen.status_code == 201, seen.get_json()
    wrong = world.act(hid, "reject", "inspector", note="灭火器仍过期", photo_ids=[finding])
    assert wrong.status_code == 422 and "photo_ids" in wrong.get_json()["errors"]
    assert world.hazard(hid)["state"] == "submitted"
    world.ok(hid, "reject", "inspector", note="灭火器仍过期", photo_ids=[seen.get_json()["id"]])
    assert world.hazard(hid)["state"] == "rectifying"
    assert world.count(HazardEvent, hazard_id=hid, action="reject") == 1
    events = world.client("inspector").get(f"/api/v1/hazards/{hid}/events").get_json()["items"]
    assert events[-1]["data"]["photo_ids"] == [seen.get_json()["id"]]
    kinds = {p["id"]: p["kind"] for p in world.hazard(hid)["photos"]}
    assert kinds[seen.get_json()["id"]] == "recheck"


def test_a_hazard_out_of_scope_is_like_an_unknown_one(world):
    hazard = world.create_hazard()
    theirs = world.upload(hazard["id"], "rectification", who="other_officer")
    unknown = world.upload(new_id(), "rectification", who="other_officer")
    assert theirs.status_code == unknown.status_code == 422
    assert theirs.get_json() == unknown.get_json()
    assert world.count(Photo) == 0


def test_photo_bytes_only_for_those_who_see_the_hazard(world, client):
    hazard = world.create_hazard()
    photo = world.upload(hazard["id"], "finding", who="inspector").get_json()
    urls = [f"/api/v1/photos/{photo['id']}", *photo["urls"].values()]
    for who in ("other_officer", "far_inspector", "far_supervisor"):
        for url in urls:
            response = world.client(who).get(url)
            assert response.status_code == 404, (who, url)
            assert response.mimetype == "application/problem+json"
    for who in ("admin", "supervisor", "inspector", "officer"):
        for url in urls:
            assert world.client(who).get(url).status_code == 200, (who, url)
    assert client.get(photo["urls"]["full"]).status_code == 401
    assert world.client("officer").get(f"/api/v1/photos/{new_id()}/full").status_code == 404
    assert world.client("officer").get(f"/api/v1/photos/{photo['id']}/exif").status_code == 404


def test_served_copies_can_be_revalidated(world):
    hazard = world.create_hazard()
    photo = world.upload(hazard["id"], "finding", who="inspector").get_json()
    client = world.client("inspector")
    first = served(client, photo["urls"]["thumb"])
    again = client.get(photo["urls"]["thumb"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# --------------------------------------------------------------------------- failed requests
def test_a_request_that_fails_after_writing_its_files_leaves_none(world, database_url,
                                                                  media_dir):
    """A later step of the request fails (answer ≥ 400, the transaction rolls back): the files
    of the photo it had stored go with it."""
    from flask import request

    from app import create_app
    from app.core.permissions import require_user
    from app.hazards import evidence as operations
    from tests.conftest import ApiClient, make_config

    hazard = world.create_hazard()
    before = media_files(media_dir)
    written = []
    broken = create_app(make_config(database_url, media_dir))

    @broken.post("/api/v1/test/upload-then-fail")
    def upload_then_fail():
        operations.upload_photo(require_user(), {"hazard_id": request.form["hazard_id"],
                                                 "kind": "finding"},
                                photo_bytes("DSCN0010.jpg"))
        written.extend(media_files(media_dir) - before)
        raise RuntimeError("a later step of the same request fails")

    client = ApiClient(broken.test_client()).login(world.users["inspector"].username)
    response = client.post("/api/v1/test/upload-then-fail", data={"hazard_id": hazard["id"]})
    assert response.status_code == 500
    assert len(written) == 3  # the files did exist before the failure
    assert media_files(media_dir) == before
    assert world.count(Photo) == 0


def test_files_follow_the_outermost_transaction(app, media_dir):
    from sqlalchemy import text

    from app.extensions import db
    from app.photos import storage

    root = media_dir / "txn-test"
    with app.test_request_context("/", method="POST"):
        db.session.execute(text("SELECT 1"))
        storage.write_files("txn-test/rolled-back", {"a.jpg": b"1"})
        with db.session.begin_nested():  # a released SAVEPOINT does not keep them
            db.session.execute(text("SELECT 1"))
        assert (root / "rolled-back" / "a.jpg").read_bytes() == b"1"
        db.session.rollback()
        assert not (root / "rolled-back").exists()

        db.session.execute(text("SELECT 1"))
        storage.write_files("txn-test/committed", {"a.jpg": b"2"})
        with db.session.begin_nested():
            db.session.execute(text("SELECT 1"))
        db.session.commit()
        db.session.execute(text("SELECT 1"))
        db.session.rollback()  # a later transaction's rollback does not touch committed files
        assert (root / "committed" / "a.jpg").read_bytes() == b"2"
        assert not [p for p in root.rglob(".part-*")]
    shutil.rmtree(root)
