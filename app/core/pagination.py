"""Lists a page at a time: the one paging helper, the query arguments of a list and the envelope
of its answer, ``{"items", "total", "page", "per_page"}`` (with ``"pages"`` where a list has
always sent it).

Keyset paging (:func:`paginate_keyset`): a list ordered by a few columns (the last one unique)
also answers ``next``, an opaque cursor naming its last item; ``?cursor=`` that value answers
the items after it, whatever was added or removed meanwhile, at the cost of one index range
whatever the depth (``page`` skips rows one by one), and without counting them all.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from marshmallow import Schema, fields
from sqlalchemy import DateTime, and_, func, or_, select

from app.core.fields import PageNumber, PerPage
from app.errors import Invalid
from app.extensions import db


@dataclass
class Page:
    """One page of a list: its ``items`` and the ``total`` of all of them."""

    items: list
    total: int | None
    page: int
    per_page: int
    #: the cursor of the page after this one (keyset paging), None at the end
    next: str | None = None

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))


def paginate(stmt, page: int, per_page: int) -> Page:
    """Page ``page`` (from 1) of ``stmt``'s rows, ``per_page`` of them, and how many rows it has
    in all: two statements. A statement of one entity pages its objects, a statement of several
    columns its rows."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = _items(result)
    return Page(list(items), total or 0, page, per_page)


def _items(result) -> list:
    """A page's objects when its statement selects one entity, else its rows. Asked of the
    result: the statement's ``column_descriptions`` are worked out anew on every call."""
    if len(result.keys()) == 1:
        return list(result.scalars().unique().all())
    return list(result.all())


BAD_CURSOR = "无效的翻页游标 / Unknown cursor: use the `next` of a previous answer."


def encode_cursor(values) -> str:
    """The opaque cursor of a row's ordering values (times as ISO 8601)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order) -> list:
    """The ordering values a cursor names, typed like the ``order`` columns; 422 naming
    ``cursor`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(order):
            raise ValueError
        out = []
        for (column, _desc), value in zip(order, values, strict=True):
            if value is not None and isinstance(getattr(column.type, "impl", column.type),
                                                DateTime):
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise ValueError
            elif not isinstance(value, (str, int, float)):
                raise ValueError
            out.append(value)
        return out
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, NotImplementedError):
        raise Invalid(BAD_CURSOR, field="cursor") from None


def after(order, values):
    """The rows after ``values`` in ``order`` (``[(column, descending)]``, no NULLs)."""
    terms = []
    for index, (column, descending) in enumerate(order):
        equal = [c == v for (c, _), v in zip(order[:index], values[:index], strict=True)]
        terms.append(and_(*equal, column < values[index] if descending
                          else column > values[index]))
    return or_(*terms)


def paginate_keyset(stmt, order, *, per_page: int, cursor: str | None = None, page: int = 1,
                    count: Callable[[], int] | None = None,
                    key: Callable[[object], tuple] | None = None) -> Page:
    """A page of ``stmt`` in ``order`` (``[(column, descending)]``, the last column unique):
    after ``cursor`` when given (no total: ``total`` is None), else page ``page`` with
    ``count()`` as its total (default: counting the rows). The answer's ``next`` names its last
    item when more follow; ``key(item)`` gives an item's ordering values (default: the
    attributes named like the columns)."""
    stmt = stmt.order_by(*[c.desc() if d else c for c, d in order])
    if cursor:
        stmt = stmt.where(after(order, decode_cursor(cursor, order)))
        total, page = None, 1
    else:
        total = count() if count is not None else db.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery()))
        stmt = stmt.offset((page - 1) * per_page)
    items = _items(db.session.execute(stmt.limit(per_page + 1)))
    more = len(items) > per_page
    items = items[:per_page]
    key = key or (lambda item: tuple(getattr(item, c.key) for c, _ in order))
    return Page(items, total, page, per_page,
                next=encode_cursor(key(items[-1])) if more and items else None)


def page_args(maximum: int, default: int | None = None, **per_page) -> type[Schema]:
    """The query arguments of a list, to derive its own from: ``page`` and ``per_page`` (1 to
    ``maximum``, ``default`` when absent; ``per_page`` holds more of the field's options)."""
    return Schema.from_dict({"page": PageNumber(),
                             "per_page": PerPage(maximum, default, **per_page)},
                            name="PageArgs")


def page_schema(item: type[Schema], name: str, *, pages: bool = False,
                **more: fields.Field) -> type[Schema]:
    """The output schema ``name`` of a :class:`Page` of ``item``: ``items``, ``total``,
    ``page``, ``per_page``, ``pages`` if asked for and ``more`` fields of the list's own."""
    declared: dict[str, fields.Field] = {
        "items": fields.List(fields.Nested(item)), "total": fields.Integer(),
        "page": fields.Integer(), "per_page": fields.Integer()}
    if pages:
        declared["pages"] = fields.Integer()
    return Schema.from_dict({**declared, **more}, name=name)
