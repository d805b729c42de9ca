"""A Chinese reader reads Chinese only, an English reader English only: every "中文 / English"
message is split by Accept-Language, in problems and in answers (the registry import's row
errors), however its English half starts (issue 11 item 10)."""
from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest

from app.core.i18n import localize, split_bilingual
from app.registry.credit_code import check_char

APP = Path(__file__).resolve().parents[1] / "app"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
#: Two English words in a row: English prose (single terms such as "ISO 8601" or "UUID" are fine).
ENGLISH_PROSE = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")
#: What makes a literal a bilingual message: Chinese, then "/ " and an English start.
BILINGUAL = re.compile(r"[\u3400-\u9fff\uff00-\uffef][^/]*/ [A-Za-z0-9'\"(]")


def _literals():
    """(place, text) of every string literal in app/ but docstrings; an f-string's
    placeholders read as "1" (a count, the most awkward start for an English half)."""
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                           ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "1"
                               for v in node.values)
            else:
                continue
            yield f"{path.relative_to(APP.parent)}:{node.lineno}", text


def test_every_bilingual_message_splits_into_one_language_each():
    mixed = []
    for place, text in _literals():
        if not BILINGUAL.search(text):
            continue
        halves = split_bilingual(text)
        if halves is None:
            mixed.append((place, "not split", text))
            continue
        chinese, english = halves
        if ENGLISH_PROSE.search(chinese):
            mixed.append((place, "English in the Chinese half", text))
        if CJK.search(english):
            mixed.append((place, "Chinese in the English half", text))
    assert not mixed, "\n".join(f"{p}: {why}: {t!r}" for p, why, t in mixed)


@pytest.mark.parametrize("text, chinese, english", [
    ("密码应为 8 到 256 个字符 / 8 to 256 characters.", "密码应为 8 到 256 个字符",
     "8 to 256 characters."),
    ("风险等级“紫”无法识别，应为 红/橙/黄/蓝（重大/较大/一般/低）/ unknown risk level '紫'",
     "风险等级“紫”无法识别，应为 红/橙/黄/蓝（重大/较大/一般/低）", "unknown risk level '紫'"),
    ("以下字段有误：name, title / The request has invalid fields: name, title",
     "以下字段有误：name, title", "The request has invalid fields: name, title"),
])
def test_the_separator_is_found_whatever_follows_it(text, chinese, english):
    assert localize(text, "zh-CN") == chinese
    assert localize(text, "en") == english


def test_a_slash_between_chinese_words_separates_nothing():
    for text in ("第 1 页 / 共 2 页", "红/橙/黄/蓝", "QR labels / 企业二维码标签"):
        assert split_bilingual(text) is None
        assert localize(text, "en") == text


# --------------------------------------------------------------------------- over HTTP
def _code(n: int) -> str:
    body = f"9135010{n:010d}"
    return body + check_char(body)


def test_import_row_errors_speak_the_readers_language(factory, client_for):
    factory.community("鼓东社区")
    admin = client_for(factory.user("admin"))
    good = _code(1)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = ("企业名称,统一社会信用代码,所属社区\r\n"
            f"校验位错误公司,{wrong},鼓东社区\r\n"
            f"无此社区公司,{_code(2)},Nowhere\r\n").encode()

    def messages(language):
        response = admin.post("/api/v1/enterprises/import?dry_run=true",
                              data={"file": (io.BytesIO(data), "名录.csv")},
                              content_type="multipart/form-data",
                              headers={"Accept-Language": language})
        assert response.status_code == 200, response.get_json()
        return {e["field"]: e["message"] for e in response.get_json()["errors"]}

    chinese = messages("zh-CN,zh;q=0.9")
    assert "校验位" in chinese["credit_code"] and "社区" in chinese["community"]
    for message in chinese.values():
        assert not ENGLISH_PROSE.search(message), message
        assert "wrong check character" not in message and "unknown community" not in message
    english = messages("en-US,en;q=0.9")
    assert "wrong check character" in english["credit_code"]
    assert english["community"] == "unknown community 'Nowhere'"
    for message in english.values():
        assert not CJK.search(message), message


def test_the_password_rule_speaks_the_readers_language(factory, client_for):
    admin = client_for(factory.user("admin"))
    body = {"username": "new-inspector", "password": "short", "role": "admin",
            "display_name": "新检查员"}

    def message(language):
        response = admin.post("/api/v1/users", json=body, headers={"Accept-Language": language})
        assert response.status_code == 422, response.get_json()
        return response.get_json()["errors"]["password"][0]

    assert message("zh-CN") == "密码应为 8 到 256 个字符"
    english = message("en")
    assert "8 to 256 characters" in english and not CJK.search(english)


def test_every_choice_label_speaks_one_language(app_ctx):
    """A label an English reader sees ("Unannounced", not "Unannounced (四不两直)"): the
    Chinese term lives in the zh label, and English words in the en label only."""
    from app.choices_api import all_choices

    mixed = [f"{name}.{choice['value']}: {choice['en']} / {choice['zh']}"
             for name, choices in all_choices().items() for choice in choices
             if CJK.search(choice["en"]) or re.search(r"[A-Za-z]{2,}", choice["zh"])]
    assert not mixed
