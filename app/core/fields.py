"""Input fields every domain's schemas share: bounded dates and times, and page numbers.

Bounds (part of the contract; a value outside them is a 422 naming the field):

* **Dates and times** fall in the years :data:`MIN_YEAR`–:data:`MAX_YEAR` (1900–2200), read in
  the offset they were written with. Nothing in 安全生产 work happens outside them, and the bound
  keeps every later step safe: converting to UTC, adding a deadline's days or a whole day, and
  storing on either engine (Python's ``datetime`` ends at year 1 and 9999, where ``0001-01-01
  T00:00+08:00`` or ``9999-12-31T23:00-05:00`` cannot even be expressed in UTC).
* **Page numbers** run from 1 to :data:`MAX_PAGE` (one million): with any ``per_page`` the
  offset stays far inside a 64-bit integer, which both engines need.

Output schemas keep marshmallow's own fields; these are for what comes in.
"""
from __future__ import annotations

from datetime import date, datetime

from marshmallow import ValidationError, fields, validate

MIN_YEAR = 1900
MAX_YEAR = 2200
MAX_PAGE = 1_000_000

YEAR_RANGE_MESSAGE = (f"日期应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间 / "
                      f"Dates must fall in the years {MIN_YEAR} to {MAX_YEAR}.")


#: What the OpenAPI document says of every bounded date or time field (a string format cannot
#: carry a minimum): appended to the field's description, and as ``x-year-minimum/maximum``.
YEAR_RANGE_DOC = f"years {MIN_YEAR}–{MAX_YEAR} only (年份 {MIN_YEAR}–{MAX_YEAR})"


def year_bounded(kwargs: dict) -> dict:
    """``kwargs`` of a date or time field with the year bounds written into its metadata."""
    metadata = dict(kwargs.get("metadata") or {})
    description = metadata.get("description")
    metadata["description"] = f"{description}; {YEAR_RANGE_DOC}" if description else YEAR_RANGE_DOC
    metadata.setdefault("x-year-minimum", MIN_YEAR)
    metadata.setdefault("x-year-maximum", MAX_YEAR)
    return {**kwargs, "metadata": metadata}


def year_in_range(value: date | datetime) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def check_year(value):
    """Raise the field's ValidationError when a date or datetime is outside the years allowed."""
    if value is not None and not year_in_range(value):
        raise ValidationError(YEAR_RANGE_MESSAGE)
    return value


class AwareDateTime(fields.AwareDateTime):
    """ISO 8601 with its UTC offset, in the years :data:`MIN_YEAR`–:data:`MAX_YEAR`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **year_bounded(kwargs))

    def _deserialize(self, value, attr, data, **kwargs):
        return check_year(super()._deserialize(value, attr, data, **kwargs))


class Date(fields.Date):
    """``YYYY-MM-DD`` in the years :data:`MIN_YEAR`–:data:`MAX_YEAR`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **year_bounded(kwargs))

    def _deserialize(self, value, attr, data, **kwargs):
        return check_year(super()._deserialize(value, attr, data, **kwargs))


class PageNumber(fields.Integer):
    """``page``: 1 (the default) to :data:`MAX_PAGE`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("load_default", 1)
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_PAGE))
        super().__init__(**kwargs)


class PerPage(fields.Integer):
    """``per_page``: 1 to ``maximum`` items, ``default`` when absent."""

    def __init__(self, maximum: int, default: int | None = None, **kwargs):
        if default is not None:
            kwargs.setdefault("load_default", default)
        kwargs.setdefault("validate", validate.Range(min=1, max=maximum))
        super().__init__(**kwargs)
