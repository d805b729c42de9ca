"""The one ``Content-Disposition`` header of every download (PDFs, ledgers, exports, photos).

A file name is often made of stored text (an enterprise's name, a campaign's title); whatever
that text holds, the header stays one valid line: RFC 6266 with the UTF-8 name as
``filename*`` (RFC 5987 percent-encoding) and a plain ASCII ``filename`` for old clients.
Control characters are dropped, quotes, backslashes and slashes become ``_``, leading dots go
(no hidden or relative names), and the name is kept to :data:`MAX_CHARS` characters with its
extension.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_CHARS = 120
DEFAULT_STEM = "download"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SEPARATORS = re.compile(r'["\\/]')
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def safe_filename(name: str) -> str:
    """``name`` fit for a download: no control characters, quotes or path separators, no leading
    dot, at most :data:`MAX_CHARS` characters with the extension kept."""
    name = _SEPARATORS.sub("_", _CONTROL.sub("", name or "")).strip().lstrip(".").strip()
    match = _EXTENSION.search(name)
    ext = match.group() if match else ""
    stem = name[:len(name) - len(ext)].strip()
    if not stem:
        return DEFAULT_STEM + ext
    return stem[:MAX_CHARS - len(ext)] + ext


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for ``name`` (the ``filename`` parameter): its Latin letters and digits,
    else ``download``, with the extension."""
    name = safe_filename(name)
    match = _EXTENSION.search(name)
    ext = match.group() if match else ""
    stem = unicodedata.normalize("NFKD", name[:len(name) - len(ext)])
    stem = _NOT_ASCII_SAFE.sub("_", stem.encode("ascii", "ignore").decode()).strip("._-")
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = DEFAULT_STEM
    return stem + ext


def content_disposition(filename: str, *, inline: bool = False,
                        fallback: str | None = None) -> str:
    """``attachment`` (or ``inline``) with the sanitised name; ``fallback`` is the ASCII name to
    offer old clients (default: :func:`ascii_filename`)."""
    name = safe_filename(filename)
    plain = ascii_filename(fallback or name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
