"""Evidence flags (证据存疑, issue 17): computed when a rectification photo arrives, from its EXIF
time and place and its SHA-256; never a refusal; a verification while they stand needs a note."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from app.hazards.models import HazardEvent
from app.hazards.oversight_models import EvidenceFlag
from tests.test_hazards_support import iso, now, photo_bytes, plain_photo, world  # noqa: F401

ENTERPRISE = (29.533, 106.5)  # where the World's enterprise is registered
CST = timezone(timedelta(hours=8))


def exif_photo(*, taken: datetime | None = None, at: tuple[float, float] | None = None,
               seed: str = "") -> bytes:
    """A JPEG with the EXIF a phone writes: DateTimeOriginal with its offset, GPS position."""
    image = Image.open(io.BytesIO(plain_photo(f"exif:{seed}:{taken}:{at}")))
    exif = Image.Exif()
    if taken is not None:
        exif[0x8769] = {0x9003: taken.astimezone(CST).strftime("%Y:%m:%d %H:%M:%S"),
                        0x9011: "+08:00"}
    if at is not None:
        def dms(value):
            degrees = int(value)
            minutes = (value - degrees) * 60
            return (IFDRational(degrees, 1), IFDRational(int(minutes), 1),
                    IFDRational(round((minutes - int(minutes)) * 60 * 1000), 1000))
        exif[0x8825] = {1: "N", 2: dms(at[0]), 3: "E", 4: dms(at[1])}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def codes(hazard) -> list[str]:
    return sorted(f["code"] for f in hazard["evidence_flags"])


def submitted_with(world, data=None, name=None, **create):
    """A hazard whose rectification (``data`` or ``name``) is submitted for re-check."""
    hazard = world.create_hazard(**create)
    upload = world.upload(hazard["id"], data=data, name=name)
    assert upload.status_code == 201, upload.get_json()  # never refused for a flag
    world.ok(hazard["id"], "submit", "officer")
    return world.hazard(hazard["id"])


def test_a_real_phone_photo_from_2008_in_italy_is_flagged_twice(world):
    hazard = submitted_with(world, name="DSCN0010.jpg")
    assert codes(hazard) == ["photo_before_finding", "photo_far_from_site"]
    by_code = {f["code"]: f for f in hazard["evidence_flags"]}
    assert all(f["standing"] and f["overridden_at"] is None for f in by_code.values())
    before = by_code["photo_before_finding"]
    assert "2008-10-22 16:28" in before["message"] and "早于隐患的发现时间" in before["message"]
    far = by_code["photo_far_from_site"]
    assert far["detail"]["radius_m"] == 200 and far["detail"]["distance_m"] > 8_000_000
    assert "公里" in far["message"]
    english = world.client("inspector").get(f"/api/v1/hazards/{hazard['id']}",
                                            headers={"Accept-Language": "en"}).get_json()
    messages = {f["code"]: f["message"] for f in english["evidence_flags"]}
    assert messages["photo_before_finding"].startswith("The photo was taken (EXIF: 2008-10-22")
    assert "km from the enterprise's registered location" in messages["photo_far_from_site"]
    assert not any("\u4e00" <= ch <= "\u9fff" for m in messages.values() for ch in m)
    # The photo's add_photo line names the flags: the trail seals them.
    line = [e for e in world.client("supervisor").get(
        f"/api/v1/hazards/{hazard['id']}/events").get_json()["items"]
        if e["action"] == "add_photo"][-1]
    assert sorted(line["data"]["evidence_flags"]) == codes(hazard)


def test_an_iphone_heic_with_a_2022_time_and_no_gps_is_flagged_for_its_time_only(world):
    hazard = submitted_with(world, name="iphone_13_pro_max.HEIC")
    assert codes(hazard) == ["photo_before_finding"]
    assert "2022-02-16 19:55" in hazard["evidence_flags"][0]["message"]  # +01:00 → Shanghai


def test_generated_exif_is_judged_by_time_and_place(world):
    found = now() - timedelta(days=3)
    near = (ENTERPRISE[0] + 0.0005, ENTERPRISE[1])   # ≈ 55 m
    far = (ENTERPRISE[0] + 0.01, ENTERPRISE[1])      # ≈ 1.1 km
    cases = {
        "after, on site": (dict(taken=found + timedelta(days=1), at=near), []),
        "before, on site": (dict(taken=found - timedelta(hours=2), at=near),
                            ["photo_before_finding"]),
        "after, far away": (dict(taken=found + timedelta(days=1), at=far),
                            ["photo_far_from_site"]),
        "time only": (dict(taken=found + timedelta(hours=1)), []),
        "place only": (dict(at=near), []),
    }
    for name, (exif, expected) in cases.items():
        hazard = submitted_with(world, data=exif_photo(seed=name, **exif), found_at=iso(found))
        assert codes(hazard) == expected, name


def test_no_exif_and_no_registered_place_are_unknown_never_a_flag(world, app):
    for name in ("image01137.jpg", "landscape_6.jpg"):
        assert codes(submitted_with(world, name=name)) == [], name
    with app.app_context():
        from app.extensions import db
        from app.registry.models import Enterprise
        enterprise = db.session.get(Enterprise, world.enterprise.id)
        enterprise.lat = enterprise.lng = None
        db.session.commit()
    far_away = exif_photo(taken=now(), at=(31.2, 121.5))
    assert codes(submitted_with(world, data=far_away)) == []
    # Finding photos are the inspector's: an old one is no flag either.
    hazard = world.create_hazard()
    assert world.upload(hazard["id"], "finding", who="inspector",
                        name="DSCN0010.jpg").status_code == 201
    assert world.hazard(hazard["id"])["evidence_flags"] == []


def test_the_same_bytes_on_two_hazards_flag_both_while_they_await_a_fix(world, app):
    data = plain_photo("handed in twice")
    first = world.create_hazard(title="配电箱未接地")
    assert world.upload(first["id"], data=data).status_code == 201
    assert world.hazard(first["id"])["evidence_flags"] == []
    second = world.create_hazard(title="消防通道堵塞")
    events_before = world.count(HazardEvent)
    assert world.upload(second["id"], data=data).status_code == 201
    [flag] = world.hazard(second["id"], "inspector")["evidence_flags"]
    assert flag["code"] == "photo_reused" and flag["detail"]["hazard_ids"] == [first["id"]]
    assert "「配电箱未接地」（乌龙精密机械有限公司）" in flag["message"]
    # The first hazard's photo is flagged too, by a line the system writes in its trail.
    [back] = world.hazard(first["id"], "inspector")["evidence_flags"]
    assert back["code"] == "photo_reused" and back["detail"]["hazard_ids"] == [second["id"]]
    line = world.client("inspector").get(
        f"/api/v1/hazards/{first['id']}/events").get_json()["items"][-1]
    assert (line["action"], line["actor"]) == ("flag_evidence", None)
    assert world.count(HazardEvent) == events_before + 2  # add_photo + the system's line
    # Someone who cannot see the other hazard is not told its name.
    officer_view = world.hazard(second["id"], "officer")["evidence_flags"][0]["message"]
    assert "配电箱未接地" in officer_view  # both hazards are of the officer's enterprise
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_reuse_elsewhere_is_named_only_within_scope_and_spares_accepted_fixes(world):
    data = plain_photo("across communities")
    far = world.client("far_inspector").post("/api/v1/hazards", json=world.hazard_body(
        enterprise_id=world.far_enterprise.id)).get_json()
    done = world.hazard_in("verified")
    far_upload = world.upload(far["id"], "rectification", who="far_inspector", data=data)
    assert far_upload.status_code == 201
    here = world.create_hazard()
    assert world.upload(here["id"], data=data).status_code == 201
    [flag] = world.hazard(here["id"], "inspector")["evidence_flags"]
    assert "辖区以外" in flag["message"] and "配电箱" not in flag["message"]
    # A verified hazard's photo is not judged again when its bytes turn up later.
    again = world.create_hazard()
    same_as_done = plain_photo(f"{done['id']}:rectification")
    assert world.upload(again["id"], data=same_as_done).status_code == 201
    assert codes(world.hazard(again["id"])) == ["photo_reused"]
    assert world.hazard(done["id"])["evidence_flags"] == []


def test_verifying_while_flags_stand_needs_a_note_that_answers_them(world):
    hazard = submitted_with(world, name="DSCN0010.jpg")
    hid = hazard["id"]
    before = world.count(HazardEvent)
    refused = world.act(hid, "verify", "inspector")
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert "note" in refused.get_json()["errors"]
    assert "拍摄时间早于发现时间" in refused.get_json()["detail"]
    assert world.hazard(hid)["state"] == "submitted" and world.count(HazardEvent) == before
    # A rejection says why anyway; a resubmission keeps the photo, and the flags stand.
    world.ok(hid, "reject", "inspector", note="照片是旧照片，请重新拍摄")
    assert world.upload(hid).status_code == 201
    world.ok(hid, "submit", "officer")
    assert {f["standing"] for f in world.hazard(hid)["evidence_flags"]} == {True}

    note = "现场复查确认已整改，旧照片系误传"
    verified = world.ok(hid, "verify", "inspector", note=note)
    assert verified["state"] == "verified" and verified["recheck_note"] == note
    flags = verified["evidence_flags"]
    assert flags and all(not f["standing"] and f["overridden_at"] for f in flags)
    line = world.client("supervisor").get(f"/api/v1/hazards/{hid}/events").get_json()["items"][-1]
    assert line["action"] == "verify" and line["note"] == note
    assert sorted(f["code"] for f in line["data"]["overridden_flags"]) == [
        "photo_before_finding", "photo_far_from_site"]
    assert world.count(EvidenceFlag) == 2

    clean = world.hazard_in("verified")  # no flags: no note needed
    assert clean["evidence_flags"] == []
    figures = world.client("supervisor").get("/api/v1/dashboard").get_json()["evidence"]
    assert figures == {"flagged_verifications": 1, "awaiting_review": 0}


def test_the_dashboard_counts_hazards_awaiting_review_with_a_flag(world):
    submitted_with(world, name="DSCN0010.jpg")
    figures = world.client("supervisor").get("/api/v1/dashboard").get_json()["evidence"]
    assert figures == {"flagged_verifications": 0, "awaiting_review": 1}
    assert world.client("far_supervisor").get("/api/v1/dashboard").get_json()["evidence"] == {
        "flagged_verifications": 0, "awaiting_review": 0}


def test_a_photo_set_aside_by_a_step_raises_no_standing_flag(world):
    hazard = world.create_hazard()
    hid = hazard["id"]
    old = world.upload(hid, name="DSCN0010.jpg").get_json()["id"]
    fresh = world.upload(hid).get_json()["id"]
    assert codes(world.hazard(hid)) == ["photo_before_finding", "photo_far_from_site"]
    world.ok(hid, "submit", "officer", photo_ids=[fresh])  # hands in the fresh one only
    after = world.hazard(hid)
    assert after["evidence_flags"] == [] and old not in {p["id"] for p in after["photos"]}
    assert world.ok(hid, "verify", "inspector")["state"] == "verified"
