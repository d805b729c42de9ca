"""The shell and the API travel compressed with working validators, the app can ask "who am I"
without an error, and the registry a phone downloads on every start answers 304 when unchanged
(issue 11 item 13)."""
from __future__ import annotations

import gzip
import os

import brotli
import pytest

from app.web.views import STATIC_DIR
from tests.test_query_counts import counted

TEXT_FILES = ("/", "/static/js/app.js", "/static/css/app.css", "/sw.js",
              "/manifest.webmanifest", "/static/i18n/zh-CN.json")


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        return brotli.decompress(response.data)
    assert encoding is None, encoding
    return response.data


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize("path", TEXT_FILES)
@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_text_is_sent_compressed_and_revalidates_to_304(client, path, encoding):
    plain = client.get(path)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = client.get(path, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == encoding
    assert "accept-encoding" in _vary(packed) and "accept-encoding" in _vary(plain)
    assert _decoded(packed) == plain.data
    assert len(packed.data) < len(plain.data)
    # Each representation has its own validator, and each revalidates to an empty 304.
    assert packed.headers["ETag"] and packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(path, headers={"Accept-Encoding": encoding,
                                      "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    again = client.get(path, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_changed_file_is_sent_again(client):
    probe = STATIC_DIR / "css" / "app.css"
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    stat = probe.stat()
    try:
        # A new modification time is a new validator.
        os.utime(probe, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        again = client.get("/static/css/app.css", headers={
            "Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200 and _decoded(again) == probe.read_bytes()
    finally:
        os.utime(probe, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_json_answers_are_compressed_too(client):
    response = client.get("/api/v1/choices", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "application/json"
    assert b"hazard_states" in gzip.decompress(response.data)
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers  # not worth it under 500 bytes


# --------------------------------------------------------------------------- who am I
def test_who_am_i_answers_200_when_logged_out(client, factory, client_for):
    response = client.get("/api/v1/auth/session")
    assert response.status_code == 200 and response.get_json() == {"authenticated": False}
    assert client.get("/api/v1/auth/me").status_code == 401  # the contract's /me is unchanged
    user = factory.user("inspector")
    logged_in = client_for(user)
    body = logged_in.get("/api/v1/auth/session").get_json()
    assert body["authenticated"] is True and body["user"]["id"] == user.id
    assert body["csrf_token"] == logged_in.get("/api/v1/auth/me").get_json()["csrf_token"]
    assert logged_in.post("/api/v1/auth/logout").status_code == 204
    assert logged_in.get("/api/v1/auth/session").get_json() == {"authenticated": False}


# --------------------------------------------------------------------------- the registry
@pytest.fixture
def registry(factory, client_for):
    community = factory.community()
    enterprises = [factory.enterprise(community) for _ in range(3)]
    inspector = factory.user("inspector", communities=[community])
    return community, enterprises, client_for(inspector), client_for(factory.user("admin"))


def test_an_unchanged_registry_page_answers_304_without_being_built(app, registry):
    _, enterprises, inspector, admin = registry
    url = "/api/v1/enterprises?page=1&per_page=100"
    first = inspector.get(url)
    assert first.status_code == 200 and first.get_json()["total"] == 3
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert {"cookie", "accept-language", "accept-encoding"} <= _vary(first)

    with counted(app) as statements:
        again = inspector.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert not any("enterprises.name" in s for s in statements)  # no row was read

    # Another page, another language: another validator.
    assert inspector.get("/api/v1/enterprises?page=2&per_page=1").headers["ETag"] != etag
    english = inspector.get(url, headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != etag

    # A change sends the page again with a new validator.
    ent = admin.get(f"/api/v1/enterprises/{enterprises[0].id}").get_json()
    assert admin.patch(f"/api/v1/enterprises/{ent['id']}", json={
        "version": ent["version"], "address": "乌龙街道新址9号"}).status_code == 200
    changed = inspector.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "乌龙街道新址9号" in {e["address"] for e in changed.get_json()["items"]}


def test_each_scope_has_its_own_validator(registry, factory, client_for):
    community, _, inspector, admin = registry
    url = "/api/v1/enterprises"
    mine = inspector.get(url)
    other = client_for(factory.user("inspector", communities=[community]))
    assert other.get(url, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 200
    assert admin.get(url, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 200
