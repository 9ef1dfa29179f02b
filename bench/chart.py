"""A small SVG bar chart of the headline numbers (no plotting library needed)."""

from __future__ import annotations

from html import escape

BAR_H, GAP, LABEL_W, BAR_W, PANEL_GAP = 18, 6, 190, 330, 34


def _panel(title: str, bars: list[tuple[str, float, str]], y: int) -> tuple[list[str], int]:
    top = max((v for _, v, _ in bars), default=1.0) or 1.0
    out = [f'<text x="10" y="{y + 14}" font-weight="bold">{escape(title)}</text>']
    y += 24
    for label, value, shown in bars:
        width = max(1.0, BAR_W * value / top)
        out += [
            f'<text x="{LABEL_W - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{LABEL_W}" y="{y}" width="{width:.1f}" height="{BAR_H}" fill="#3b7dd8"/>',
            f'<text x="{LABEL_W + width + 6:.1f}" y="{y + 13}">{escape(shown)}</text>',
        ]
        y += BAR_H + GAP
    return out, y + PANEL_GAP - GAP


def render(panels: list[tuple[str, list[tuple[str, float, str]]]], footer: str) -> str:
    body, y = [], 10
    for title, bars in panels:
        lines, y = _panel(title, bars, y)
        body += lines
    body.append(f'<text x="10" y="{y}" font-size="11" fill="#555">{escape(footer)}</text>')
    width, height = LABEL_W + BAR_W + 110, y + 12
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">\n'
        f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
