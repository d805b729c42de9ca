"""Characters no text field accepts, wherever text comes from (a request, an imported file).

* **NUL** (``\\x00``): PostgreSQL cannot store it in a text column (psycopg refuses it with a
  ``DataError``);
* **control characters** 0x01–0x1F other than TAB, LF and CR, and DEL (0x7F): nobody types
  them, and they end up in file names, ``Content-Disposition`` headers, PDFs and spreadsheets,
  where they break things (TAB, LF and CR are how multi-line text is written, so they stay);
* **lone surrogates** (a JSON ``"\\ud800"``): not Unicode text at all; no encoder writes them.

Framework-free: :mod:`app.core.inputs` applies it to every request, the registry import to every
cell.
"""
from __future__ import annotations

import re

NUL = "\x00"
MESSAGE = "不能包含 NUL（\\0）字符 / must not contain NUL (\\0) characters."
DETAIL = "以下位置含有 NUL（\\0）字符：{} / NUL (\\0) characters are not allowed in: {}"
CONTROL_MESSAGE = "不能包含控制字符（{}） / must not contain control characters ({})."
CONTROL_DETAIL = "以下位置含有控制字符：{} / Control characters are not allowed in: {}"
SURROGATE_MESSAGE = ("不是有效的 Unicode 文本（含有单独的代理字符 {}） / "
                     "is not valid Unicode text (a lone surrogate {}).")
SURROGATE_DETAIL = "以下位置不是有效的 Unicode 文本：{} / Not valid Unicode text in: {}"

#: NUL, the C0 controls except TAB/LF/CR, DEL, and the surrogate code points.
FAULTY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def text_fault(value: str) -> tuple[str, str] | None:
    """``(message, detail template)`` when ``value`` holds a character no text field accepts
    (see the module doc), else None. The message names the character, e.g. ``\\x01``; both are
    ``中文 / English``."""
    found = FAULTY.search(value)
    if found is None:
        return None
    char = found.group()
    if char == NUL:
        return MESSAGE, DETAIL
    shown = shown_char(char)
    if "\ud800" <= char <= "\udfff":
        return SURROGATE_MESSAGE.format(shown, shown), SURROGATE_DETAIL
    return CONTROL_MESSAGE.format(shown, shown), CONTROL_DETAIL


def shown_char(char: str) -> str:
    """A refused character written out: ``\\0``, ``\\x01``, ``\\ud800``."""
    if char == NUL:
        return "\\0"
    return f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"


def shown_text(text) -> str:
    """``text`` with every refused character written out (a field name fit for an answer)."""
    return FAULTY.sub(lambda m: shown_char(m.group()), str(text))
