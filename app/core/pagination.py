"""Lists a page at a time: the one paging helper, the query arguments of a list and the envelope
of its answer, ``{"items", "total", "page", "per_page"}`` (with ``"pages"`` where a list has
always sent it)."""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, fields
from sqlalchemy import func, select

from app.core.fields import PageNumber, PerPage
from app.extensions import db


@dataclass
class Page:
    """One page of a list: its ``items`` and the ``total`` of all of them."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(stmt, page: int, per_page: int) -> Page:
    """Page ``page`` (from 1) of ``stmt``'s rows, ``per_page`` of them, and how many rows it has
    in all: two statements. A statement of one entity pages its objects, a statement of several
    columns its rows."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = (result.scalars().unique().all() if len(stmt.column_descriptions) == 1
             else result.all())
    return Page(list(items), total or 0, page, per_page)


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
