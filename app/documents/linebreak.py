"""Chinese line breaking (禁则, kinsoku) for reportlab paragraphs.

reportlab's ``wordWrap='CJK'`` breaks between any two characters and knows only part of the
rule: its list of characters that may not start a line lacks ，；：？！》” and the like, and it
hangs at most one of them, so 「《安全生产法》，」 at a line end still starts the next line with
，. :class:`ChineseParagraph` breaks lines itself (GB/T 15834, W3C clreq):

* no line starts with closing punctuation (:data:`CANNOT_START`), none ends with opening
  punctuation (:data:`CANNOT_END`): the break moves back until both hold;
* a run of Latin letters and digits (a 统一社会信用代码, a date, a number with its unit) is not
  cut unless it is longer than a whole line;
* spaces at a break are dropped from the start of the next line.

A line with no such break point hangs one or two closing marks in the margin, or else cuts the
word; only a line of nothing but punctuation is cut where it is full. Framework-free.
"""
from __future__ import annotations

import string

from reportlab.platypus.paragraph import (ParaLines, Paragraph, _handleBulletWidth, cjkU,
                                          makeCJKParaLine)
from reportlab.rl_config import _FUZZ

#: May not start a line: closing brackets and quotes, pause and stop marks, ellipsis, units.
CANNOT_START = frozenset(
    "，。、；：？！）》」』】〉〕〗〙〛｝］”’…‥·・％‰℃°"
    "!),.:;?]}%")
#: May not end a line: opening brackets and quotes.
CANNOT_END = frozenset("（《「『【〈〔〖〘〚｛［“‘([{")
#: Characters of a Latin word, number or code that stays on one line.
WORD = frozenset(string.ascii_letters + string.digits + "-_./:@#&+=~")


def _is_break(u) -> bool:
    return hasattr(u.frag, "lineBreak")


def _good_break(chars, b: int, start: int, *, keep_words: bool) -> bool:
    """Whether the next line may begin at ``chars[b]`` (the current one began at ``start``)."""
    before, after = chars[b - 1], chars[b]
    if after in CANNOT_START or before in CANNOT_END:
        return False
    return not (keep_words and before in WORD and after in WORD)


#: At most this many closing marks may hang past the end of a line that has no break point.
MAX_HANGING = 2


def break_at(chars, start: int, full: int) -> int:
    """Where the line that began at ``start`` ends, when ``chars[full]`` no longer fits: the
    latest good break point after ``start`` that keeps words whole; else the closing marks that
    follow hang in the margin (:data:`MAX_HANGING` at most); else the latest good break inside a
    word; ``full`` when there is none."""
    for b in range(full, start, -1):
        if _good_break(chars, b, start, keep_words=True):
            return b
    end = full
    while end < len(chars) and end - full < MAX_HANGING and chars[end] in CANNOT_START:
        end += 1
    if end > full and (end == len(chars) or chars[end] not in CANNOT_START):
        return end
    for b in range(full, start, -1):
        if _good_break(chars, b, start, keep_words=False):
            return b
    return full


def _width(u, max_width: float) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = max_width
        w = w.normalizedValue(max_width)
    return w


def kinsoku_split(frags, max_widths, calc_bounds: bool) -> ParaLines:
    """The lines of ``frags`` within ``max_widths`` under the rules above (what reportlab's
    ``cjkFragSplit`` returns, with better break points)."""
    chars = []
    for frag in frags:
        text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
        chars.extend([cjkU(ch, frag, "utf8") for ch in text] if text
                     else [cjkU(text, frag, "utf8")])
    lines = []
    start = i = 0
    used = 0.0

    def max_width():
        return max_widths[min(len(lines), len(max_widths) - 1)]

    def end_line(end: int, line_break: bool):
        nonlocal start, used, i
        width = sum(_width(u, max_width()) for u in chars[start:end])
        limit = max_width()
        lines.append(makeCJKParaLine(chars[start:end], limit, width, limit - width, line_break,
                                     calc_bounds))
        start = end
        while start < len(chars) and chars[start] == " " and not _is_break(chars[start]):
            start += 1
        i = max(i, start)
        used = sum(_width(u, max_width()) for u in chars[start:i])

    while i < len(chars):
        u = chars[i]
        if _is_break(u):
            i += 1
            end_line(i, True)
            continue
        w = _width(u, max_width())
        if used + w > max_width() + _FUZZ and i > start:
            end_line(break_at(chars, start, i), False)
            continue
        used += w
        i += 1
    if start < len(chars):
        end_line(len(chars), False)
    return ParaLines(kind=1, lines=lines)


class ChineseParagraph(Paragraph):
    """A reportlab ``Paragraph`` whose ``wordWrap='CJK'`` lines follow :func:`kinsoku_split`."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802 - reportlab's name, overridden
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara  # the second half of a paragraph split across pages
        if not self.frags or self.style.endDots or any(hasattr(f, "cbDefn")
                                                        for f in self.frags):
            return super().breakLinesCJK(maxWidths)
        _handleBulletWidth(self.bulletText, self.style, maxWidths)
        auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        return kinsoku_split(self.frags, maxWidths, auto_leading not in ("", "off"))
