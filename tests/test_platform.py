"""Factory, configuration, the one error path, OpenAPI, health and security headers."""
import json

import pytest

from app import create_app
from config import Config, DevelopmentConfig, ProductionConfig, TestingConfig


def test_config_classes_have_working_defaults():
    assert Config.SQLALCHEMY_DATABASE_URI
    assert DevelopmentConfig.SESSION_COOKIE_SECURE is False
    assert ProductionConfig.SESSION_COOKIE_SECURE is True and ProductionConfig.HSTS is True
    assert TestingConfig.TESTING is True
    assert Config.CHECKIN_RADIUS_M > 0


def test_database_url_is_normalised_to_psycopg3(monkeypatch):
    import importlib

    import config as config_module
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/anxun")
    reloaded = importlib.reload(config_module)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u:p@db:5432/anxun"
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(config_module)


def test_create_app_takes_a_mapping(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "TESTING": True})
    assert app.config["TESTING"] is True
    assert "auth" in app.blueprints


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def _is_problem(response, status):
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.data)
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"]
    return body


def test_unknown_route_is_problem_json(client):
    _is_problem(client.get("/api/v1/no-such-thing"), 404)


def test_wrong_method_is_problem_json(client):
    body = _is_problem(client.get("/api/v1/auth/login"), 405)
    assert "GET" in body["detail"]


def test_bad_json_is_400_problem(client):
    response = client.post("/api/v1/auth/login", data="{not json",
                           headers={"Content-Type": "application/json"})
    body = _is_problem(response, 400)
    assert body.get("errors")


def test_missing_field_names_the_field(client):
    body = _is_problem(client.post("/api/v1/auth/login", json={"username": "x"}), 422)
    assert "password" in body["errors"]


def test_oversize_body_is_413_problem(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/auth/login", data=b"x" * (limit + 1),
                           headers={"Content-Type": "application/json"})
    _is_problem(response, 413)


def test_unexpected_exception_is_problem_500(app):
    # An app of its own: adding a route to the shared app after its first request is refused.
    from tests.conftest import make_config
    broken = create_app(make_config("sqlite://", "/tmp"))

    @broken.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    response = broken.test_client().get("/boom")
    body = _is_problem(response, 500)
    assert "kaput" not in body["detail"]  # internals are logged, not shown


def test_openapi_document_and_docs(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/login" in spec["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.data.lower()


def test_security_headers_on_every_answer(client):
    for response in (client.get("/healthz"), client.get("/api/v1/nothing")):
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_hsts_outside_development(database_url, media_dir):
    from tests.conftest import make_config
    prod = create_app(make_config(database_url, media_dir, HSTS=True,
                                  SESSION_COOKIE_SECURE=True))
    response = prod.test_client().get("/healthz")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("path", ["/api/v1/auth/me"])
def test_api_answers_are_not_cached(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_errors_speak_chinese_by_default_and_english_on_request(client):
    zh = client.post("/api/v1/auth/login", json={"username": "x"}).get_json()
    assert zh["title"] == "内容有误" and zh["errors"]["password"] == ["必填项。"]
    en = client.post("/api/v1/auth/login", json={"username": "x"},
                     headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()
    assert en["title"] != "内容有误" and en["errors"]["password"] == [
        "Missing data for required field."]


def test_bilingual_details_keep_the_readers_half(client, factory):
    user = factory.user("inspector")
    for _ in range(10):
        client.raw.post("/api/v1/auth/login", json={"username": user.username, "password": "bad"})
    zh = client.raw.post("/api/v1/auth/login", json={"username": user.username, "password": "b"})
    en = client.raw.post("/api/v1/auth/login", json={"username": user.username, "password": "b"},
                         headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 429
    assert zh.get_json()["detail"].startswith("登录失败次数过多")
    assert " / " not in zh.get_json()["detail"]
    assert en.get_json()["detail"].startswith("Too many failed logins")


def _argument_schemas(app) -> set[type]:
    """The schema classes the views read their arguments with (flask-smorest's docs of each)."""
    return {parameter["schema"] for view in app.view_functions.values()
            for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
            if isinstance(parameter["schema"], type)}


def test_argument_schemas_are_not_built_per_request(app, client_for, factory, monkeypatch):
    """Issue 18: given a schema class, webargs would build it anew for every request (~0.09 ms);
    every API blueprint reads with app.core.blueprints.Parser, which builds each class once."""
    import marshmallow as ma
    from flask_smorest import Blueprint as SmorestBlueprint  # noqa: TID251 - to find them all

    from app.core.blueprints import Parser

    smorest = [bp for bp in app.blueprints.values() if isinstance(bp, SmorestBlueprint)]
    assert len(smorest) > 10
    for blueprint in smorest:
        assert isinstance(blueprint.ARGUMENTS_PARSER, Parser), blueprint.name
    classes = _argument_schemas(app)
    assert len(classes) > 20

    built = []
    schema_init = ma.Schema.__init__

    def counting_init(self, *args, **kwargs):
        if type(self) in classes:
            built.append(type(self).__name__)
        schema_init(self, *args, **kwargs)

    admin = client_for(factory.user("admin"))
    monkeypatch.setattr(ma.Schema, "__init__", counting_init)
    reads = [("GET", "/api/v1/hazards?per_page=5&state=reported"),
             ("GET", "/api/v1/enterprises?per_page=5"),
             ("GET", "/api/v1/communities"),
             ("POST", "/api/v1/hazards"), ("POST", "/api/v1/enterprises")]

    def answers():
        return [(admin.get(path) if method == "GET" else admin.post(path, json={})).status_code
                for method, path in reads]

    first = answers()
    assert first == [200, 200, 200, 422, 422]
    built.clear()
    assert answers() == first
    assert built == []
