"""What every import of an uploaded table (CSV/XLSX: 企业名录, 检查表) shares: the upload and its
``?dry_run``, and the report it answers with. The domain reads the table and decides each
record's fate; the report counts them.

A report names, per record the file holds, what became of it (``created``, ``updated``,
``unchanged``; a domain may add its own, such as ``invalid``, counted nowhere), each bad row's
``{line, field, message}``, and the file's columns nobody reads. With ``dry_run`` it is the same
report and nothing is written, so the dry run shows exactly what the import will do.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from app.core.i18n import LocalizedText
from app.errors import Invalid

#: The results a report counts (each its own figure in the answer).
COUNTED = ("created", "updated", "unchanged")


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: one dict per record of the file, with its ``result`` (answered as ``rows``, ``checklists``)
    outcomes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)

    @classmethod
    def of(cls, table, *, dry_run: bool) -> ImportReport:
        """The empty report of an import of ``table`` (a parsed table with ``ignored_headers``)."""
        return cls(dry_run=dry_run, ignored_columns=list(table.ignored_headers))

    def add(self, outcome: dict, result: str) -> dict:
        """Record ``outcome`` as ``result`` (and count it, when it is one of :data:`COUNTED`)."""
        if result in COUNTED:
            setattr(self, result, getattr(self, result) + 1)
        outcome["result"] = result
        self.outcomes.append(outcome)
        return outcome


def uploaded_bytes(upload) -> bytes:
    """The bytes of an import's uploaded ``file``; 422 naming it when it is empty."""
    data = upload.read()
    if not data:
        raise Invalid("文件为空 / the file is empty.", field="file")
    return data


# --------------------------------------------------------------------------------------------
# Schemas

class ImportFile(Schema):
    file = Upload(required=True, metadata={"description": "CSV (UTF-8 or GBK) or XLSX"})


class ImportArgs(Schema):
    dry_run = fields.Boolean(load_default=False,
                             metadata={"description": "check and report, change nothing"})


class ImportRowError(Schema):
    line = fields.Integer()
    field = fields.String(allow_none=True)
    message = LocalizedText(metadata={"description": "in the reader's language"})


class ImportReportOut(Schema):
    """The figures and errors of every import's answer; a domain's answer adds its outcomes
    (``attribute="outcomes"``)."""

    dry_run = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(ImportRowError))
    ignored_columns = fields.List(fields.String())
