"""A QR code of an absolute URL as inline SVG (segno: no image files, no network), for the check-in and attendance
codes that organisers show or print (DESIGN.md §2 "Check-in by QR")."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, scale: int = 4) -> SafeString:
    """Safe to place in a template as is: segno writes the SVG itself from our own URL."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff"))  # noqa: S308
