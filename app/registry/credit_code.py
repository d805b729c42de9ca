"""统一社会信用代码 (unified social credit code, GB 32100-2015): normalisation and validation.

An 18-character code: registration-authority code (1), category code (1), administrative
division code (6), organisation code (9), check character (1). The alphabet is
``0-9 A-H J-N P-R T U W X Y`` (no I, O, S, V, Z), values 0..30. The weight of position i
(1-based) is 3^(i-1) mod 31; the check character is (31 - Σ value×weight mod 31) mod 31 over the
first 17 characters.

Framework-free: no Flask, no database. ``validate`` raises :class:`CreditCodeError` (a
``ValueError``) whose message is bilingual and whose ``reason`` is machine-readable.
"""
from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
# 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18

#: First character: 登记管理部门代码. 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游,
#: 7 宗教, 8 工会, 9 市场监管(工商), A 中央军委改革和编制办公室, N 农业, Y 其他.
AUTHORITY_CODES = frozenset("123456789ANY")
#: Second character: 机构类别代码, always a digit 1-9 in the published tables (checked loosely).
CATEGORY_CODES = frozenset("123456789")

_CONFUSABLE = {"I": "1", "O": "0", "S": "5", "V": "U", "Z": "2"}


class CreditCodeError(ValueError):
    """An invalid code. ``reason`` is one of ``empty``, ``length``, ``character``,
    ``authority``, ``category``, ``check``; ``expected`` is the correct check character when
    ``reason == "check"``."""

    def __init__(self, message: str, reason: str, *, position: int | None = None,
                 expected: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.position = position
        self.expected = expected


def normalize(code: str | None) -> str:
    """Strip, convert full-width characters to half-width (NFKC), drop inner whitespace,
    upper-case. ``None`` becomes ``""``. Does not guess at confusable letters (O/0, I/1)."""
    if code is None:
        return ""
    text = unicodedata.normalize("NFKC", str(code))
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The check character for the first 17 characters (already normalised and legal)."""
    if len(first17) < 17:
        raise ValueError("need 17 characters / 需要前 17 位")
    total = sum(VALUES[ch] * w for ch, w in zip(first17[:17], WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str | None) -> str:
    """Return the normalised code, or raise :class:`CreditCodeError` explaining what is wrong."""
    norm = normalize(code)
    if not norm:
        raise CreditCodeError("统一社会信用代码不能为空 / credit code is empty", "empty")
    if len(norm) != LENGTH:
        raise CreditCodeError(
            f"统一社会信用代码应为 18 位，实际 {len(norm)} 位 / "
            f"credit code must have 18 characters, got {len(norm)}", "length")
    for pos, ch in enumerate(norm, start=1):
        if ch not in VALUES:
            hint_zh = hint_en = ""
            if ch in _CONFUSABLE:
                hint_zh = f"（不使用字母 {ch}，是否应为 {_CONFUSABLE[ch]}？）"
                hint_en = f" (the letter {ch} is never used; did you mean {_CONFUSABLE[ch]}?)"
            raise CreditCodeError(
                f"统一社会信用代码第 {pos} 位含非法字符“{ch}”{hint_zh} / "
                f"illegal character {ch!r} at position {pos}{hint_en}", "character", position=pos)
    if norm[0] not in AUTHORITY_CODES:
        raise CreditCodeError(
            f"统一社会信用代码第 1 位（登记管理部门代码）“{norm[0]}”无效，应为 1-9、A、N 或 Y / "
            f"invalid registration-authority code {norm[0]!r} (must be 1-9, A, N or Y)",
            "authority", position=1)
    if norm[1] not in CATEGORY_CODES:
        raise CreditCodeError(
            f"统一社会信用代码第 2 位（机构类别代码）“{norm[1]}”无效，应为数字 1-9 / "
            f"invalid category code {norm[1]!r} (must be a digit 1-9)", "category", position=2)
    expected = check_char(norm[:17])
    if norm[17] != expected:
        raise CreditCodeError(
            f"统一社会信用代码校验位错误：第 18 位应为“{expected}”，实际为“{norm[17]}” / "
            f"wrong check character: expected {expected!r}, got {norm[17]!r}",
            "check", position=18, expected=expected)
    return norm


def is_valid(code: str | None) -> bool:
    """True when ``validate`` would accept the code."""
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True
