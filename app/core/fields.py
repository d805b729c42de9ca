"""Fields and small schemas every domain's schemas share: ids, bounded dates and times, page
numbers, positions.

Bounds (part of the contract; a value outside them is a 422 naming the field):

* **Dates and times** fall in the years :data:`MIN_YEAR`–:data:`MAX_YEAR` (1900–2200), read in
  the offset they were written with. Nothing in 安全生产 work happens outside them, and the bound
  keeps every later step safe: converting to UTC, adding a deadline's days or a whole day, and
  storing on either engine (Python's ``datetime`` ends at year 1 and 9999, where ``0001-01-01
  T00:00+08:00`` or ``9999-12-31T23:00-05:00`` cannot even be expressed in UTC).
* **Page numbers** run from 1 to :data:`MAX_PAGE` (one million): with any ``per_page`` the
  offset stays far inside a 64-bit integer, which both engines need.

Output schemas keep marshmallow's own fields, except :class:`UtcDateTime` (times out in UTC) and
:class:`LocationOut`; the rest are for what comes in. An output schema whose ``pre_dump`` makes
a dict of what it shows derives from :class:`DictOut`.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from marshmallow import Schema, ValidationError, fields, missing, validate

from app.core.timeutil import SHANGHAI, as_utc

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


class UUIDStr(fields.UUID):
    """A UUID in, its canonical lower-case string out (ids are stored as strings)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


class UtcDateTime(fields.AwareDateTime):
    """Out: ISO 8601 in UTC with its offset, however the value was given (stored UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            value = value.astimezone(timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class DateOrDateTime(fields.Field):
    """An ISO 8601 datetime with offset, or a plain date meaning a whole day in Asia/Shanghai
    (its start, or with ``end_of_day`` its last second), in the years allowed by
    :mod:`app.core.fields`. Loads aware UTC."""

    default_error_messages = {"invalid": "应为日期或带时区的日期时间（ISO 8601） / "
                                        "Not an ISO 8601 date or datetime with offset."}

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        kwargs.setdefault("metadata", {}).setdefault("format", "date-time")
        super().__init__(**year_bounded(kwargs))

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()
        try:
            if len(text) == 10:
                day = check_year(date.fromisoformat(text))
                wall = time(23, 59, 59) if self.end_of_day else time(0, 0)
                return as_utc(datetime.combine(day, wall, tzinfo=SHANGHAI))
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.make_error("invalid") from None
        if parsed.tzinfo is None:
            raise ValidationError("日期时间需带时区（如 +08:00） / "
                                  "A datetime needs its UTC offset (e.g. +08:00).")
        return as_utc(check_year(parsed))

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None


class LocationIn(Schema):
    """A WGS-84 position as the browser's geolocation gives it (accuracy in metres)."""

    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100_000))


class LocationOut(Schema):
    lat = fields.Float()
    lng = fields.Float()
    accuracy = fields.Float(allow_none=True)


def location_of(record) -> dict | None:
    """``{lat, lng, accuracy}`` of a record with ``lat``/``lng``/``accuracy_m`` columns."""
    if record.lat is None or record.lng is None:
        return None
    return {"lat": record.lat, "lng": record.lng, "accuracy": record.accuracy_m}


class DictOut(Schema):
    """An output schema dumping dicts (what its ``pre_dump`` made, or an operation's rows) with
    the fields' own formatting, its values taken straight by key. Marshmallow reaches each value
    through five calls meant for any object and dotted paths: for the pages of a list (twenty
    fields of twenty items) that cost more than everything else the answer does with them.

    Whatever is not a plain key of a dict (a dotted ``attribute``, a key it lacks, a field that
    finds its own value) goes marshmallow's way, so the answer is the same either way."""

    def _serialize(self, obj, *, many: bool = False):
        if many and obj is not None:
            return [self._serialize(item) for item in obj]
        if type(obj) is not dict:
            return super()._serialize(obj)
        out = self.dict_class()
        for name, key, field, out_key in self._dump_plan():
            if key is not None and key in obj:
                out[out_key] = field._serialize(obj[key], name, obj)
                continue
            value = field.serialize(name, obj, accessor=self.get_attribute)
            if value is not missing:
                out[out_key] = value
        return out

    def _dump_plan(self) -> list[tuple]:
        """``(name, key or None, field, key in the answer)`` of each field dumped."""
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self.__dict__["_plan"] = [
                (name, _plain_key(name, field), field,
                 field.data_key if field.data_key is not None else name)
                for name, field in self.dump_fields.items()]
        return plan


def _plain_key(name: str, field: fields.Field) -> str | None:
    """The dict key a field's value is read from, when marshmallow would read it that way: the
    field takes its value from the object (its ``serialize`` and ``get_value`` are
    marshmallow's), by a key without a dot."""
    key = name if field.attribute is None else field.attribute
    plain = (field._CHECK_ATTRIBUTE and type(field).serialize is fields.Field.serialize
             and type(field).get_value is fields.Field.get_value and "." not in key)
    return key if plain else None

