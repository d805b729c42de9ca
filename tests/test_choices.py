"""Choice sets: the one type (app.core.choices) and GET /api/v1/choices, which holds every set."""
from __future__ import annotations

import pytest

import config
from app.core.choices import Choice, ChoiceSet, label_key
from app.hazards.choices import configured_categories

SETS = ("hazard_states", "hazard_levels", "hazard_categories", "hazard_actions", "hazard_sources",
        "photo_kinds", "governance_plan_fields", "extension_states", "extension_actions",
        "listing_states", "evidence_flags", "inspection_kinds", "answer_results", "risk_levels",
        "industries",
        "interview_states", "interview_actions", "escalation_rules", "notification_kinds",
        "roles", "activity_kinds", "activity_states", "activity_actions", "campaign_phases",
        "submission_statuses", "tip_states", "tip_actions", "tip_decline_reasons",
        "bulletin_kinds", "receipt_states", "bulletin_actions", "plan_states", "plan_actions",
        "task_states", "task_actions")

FRUIT = ChoiceSet("水果", "fruit", [
    Choice("apple", "苹果", "Apple", "#ff0000"),
    Choice("pear", "梨", "Pear"),
    Choice("plum", "李子", "Plum", order=-1),
])


# --------------------------------------------------------------------------- the endpoint
def test_every_set_is_served_without_login_in_display_order(client, app):
    response = client.get("/api/v1/choices")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == set(SETS) | {"deadline_days"}
    assert body["deadline_days"] == {"general": app.config["DEADLINE_DAYS_GENERAL"],
                                     "major": app.config["DEADLINE_DAYS_MAJOR"]}
    for name in SETS:
        assert body[name], name
        for item in body[name]:
            assert set(item) <= {"value", "zh", "en", "color"}, (name, item)
            assert item["value"] and item["zh"] and item["en"], (name, item)
    assert [s["value"] for s in body["hazard_states"]] == [
        "reported", "rectifying", "submitted", "verified", "closed", "archived"]
    assert body["hazard_states"][0] == {"value": "reported", "zh": "已登记", "en": "Reported",
                                        "color": "#d32f2f"}
    assert body["hazard_sources"] == [
        {"value": "inspection", "zh": "检查发现", "en": "Found on inspection"},
        {"value": "self", "zh": "企业自查", "en": "Self-inspection"},
        {"value": "tip", "zh": "群众举报", "en": "Public report"}]
    assert [r["value"] for r in body["risk_levels"]] == ["red", "orange", "yellow", "blue"]
    assert [r["value"] for r in body["escalation_rules"]] == ["R1", "R2", "R3", "R4"]
    assert {"value": "officer", "zh": "企业安全员", "en": "Enterprise safety officer"} \
        in body["roles"]
    assert [c["value"] for c in body["hazard_categories"]] == app.config["HAZARD_CATEGORIES"]
    assert [i["value"] for i in body["industries"]] == app.config["INDUSTRIES"]
    # Nothing without a colour pretends to have one.
    assert "color" not in body["photo_kinds"][0]


def test_configured_sets_follow_the_configuration(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "HAZARD_CATEGORIES", ["gas", "ladders", "fire"])
    monkeypatch.setitem(app.config, "INDUSTRIES", ["other", "catering"])
    body = client.get("/api/v1/choices").get_json()
    assert body["hazard_categories"] == [
        {"value": "gas", "zh": "燃气安全", "en": "Gas"},
        {"value": "ladders", "zh": "ladders", "en": "ladders"},
        {"value": "fire", "zh": "消防安全", "en": "Fire safety"}]
    assert body["industries"] == [{"value": "other", "zh": "其他", "en": "Other"},
                                  {"value": "catering", "zh": "餐饮", "en": "Catering"}]


def test_the_endpoint_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/choices"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][name]["properties"]) == set(SETS) | {"deadline_days"}


# --------------------------------------------------------------------------- the type
def test_a_set_iterates_its_values_in_display_order():
    assert list(FRUIT) == ["plum", "apple", "pear"] == list(FRUIT.values)
    assert "pear" in FRUIT and "kiwi" not in FRUIT and len(FRUIT) == 3
    assert FRUIT["apple"].color == "#ff0000" and FRUIT.get("kiwi") is None
    assert FRUIT.as_list()[1] == {"value": "apple", "zh": "苹果", "en": "Apple",
                                  "color": "#ff0000"}
    assert FRUIT.as_dict()["pear"] == {"zh": "梨", "en": "Pear"}


