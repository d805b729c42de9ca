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
import threading
from collections import OrderedDict

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


#: What makes two frags draw alike; a paragraph whose frags all agree on it is cached.
_STYLE_ATTRS = ("fontName", "fontSize", "textColor", "backColor", "rise", "underline", "strike",
                "link", "us_lines")


def _plain_style(frags):
    """The one style of ``frags``, or None when they mix styles, breaks or inline images."""
    style = None
    for frag in frags:
        if hasattr(frag, "lineBreak") or hasattr(frag, "cbDefn"):
            return None
        this = tuple(repr(getattr(frag, name, None)) for name in _STYLE_ATTRS)
        if style is not None and this != style:
            return None
        style = this
    return style


class LineCache:
    """Lines already broken, so that what is left of a paragraph is not broken again.

    A long text in a table cell is re-wrapped from its remainder on every page the row crosses,
    and the whole document is built twice (page "x of y"): without this, a 20,000-character
    field spanning fifteen pages is broken some thirty times over (quadratic in its length).
    A remainder is the concatenation of the lines from some line on, at the width the later lines
    had, so it is found by its length and checked by its text."""

    def __init__(self, size: int = 32):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, style, widths, calc_bounds, text: str):
        first, later = widths
        with self._lock:
            entries = list(self._entries.get((style, later, calc_bounds), ()))
        for entry_first, line_texts, suffix_at, lines in entries:
            for spaced in (False, True):
                k = suffix_at[spaced].get(len(text))
                if k is None or (k == 0 and first != entry_first) or (k > 0 and first != later):
                    continue
                if _joined(line_texts[k:], spaced) == text:
                    return lines[k:]
        return None

    def put(self, style, widths, calc_bounds, line_texts, lines) -> None:
        first, later = widths
        suffix_at = ({}, {})
        plain = spaced = 0
        for k in range(len(line_texts) - 1, -1, -1):
            plain += len(line_texts[k])
            spaced += len(line_texts[k]) + _space_after(line_texts, k)
            suffix_at[False].setdefault(plain, k)
            suffix_at[True].setdefault(spaced, k)
        key = (style, later, calc_bounds)
        with self._lock:
            entries = self._entries.pop(key, [])
            self._entries[key] = ([(first, line_texts, suffix_at, lines)] + entries)[:16]
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _space_after(line_texts, k: int) -> int:
    """1 when reportlab's page split (``_split_blParaHard``) ends line ``k`` with a space: every
    line but the last that does not end with one already."""
    return int(k < len(line_texts) - 1 and not line_texts[k].endswith(" "))


def _joined(line_texts, spaced: bool) -> str:
    """The text of the lines, as a remainder made by reportlab's split (``spaced``) or not."""
    if not spaced:
        return "".join(line_texts)
    return "".join(t + " " * _space_after(line_texts, k) for k, t in enumerate(line_texts))


LINE_CACHE = LineCache()
#: Shorter paragraphs are broken again rather than cached: they fit on a page, and would crowd
#: the long ones out of the cache.
CACHE_FROM_CHARS = 400


def kinsoku_split(frags, max_widths, calc_bounds: bool) -> ParaLines:
    """The lines of ``frags`` within ``max_widths`` under the rules above (what reportlab's
    ``cjkFragSplit`` returns, with better break points)."""
    text = "".join(f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
                   for f in frags)
    style = (_plain_style(frags) if len(text) >= CACHE_FROM_CHARS and len(max_widths) <= 2
             else None)
    widths = (max_widths[0], max_widths[-1])
    if style is not None:
        cached = LINE_CACHE.get(style, widths, calc_bounds, text)
        if cached is not None:
            return ParaLines(kind=1, lines=list(cached))
    lines, line_texts = _split(frags, max_widths, calc_bounds)
    if style is not None:
        LINE_CACHE.put(style, widths, calc_bounds, line_texts, lines)
    return ParaLines(kind=1, lines=lines)


def _split(frags, max_widths, calc_bounds: bool):
    chars = []
    for frag in frags:
        text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
        chars.extend([cjkU(ch, frag, "utf8") for ch in text] if text
                     else [cjkU(text, frag, "utf8")])
    lines, line_texts = [], []
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
        line_texts.append("".join(chars[start:end]))
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
    return lines, line_texts


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
