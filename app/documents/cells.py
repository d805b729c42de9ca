"""Text cells of the spreadsheets the app writes: the one formula guard of every CSV export.

A CSV cell carries no type, so a spreadsheet runs text starting with ``=``, ``+``, ``-`` or
``@`` as a formula (CSV injection); a leading TAB or CR is skipped by some spreadsheets before
they look, so those count too. Such text gets a leading ``'`` (the spreadsheet's own "this is
text" mark), unless it is a plain number such as ``-5``. The registry import removes the quote
again (``app.registry.importing``), so an exported registry re-imports unchanged.
"""
from __future__ import annotations

import re

#: What a spreadsheet may take for the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Signed numbers stay as they are: they are values, not formulas.
NUMBER_LIKE = re.compile(r"^[+-]?\d[\d\s.]*$")


def guard_formula(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text (see the module doc)."""
    if text.startswith(FORMULA_START) and not NUMBER_LIKE.match(text):
        return "'" + text
    return text
