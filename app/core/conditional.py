"""Validators for answers a phone asks for again and again (the registry list on every start):
the answer carries a weak ``ETag`` made from a cheap fingerprint of what it depends on, and a
request whose ``If-None-Match`` names it is answered ``304 Not Modified`` before the answer is
built or serialised.

A view calls :func:`answer_unless_unchanged` with the fingerprint (the operation computes it,
e.g. count and latest change of the rows listed, the scope, the page, the reader's language)
and returns the headers :func:`validator_headers` gives along with its answer.
"""
from __future__ import annotations

import hashlib
import json

from flask import Response, request
from werkzeug.exceptions import HTTPException

#: The answer may be kept by this browser only, and is checked with the server before each use.
CACHE_CONTROL = "private, no-cache"
#: A different user or language gets a different answer (gzip/brotli add Accept-Encoding).
VARY = "Cookie, Accept-Language"


def etag_of(fingerprint) -> str:
    """A short hash of ``fingerprint`` (anything JSON can write, dates as text)."""
    text = json.dumps(fingerprint, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class NotModified(HTTPException):
    """304: the copy the client holds (``If-None-Match``) is current; no body."""

    code = 304
    description = "Not modified"

    def __init__(self, etag: str):
        super().__init__()
        self.etag = etag

    def get_response(self, environ=None, scope=None) -> Response:
        response = Response(status=304)
        response.set_etag(self.etag, weak=True)
        response.headers.update(validator_headers(None))
        return response


def validator_headers(etag: str | None) -> dict:
    """The headers of an answer validated by ``etag`` (the ETag itself only when given)."""
    headers = {"Cache-Control": CACHE_CONTROL, "Vary": VARY}
    if etag is not None:
        headers["ETag"] = f'W/"{etag}"'
    return headers


def answer_unless_unchanged(fingerprint) -> str:
    """The ETag of ``fingerprint``; raises :class:`NotModified` (304) when the request's
    ``If-None-Match`` already names it (compared weakly, as RFC 9110 asks for GET)."""
    etag = etag_of(fingerprint)
    if request.if_none_match.contains_weak(etag):
        raise NotModified(etag)
    return etag


def init_app(app) -> None:
    # A 304 is no error: its own answer, not a problem+json body.
    app.register_error_handler(NotModified, lambda exc: exc.get_response())
