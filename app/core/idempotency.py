"""Create-by-client-id (幂等创建): the offline outbox may send the same create twice, or twice
at once.

Every create that accepts a client-chosen ``id`` goes through :func:`create_or_replay`:

* the id is new → the record is inserted inside a SAVEPOINT, ``payload_hash`` set to the hash of
  the canonical create body; the caller gets ``created=True`` (HTTP 201);
* the id exists, the record is in the user's scope and was created from the same body → the
  stored record, ``created=False`` (HTTP 200; nothing is written);
* the id exists in scope with a different body → 409 on field ``id``;
* the id exists outside the user's scope → 404, exactly like an unknown id, so an id reveals
  nothing about another enterprise.

Two identical requests racing on PostgreSQL: the loser's INSERT waits on the winner's primary key,
fails with an IntegrityError when the winner commits, its SAVEPOINT is rolled back (the rest of its
transaction survives) and the stored row is re-read and judged by the same rules. On SQLite write
requests are serialised by ``BEGIN IMMEDIATE`` (app/core/db.py), so the loser simply finds the row.
"""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.db import new_id
from app.core.i18n import record_name_zh
from app.core.permissions import in_scope
from app.errors import Conflict, NotFound
from app.extensions import db

#: keys never part of the hash: the id itself is what is being compared against
_IGNORED_KEYS = frozenset({"id"})


def _jsonable(value: Any):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetime in a create body")
        # One instant, one spelling: "+08:00" and "Z" forms of the same time hash the same.
        return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"cannot hash a {type(value).__name__} in a create body")


def canonical_json(body: dict) -> str:
    """The body as canonical JSON: sorted keys, no spaces, UTC times, the ``id`` left out."""
    cleaned = {k: v for k, v in body.items() if k not in _IGNORED_KEYS}
    return json.dumps(cleaned, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_jsonable, allow_nan=False)


def payload_hash(body: dict) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of the validated create body."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreateResult:
    record: Any
    created: bool

    @property
    def status(self) -> int:
        """201 for a first create, 200 for a replay of it."""
        return 201 if self.created else 200


def _judge(existing, body_hash: str, user, scope: Callable[[Any, Any], bool], label: str):
    if not scope(user, existing):
        raise NotFound(f"{record_name_zh(label)}不存在 / {label} not found.")
    if existing.payload_hash != body_hash:
        raise Conflict(f"该编号的{record_name_zh(label)}已存在且内容不同 / "
                       f"A {label} with this id already exists with different content.",
                       field="id")
    return CreateResult(existing, False)


def create_or_replay(model, record_id: str | None, body: dict, build: Callable[[str, str], Any],
                     *, user, scope: Callable[[Any, Any], bool] | None = None) -> CreateResult:
    """Insert ``build(id, payload_hash)`` unless ``record_id`` already exists (see module doc).

    ``body`` is the validated create body (the ``id`` key is ignored); ``build`` returns the new,
    not yet added model instance with its ``id`` and ``payload_hash`` set from its arguments. It
    must run every check that can refuse the create, and nothing that writes: the caller writes
    events and sends signals only when ``created`` is true. ``scope(user, record)`` decides
    visibility of an existing record (default :func:`app.core.permissions.in_scope`).

    Any IntegrityError that is not the id's (a unique credit code, a foreign key) propagates
    after the SAVEPOINT was rolled back; the rest of the transaction stays usable.
    """
    scope = scope or in_scope
    label = getattr(model, "__name__", "record")
    body_hash = payload_hash(body)
    record_id = str(record_id) if record_id else None

    if record_id is not None:
        existing = db.session.get(model, record_id)
        if existing is not None:
            return _judge(existing, body_hash, user, scope, label)
    record = build(record_id or new_id(), body_hash)
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        if record_id is None:
            raise
        # A parallel identical request won the race; read what it stored (a new statement sees
        # its commit under READ COMMITTED) and answer as if it had come first.
        existing = db.session.get(model, record_id, populate_existing=True)
        if existing is None:
            raise
        current_app.logger.info("parallel create of %s %s: answering the stored record", label,
                                record_id)
        return _judge(existing, body_hash, user, scope, label)
    return CreateResult(record, True)
