"""Language of answers: Simplified Chinese by default, English on request (Accept-Language).

Messages meant for people are written bilingual as ``"中文 / English"``; :func:`localize` keeps
the half the reader asked for, in problems and (:class:`LocalizedText`) in answers. Marshmallow's
stock field messages and the problem titles get their Chinese here, so validation errors read
naturally on a Chinese phone.
"""
from __future__ import annotations

import re

from flask import current_app, has_request_context, request
from marshmallow import fields

LANGUAGES = ("zh-CN", "en")
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
_SEPARATOR = re.compile(r" ?/ (?=[A-Za-z0-9'\"(\[])")

TITLES_ZH = {
    400: "请求有误", 401: "需要登录", 403: "无权操作", 404: "未找到", 405: "不支持的请求方法",
    408: "请求超时", 409: "冲突", 413: "内容过大", 415: "不支持的文件类型", 422: "内容有误",
    429: "请求过于频繁",
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
    ("Not a valid time.", "应为时间（HH:MM）。"),
    ("Not a valid URL.", "网址无效。"),
    ("Invalid value.", "取值无效。"),
    ("Invalid type.", "类型错误。"),
    ("Invalid input.", "输入无效。"),
    ("Not a valid tuple.", "应为列表。"),
    ("Not a valid utf-8 string.", "应为 UTF-8 文本。"),
    ("Number too large.", "数值过大。"),
    ("Special numeric values (nan or infinity) are not permitted.", "不接受 NaN 或无穷大。"),
    ("Not a valid period of time.", "时长无效。"),
    ("Not a valid IP address.", "IP 地址无效。"),
    ("String does not match expected pattern.", "格式不正确。"),
    ("Field may not be blank.", "不能为空。"),
)

_RANGE_OPS_ZH = {"greater than or equal to": "不小于", "greater than": "大于",
                 "less than or equal to": "不大于", "less than": "小于"}
_OP = "(greater than or equal to|greater than|less than or equal to|less than)"

# Marshmallow messages with values inside (validate.Range/Length/OneOf/Equal): whole-message
# patterns, tried before the prefixes above so the values land in a Chinese sentence.
FIELD_PATTERNS_ZH = (
    (re.compile(rf"^Must be {_OP} (.+?) and {_OP} (.+)\.$"),
     lambda m: f"应{_RANGE_OPS_ZH[m[1]]} {m[2]}，且{_RANGE_OPS_ZH[m[3]]} {m[4]}。"),
    (re.compile(rf"^Must be {_OP} (.+)\.$"), lambda m: f"应{_RANGE_OPS_ZH[m[1]]} {m[2]}。"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"),
     lambda m: f"长度应在 {m[1]} 到 {m[2]} 之间。"),
    (re.compile(r"^Length must be (\d+)\.$"), lambda m: f"长度应为 {m[1]}。"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), lambda m: f"长度不能少于 {m[1]}。"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), lambda m: f"长度不能超过 {m[1]}。"),
    (re.compile(r"^Must be one of: (.*?)\.?$"), lambda m: f"只能是以下之一：{m[1]}。"),
    (re.compile(r"^Must be equal to (.*?)\.$"), lambda m: f"应等于 {m[1]}。"),
    (re.compile(r"^One or more of the choices you made was not in: (.*?)\.$"),
     lambda m: f"有选项不在可选范围内：{m[1]}。"),
)

#: Chinese names of the records a message can be about ("Hazard not found.").
RECORD_NAMES_ZH = {
    "Hazard": "隐患", "HazardEvent": "隐患记录", "Inspection": "检查记录", "Enterprise": "企业",
    "Community": "社区", "Interview": "约谈", "Photo": "照片", "User": "用户",
    "Notification": "通知", "Escalation": "零容忍升级记录", "Campaign": "专项活动",
    "Activity": "活动", "Submission": "报送", "Plan": "检查计划", "PlanTask": "检查任务",
    "Tip": "举报", "Bulletin": "预警通知", "BulletinAttachment": "附件",
}


def record_name_zh(name: str) -> str:
    return RECORD_NAMES_ZH.get(name, "记录")


def best_language() -> str:
    default = current_app.config.get("DEFAULT_LOCALE", "zh-CN") if current_app else "zh-CN"
    if not has_request_context():
        return default
    header = request.accept_languages
    if not header:
        return default
    match = header.best_match(["zh-CN", "zh", "en"], default=default)
    return "en" if match == "en" else "zh-CN"


def split_bilingual(text: str) -> tuple[str, str] | None:
    """``(Chinese, English)`` of a ``"中文 / English"`` text, else None.

    The separator is the first `` / `` (or ``）/ `` after closing punctuation) with Chinese
    before it and an English start after it: a letter, a digit ("8 to 256 characters"), a
    quote or a bracket. A ``/`` inside Chinese (红/橙) or before more Chinese (第 1 页 / 共 2 页)
    separates nothing.
    """
    for match in _SEPARATOR.finditer(text):
        left, right = text[:match.start()], text[match.end():]
        if _CJK.search(left):
            return left.rstrip(), right
    return None


def localize(text: str, lang: str) -> str:
    """Pick one half of a bilingual ``"中文 / English"`` text; other texts pass through, with
    marshmallow's stock messages put into Chinese when Chinese is wanted."""
    if not isinstance(text, str):
        return text
    halves = split_bilingual(text)
    if halves:
        return halves[0] if lang != "en" else halves[1]
    if lang != "en":
        for pattern, chinese in FIELD_PATTERNS_ZH:
            match = pattern.match(text)
            if match:
                return chinese(match)
        for english, chinese in FIELD_MESSAGES_ZH:
            if text.startswith(english):
                rest = text[len(english):].strip()
                return f"{chinese}{rest}" if rest else chinese
    return text


class LocalizedText(fields.String):
    """Out: a ``"中文 / English"`` text in the reader's language (Accept-Language), like the
    messages of a problem; for messages an answer carries besides errors (an import's row
    errors, a hazard's warnings and blocked steps)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value if value is None else localize(value, best_language()),
                                  attr, obj, **kwargs)


def localize_errors(errors: dict | None, lang: str) -> dict | None:
    if not errors:
        return errors
    return {field: [localize(m, lang) for m in msgs] for field, msgs in errors.items()}


def title_for(status: int, english: str, lang: str) -> str:
    if lang == "en":
        return english
    return TITLES_ZH.get(status, english)
