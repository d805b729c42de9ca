"""Request bodies with files: the webargs parser and the flask-smorest Blueprint that read
them, so that an upload is one schema (and one request body in the OpenAPI document).

Locations added to webargs' own:

* ``multipart``: the form fields and the files of one ``multipart/form-data`` body;
* ``json_or_multipart``: the same for a multipart body, else the JSON body (a public report
  comes as JSON, or as multipart when it carries images).
"""
from __future__ import annotations

from werkzeug.datastructures import CombinedMultiDict

from app.core.blueprints import Blueprint, Parser


class MultipartParser(Parser):
    __location_map__ = dict(multipart="load_multipart",
                            json_or_multipart="load_json_or_multipart",
                            **Parser.__location_map__)
    DEFAULT_UNKNOWN_BY_LOCATION = {**Parser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "multipart": None, "json_or_multipart": None}

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)

    def load_json_or_multipart(self, req, schema):
        if req.mimetype == "multipart/form-data":
            return self.load_multipart(req, schema)
        return self.load_json(req, schema)


class MultipartBlueprint(Blueprint):
    """A Blueprint whose views may read ``location="multipart"`` (or ``json_or_multipart``)."""

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data", "json_or_multipart": "multipart/form-data"}
