"""Title and source lines inside every exported figure, so a figure stands alone.

A figure pasted into slides or a document loses the page around it.  Each
PNG and SVG of a report therefore carries, inside the image, its title at
the top and a source line at the bottom: the corpus (number of plans and
the report date), where the numbers come from, and the table behind it.
Lines too long for the figure's width wrap.
"""

from __future__ import annotations

import functools
import html
import io
import re
from typing import Any

#: Text sizes in points; the PNG is drawn at ``dpi`` pixels per inch.
TITLE_PT = 11.0
SOURCE_PT = 7.5
_MARGIN_PT = 8.0
_GAP_PT = 3.0


@functools.cache
def _font_path() -> str | None:
    try:
        import matplotlib_fontja
    except ImportError:
        return None
    return str(matplotlib_fontja.get_font_ttf_path())


@functools.cache
def _font(size_px: int) -> Any:
    from PIL import ImageFont

    path = _font_path()
    if path is None:
        return ImageFont.load_default(size_px)
    return ImageFont.truetype(path, size_px)


def _wrap(text: str, font: Any, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (in the font's pixels), broken anywhere."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for character in paragraph:
            if line and font.getlength(line + character) > width:
                lines.append(line)
                line = character.lstrip()
            else:
                line += character
        lines.append(line)
    return lines


def stamp_png(png: bytes, title: str, source: str, dpi: float) -> bytes:
    """The PNG with ``title`` above and ``source`` below the drawing."""
    from PIL import Image, ImageDraw

    scale = dpi / 72.0
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    margin = round(_MARGIN_PT * scale)
    title_font, source_font = _font(round(TITLE_PT * scale)), _font(round(SOURCE_PT * scale))
    title_lines = _wrap(title, title_font, width - 2 * margin)
    source_lines = _wrap(source, source_font, width - 2 * margin)
    title_step = round(TITLE_PT * 1.35 * scale)
    source_step = round(SOURCE_PT * 1.35 * scale)
    top = margin + title_step * len(title_lines) + round(_GAP_PT * scale)
    bottom = round(_GAP_PT * scale) + source_step * len(source_lines) + margin
    canvas = Image.new("RGB", (width, height + top + bottom), "white")
    canvas.paste(image, (0, top))
    draw = ImageDraw.Draw(canvas)
    for number, line in enumerate(title_lines):
        draw.text((margin, margin + number * title_step), line, font=title_font, fill="#1f2328")
    y = top + height + round(_GAP_PT * scale)
    for number, line in enumerate(source_lines):
        draw.text((margin, y + number * source_step), line, font=source_font, fill="#57606a")
    out = io.BytesIO()
    canvas.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


_SVG_OPEN = re.compile(rb"<svg\b[^>]*>")
_SIZE = re.compile(rb'(width|height)="([\d.]+)pt"')
_VIEWBOX = re.compile(rb'viewBox="([\d.\s-]+)"')


def stamp_svg(svg: bytes, title: str, source: str) -> bytes:
    """The SVG with ``title`` above and ``source`` below the drawing (as text)."""
    match = _SVG_OPEN.search(svg)
    sizes = dict(_SIZE.findall(match.group(0))) if match else {}
    if not match or b"width" not in sizes or b"height" not in sizes:
        return svg
    width, height = float(sizes[b"width"]), float(sizes[b"height"])
    # Wrap with the same metrics as the PNG, in points (1 unit = 1 pt here).
    title_lines = _wrap(title, _font(100), (width - 2 * _MARGIN_PT) * 100 / TITLE_PT)
    source_lines = _wrap(source, _font(100), (width - 2 * _MARGIN_PT) * 100 / SOURCE_PT)
    top = _MARGIN_PT + TITLE_PT * 1.35 * len(title_lines) + _GAP_PT
    bottom = _GAP_PT + SOURCE_PT * 1.35 * len(source_lines) + _MARGIN_PT
    total = height + top + bottom
    opening = match.group(0)
    opening = re.sub(rb'height="[\d.]+pt"', b'height="%.1fpt"' % total, opening)
    opening = _VIEWBOX.sub(b'viewBox="0 0 %.1f %.1f"' % (width, total), opening)
    family = "IPAexGothic, 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', sans-serif"
    texts = [
        f'<text x="{_MARGIN_PT}" y="{_MARGIN_PT + TITLE_PT * (1.35 * n + 1):.1f}" '
        f'font-size="{TITLE_PT}" font-weight="bold" fill="#1f2328" '
        f'font-family="{family}">{html.escape(line)}</text>'
        for n, line in enumerate(title_lines)
    ]
    base = top + height + _GAP_PT
    texts += [
        f'<text x="{_MARGIN_PT}" y="{base + SOURCE_PT * (1.35 * n + 1):.1f}" '
        f'font-size="{SOURCE_PT}" fill="#57606a" font-family="{family}">'
        f"{html.escape(line)}</text>"
        for n, line in enumerate(source_lines)
    ]
    background = f'<rect x="0" y="0" width="{width}" height="{total:.1f}" fill="#ffffff"/>'
    head = svg[: match.start()] + opening
    body = svg[match.end() :]
    closing = body.rindex(b"</svg>")
    return (
        head
        + background.encode()
        + f'<g transform="translate(0 {top:.1f})">'.encode()
        + body[:closing]
        + b"</g>"
        + "".join(texts).encode("utf-8")
        + body[closing:]
    )
