"""The flask-smorest Blueprint every API module uses, and the webargs parser it reads with.

Given a schema class (``@blp.arguments(HazardCreateIn)``), webargs builds an instance of it for
every request it parses: the schema's fields copied, its hooks resolved, about 0.09 ms, several
times the cost of loading the arguments with it (issue 18). Loading keeps nothing on the
instance (``unknown`` and ``partial`` are arguments of ``load``), so one instance a class serves
every request; the OpenAPI document still sees the class each view names.
"""
from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser


class Parser(FlaskParser):
    """webargs' Flask parser, building each argument schema class once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint reading its arguments with :class:`Parser`."""

    ARGUMENTS_PARSER = Parser()
