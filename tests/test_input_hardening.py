"""Inputs the attack round (issue 12) turned into 5xx or silent truncation: JSON nested ~990 deep,
lone surrogates, control characters, ``version: 1.5``, CSV cells starting with TAB or CR, and the
rules the OpenAPI document must state. Each is a 4xx problem+json naming the field (or a guarded
cell) and changes nothing."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest

from app.core.inputs import MAX_JSON_DEPTH
from app.documents.cells import guard_formula
from app.documents.spreadsheet import write_csv
from tests.test_bad_input import refused
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

JSON = {"Content-Type": "application/json"}


# --------------------------------------------------------------------------- nesting
@pytest.mark.parametrize("depth", [990, 5000, MAX_JSON_DEPTH + 1])
def test_deeply_nested_json_is_a_400_before_login(app, client, depth):
    body = "[" * depth + "]" * depth
    refused(app, lambda: client.post("/api/v1/auth/login", data=body, headers=JSON), 400,
            "json")
    nested = '{"username":' * depth + '"x"' + "}" * depth
    refused(app, lambda: client.post("/api/v1/auth/login", data=nested, headers=JSON), 400,
            "json")


def test_json_as_deep_as_allowed_still_reaches_the_schema(app, client):
    depth = MAX_JSON_DEPTH
    body = '{"username": "a", "password": "b", "x": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    response = client.post("/api/v1/auth/login", data=body, headers=JSON)
    assert response.status_code in (401, 422), response.get_json()


# --------------------------------------------------------------------------- surrogates
LONE = '"a\\ud800b"'   # JSON text: a lone high surrogate, which json.loads lets through


def test_a_lone_surrogate_in_the_login_is_422_naming_the_field(app, client):
    for field in ("username", "password"):
        other = "password" if field == "username" else "username"
        data = '{"%s": %s, "%s": "x"}' % (field, LONE, other)
        body = refused(app, partial(client.post, "/api/v1/auth/login", data=data, headers=JSON),
                       422, field)
        assert "\\ud800" in body["errors"][field][0]


def test_a_lone_surrogate_anywhere_in_a_body_is_422_naming_its_path(world):
    inspector = world.client("inspector")
    hazard = world.create_hazard()
    supervisor = world.client("supervisor")
    admin = world.client("admin")
    cases = [
        (inspector, "POST", "/api/v1/hazards",
         '{"enterprise_id": "%s", "title": %s}' % (world.enterprise.id, LONE), "title"),
        (inspector, "PATCH", f"/api/v1/hazards/{hazard['id']}",
         '{"version": 1, "description": %s}' % LONE, "description"),
        (inspector, "POST", f"/api/v1/hazards/{hazard['id']}/transitions",
         '{"action": "acknowledge", "version": 1, "note": %s}' % LONE, "note"),
        (admin, "PATCH", f"/api/v1/enterprises/{world.enterprise.id}",
         '{"version": 1, "name": %s}' % LONE, "name"),
        (supervisor, "POST", "/api/v1/interviews",
         '{"enterprise_id": "%s", "situation": "x", "departments": ["a", %s]}'
         % (world.enterprise.id, LONE), "departments.1"),
        (inspector, "POST", "/api/v1/inspections", '{"kind": "routine", %s: 1}' % LONE,
         "a\\ud800b"),
        (inspector, "POST", "/api/v1/auth/password",
         '{"old_password": %s, "new_password": "x"}' % LONE, "old_password"),
    ]
    for client, method, url, data, field in cases:
        refused(world.app, partial(client.open, method, url, data=data, headers=JSON), 422, field)


# --------------------------------------------------------------------------- control characters
@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_control_characters_in_text_are_422_naming_the_field(world, char):
    inspector = world.client("inspector")
    refused(world.app, lambda: inspector.post("/api/v1/hazards", json=world.hazard_body(
        description=f"线路{char}裸露")), 422, "description")
    refused(world.app, lambda: inspector.get(f"/api/v1/hazards?q=a{char}"), 422, "q")


def test_tab_newline_and_carriage_return_stay_allowed_in_text(world):
    hazard = world.create_hazard(description="第一行\r\n第二行\t（附注）")
    assert hazard["description"] == "第一行\r\n第二行\t（附注）"


# --------------------------------------------------------------------------- strict integers
@pytest.mark.parametrize("version", [1.5, "1", True, 1.0])
def test_a_version_that_is_not_a_whole_json_number_is_422(world, version):
    hazard = world.create_hazard()
    world.client("officer")
    refused(world.app, lambda: world.act(hazard["id"], "acknowledge", "officer",
                                         version=version), 422, "version")
    refused(world.app, lambda: world.client("inspector").patch(
        f"/api/v1/hazards/{hazard['id']}", json={"version": version, "title": "新标题"}),
        422, "version")
    inspector = world.client("inspector")
    inspection = inspector.post("/api/v1/inspections", json={
        "enterprise_id": world.enterprise.id, "kind": "routine",
        "started_at": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()})
    assert inspection.status_code == 201, inspection.get_json()
    refused(world.app, lambda: inspector.patch(
        f"/api/v1/inspections/{inspection.get_json()['id']}",
        json={"version": version, "ended_at": datetime.now(timezone.utc).isoformat()}),
        422, "version")
    assert world.hazard(hazard["id"])["state"] == "reported"


# --------------------------------------------------------------------------- CSV formula guard
@pytest.mark.parametrize("text, guarded", [
    ("=1+1", "'=1+1"), ("+1+cmd", "'+1+cmd"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("\tplain", "'\tplain"),
    ("-5", "-5"), ("+86 138", "+86 138"), ("配电箱", "配电箱"), ("", ""),
])
def test_one_formula_guard(text, guarded):
    assert guard_formula(text) == guarded
    cell = write_csv([{"x": text}], [("x", "X")])[3:].decode().split("\r\n", 1)[1]
    assert next(csv.reader(io.StringIO(cell))) == ([guarded] if text else [""])


def test_ledger_csv_cells_starting_with_tab_or_cr_are_guarded(world):
    hazard = world.create_hazard(description="\t=HYPERLINK(\"http://evil\")",
                                 place="\r@SUM(A1)")
    response = world.client("supervisor").get("/api/v1/reports/hazard-ledger.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data[3:].decode("utf-8"), newline="")))
    header, row = rows[0], next(r for r in rows if r[-1] == hazard["id"])
    record = dict(zip(header, row, strict=True))
    assert record["隐患描述"] == "'\t=HYPERLINK(\"http://evil\")"
    assert record["隐患地点"] == "'\r@SUM(A1)"


# --------------------------------------------------------------------------- OpenAPI
def test_the_openapi_document_states_the_input_rules(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    description = spec["info"]["description"]
    for words in ("NUL", "control characters", "surrogate", "1900–2200", "1,000,000",
                  f"{MAX_JSON_DEPTH} levels"):
        assert words in description, words
    schemas = spec["components"]["schemas"]
    for schema, field in (("HazardCreateIn", "found_at"), ("HazardCreateIn", "deadline"),
                          ("InspectionFinishIn", "ended_at")):
        prop = schemas[schema]["properties"][field]
        assert prop["x-year-minimum"] == 1900 and prop["x-year-maximum"] == 2200, prop
        assert "1900–2200" in prop["description"]
    params = {p["name"]: p for p in spec["paths"]["/api/v1/dashboard"]["get"]["parameters"]}
    assert params["from"]["schema"]["x-year-minimum"] == 1900, params["from"]
