"""Language of answers: Simplified Chinese by default, English on request (Accept-Language).

Messages meant for people are written bilingual as ``"中文 / English"``; :func:`localize` keeps
the half the reader asked for. Marshmallow's stock field messages and the problem titles get
their Chinese here, so validation errors read naturally on a Chinese phone.
"""
from __future__ import annotations

import re

from flask import current_app, has_request_context, request

LANGUAGES = ("zh-CN", "en")
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")

TITLES_ZH = {
    400: "请求有误", 401: "需要登录", 403: "无权操作", 404: "未找到", 405: "不支持的请求方法",
    409: "冲突", 413: "内容过大", 415: "不支持的文件类型", 422: "内容有误", 429: "请求过于频繁",
    500: "服务器内部错误", 503: "服务暂不可用",
}

# Marshmallow/webargs stock messages (prefix → Chinese).
FIELD_MESSAGES_ZH = (
    ("Missing data for required field.", "必填项。"),
    ("Field may not be null.", "不能为空。"),
    ("Unknown field.", "不认识的字段。"),
    ("Not a valid string.", "应为文本。"),
    ("Not a valid integer.", "应为整数。"),
    ("Not a valid number.", "应为数字。"),
    ("Not a valid boolean.", "应为是/否。"),
    ("Not a valid datetime.", "应为带时区的日期时间（ISO 8601）。"),
    ("Not a valid date.", "应为日期（YYYY-MM-DD）。"),
    ("Not a valid UUID.", "应为 UUID。"),
    ("Not a valid list.", "应为列表。"),
    ("Not a valid mapping type.", "应为对象。"),
    ("Not a valid email address.", "邮箱地址无效。"),
    ("Invalid JSON body.", "JSON 格式错误。"),
    ("Invalid input type.", "类型错误。"),
    ("Must be one of:", "只能是以下之一："),
    ("Must be greater than or equal to", "应不小于"),
    ("Must be less than or equal to", "应不大于"),
    ("Length must be between", "长度应在范围内："),
    ("Shorter than minimum length", "长度不足："),
    ("Longer than maximum length", "超过最大长度："),
    ("Not a valid aware datetime.", "日期时间需带时区（如 +08:00）。"),
    ("Not a valid naive datetime.", "日期时间无效。"),
)


def best_language() -> str:
    default = current_app.config.get("DEFAULT_LOCALE", "zh-CN") if current_app else "zh-CN"
    if not has_request_context():
        return default
    header = request.accept_languages
    if not header:
        return default
    match = header.best_match(["zh-CN", "zh", "en"], default=default)
    return "en" if match == "en" else "zh-CN"


def localize(text: str, lang: str) -> str:
    """Pick one half of a bilingual ``"中文 / English"`` text; other texts pass through, with
    marshmallow's stock messages put into Chinese when Chinese is wanted."""
    if not isinstance(text, str):
        return text
    left, sep, right = text.partition(" / ")
    if sep and _CJK.search(left) and right[:1].isascii() and right[:1].isalpha():
        return left if lang != "en" else right
    if lang != "en":
        for english, chinese in FIELD_MESSAGES_ZH:
            if text.startswith(english):
                rest = text[len(english):].strip()
                return f"{chinese}{rest}" if rest else chinese
    return text


def localize_errors(errors: dict | None, lang: str) -> dict | None:
    if not errors:
        return errors
    return {field: [localize(m, lang) for m in msgs] for field, msgs in errors.items()}


def title_for(status: int, english: str, lang: str) -> str:
    if lang == "en":
        return english
    return TITLES_ZH.get(status, english)
