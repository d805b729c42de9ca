"""QR codes: PNG bytes for the API and vector drawings for reportlab PDFs.

Error correction level M (15 %): survives a scratched or dirty label without making the code
denser than needed. Both outputs come from the same ``qrcode`` matrix.
"""
from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

QUIET_ZONE = 4  # modules of white border required by ISO/IEC 18004


def qr_matrix(data: str, *, border: int = 0) -> list[list[bool]]:
    """The module matrix (``True`` = dark), ``border`` white modules around it."""
    q = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    q.add_data(data)
    q.make(fit=True)
    return q.get_matrix()


def qr_png(url: str, box_size: int = 10, border: int = QUIET_ZONE) -> bytes:
    """A 1-bit PNG of ``url`` (``box_size`` pixels per module, ``border`` modules of quiet zone)."""
    if box_size < 1 or border < 0:
        raise ValueError("box_size must be ≥ 1 and border ≥ 0")
    q = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    q.add_data(url)
    q.make(fit=True)
    img = q.make_image()  # PIL image, mode "1"
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _dark_runs(matrix: list[list[bool]]):
    """``(row, col, length)`` of horizontal runs of dark modules (fewer PDF objects)."""
    for r, row in enumerate(matrix):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                yield r, start, c - start
            else:
                c += 1


def draw_qr(canvas, data: str, x: float, y: float, size: float, *,
            quiet_zone: bool = True) -> float:
    """Draw the QR code on a reportlab canvas with its lower-left corner at (x, y), ``size``
    points square (quiet zone included when ``quiet_zone``). Returns the size of one module."""
    matrix = qr_matrix(data)
    n = len(matrix)
    total = n + 2 * QUIET_ZONE if quiet_zone else n
    module = size / total
    offset = QUIET_ZONE * module if quiet_zone else 0.0
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, c, length in _dark_runs(matrix):
        # a hair of overlap avoids visible seams between adjacent rows in some viewers
        path.rect(x + offset + c * module, y + size - offset - (r + 1) * module,
                  length * module, module * 1.001)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return module


def qr_drawing(url: str, size_mm: float, *, quiet_zone: bool = True):
    """A platypus flowable showing the QR code ``size_mm`` millimetres square (quiet zone
    included when ``quiet_zone``). Put it in a story, or ``.drawOn(canvas, x, y)``.

    (A flowable rather than a ``reportlab.graphics`` Drawing: the Drawing renderer adds a
    Helvetica font resource to the page, and our PDFs carry only the embedded CJK font.)"""
    class QRFlowable(Flowable):
        def __init__(self):
            super().__init__()
            self.width = self.height = size_mm * mm
            self.url = url

        def draw(self):
            draw_qr(self.canv, url, 0, 0, self.width, quiet_zone=quiet_zone)

    return QRFlowable()


def modules(url: str) -> int:
    """Modules per side of the QR symbol for ``url`` (without quiet zone)."""
    return len(qr_matrix(url))