def test_labels_in_either_language_and_unknown_values_by_themselves(app):
    assert FRUIT.label("apple", "zh") == "苹果" and FRUIT.label("apple", "zh-CN") == "苹果"
    assert FRUIT.label("apple", "en") == "Apple"
    assert FRUIT.label("kiwi", "zh") == "kiwi" and FRUIT.label(None) == ""
    assert FRUIT.labels("kiwi") == {"zh": "kiwi", "en": "kiwi"}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert FRUIT.label("pear") == "Pear"
    with app.test_request_context(headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        assert FRUIT.label("pear") == "梨"
    with app.test_request_context():
        assert FRUIT.label("pear") == "梨"  # DEFAULT_LOCALE


@pytest.mark.parametrize("text", ["apple", "APPLE", " Apple ", "ａｐｐｌｅ", "苹果", "苹 果"])
def test_parse_takes_the_value_or_either_label(text):
    assert FRUIT.parse(text) == "apple"


def test_parse_refuses_what_names_nothing_and_prefers_values():
    assert FRUIT.parse("kiwi") is None and FRUIT.parse("") is None and FRUIT.parse(None) is None
    tricky = ChoiceSet("x", "x", [Choice("a", "b", "B"), Choice("b", "乙", "Bee")])
    assert tricky.parse("b") == "b"  # a value wins over another member's label
    assert label_key(" Ｆｉｒｅ  Safety ") == "firesafety"


def test_the_refusal_names_the_values_with_their_labels():
    restricted = FRUIT.restricted_to(["apple", "kiwi"])
    message = restricted.unknown_message("梨子")
    zh, en = message.split(" / ")
    assert zh == "未知的水果“梨子”，可选：apple（苹果）、kiwi"
    assert en == "Unknown fruit '梨子'; use one of: apple (Apple), kiwi."


def test_configured_sets_keep_the_configured_order_and_config_labels():
    configured = FRUIT.from_config(["pear", "kiwi", "apple"],
                                   {"kiwi": ("猕猴桃", "Kiwi"), "pear": ("雪梨", "")})
    assert configured.as_list() == [
        {"value": "pear", "zh": "雪梨", "en": "Pear"},
        {"value": "kiwi", "zh": "猕猴桃", "en": "Kiwi"},
        {"value": "apple", "zh": "苹果", "en": "Apple", "color": "#ff0000"}]
    assert configured.parse("猕猴桃") == "kiwi"
    assert FRUIT.from_config(["pear", "kiwi", "apple"],
                             {"kiwi": ("猕猴桃", "Kiwi"), "pear": ("雪梨", "")}) is configured
    assert FRUIT.restricted_to(["kiwi"]).as_list() == [{"value": "kiwi", "zh": "kiwi",
                                                       "en": "kiwi"}]
    # A value no longer configured is refused as input, but old records still read well.
    kiwi_only = FRUIT.restricted_to(["kiwi"])
    assert "apple" not in kiwi_only and kiwi_only.parse("apple") is None
    assert kiwi_only.label("apple", "zh") == "苹果" and kiwi_only.color("apple") == "#ff0000"


# --------------------------------------------------------------------------- configuration
def test_labels_of_configured_codes_come_from_config(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "HAZARD_CATEGORIES", ["fire", "ladders"])
    monkeypatch.setitem(app.config, "HAZARD_CATEGORY_LABELS", {"ladders": ("梯子作业", "Ladders")})
    monkeypatch.setitem(app.config, "INDUSTRY_LABELS", {"other": ("其他行业", "")})
    body = client.get("/api/v1/choices").get_json()
    assert body["hazard_categories"] == [
        {"value": "fire", "zh": "消防安全", "en": "Fire safety"},
        {"value": "ladders", "zh": "梯子作业", "en": "Ladders"}]
    assert {"value": "other", "zh": "其他行业", "en": "Other"} in body["industries"]
    with app.test_request_context():
        assert configured_categories().parse("梯子 作业") == "ladders"


def test_config_reads_label_entries(monkeypatch):
    monkeypatch.setenv("HAZARD_CATEGORY_LABELS", "ladders:梯子作业:Ladders, kiln：窑炉 ,bare")
    assert config._env_labels("HAZARD_CATEGORY_LABELS") == {
        "ladders": ("梯子作业", "Ladders"), "kiln": ("窑炉", ""), "bare": ("", "")}
    monkeypatch.delenv("HAZARD_CATEGORY_LABELS")
    assert config._env_labels("HAZARD_CATEGORY_LABELS") == {}
