"""The report as one self-contained HTML file: figures embedded as PNG, no external resources,
readable on a laptop and printable (one section per printed page)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from sim.report.sections import Report
from sim.report.style import png_bytes

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; margin: 0 auto;
       max-width: 1200px; padding: 24px 32px; line-height: 1.45; font-size: 17px; }
h1 { font-size: 30px; margin-bottom: 4px; }
.subtitle { color: #555; margin-top: 0; }
section { margin: 36px 0; padding-top: 12px; border-top: 1px solid #ddd; }
h2 { font-size: 24px; margin: 8px 0 12px; }
img { width: 100%; height: auto; display: block; }
.notes { color: #444; font-size: 15px; white-space: pre-wrap; }
.left-out { background: #f5f5f5; padding: 12px 18px; border-left: 4px solid #E69F00; }
@media print {
  body { max-width: none; padding: 0; font-size: 12pt; }
  section { page-break-inside: avoid; break-inside: avoid; page-break-before: always; }
  details { display: block; } details > summary { display: none; }
}
"""


def _left_out(report: Report) -> str:
    if not report.left_out:
        return ""
    items = "".join(
        f"<li><b>{html.escape(name)}</b>: {html.escape(reason)}</li>"
        for name, reason in report.left_out
    )
    return f'<div class="left-out"><p>Not in this report:</p><ul>{items}</ul></div>'


def render_html(report: Report) -> str:
    """The report as an HTML document (a string)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
        f'<p class="subtitle">{html.escape(report.subtitle)}</p>',
        _left_out(report),
    ]
    for number, section in enumerate(report.sections, start=1):
        image = base64.b64encode(png_bytes(section.figure)).decode("ascii")
        bullets = "".join(f"<li>{html.escape(text)}</li>" for text in section.bullets)
        parts.append(
            f'<section id="{section.key}"><h2>{number}. {html.escape(section.title)}</h2>'
            f'<img class="figure" alt="{html.escape(section.alt)}" '
            f'src="data:image/png;base64,{image}">'
            f"<ul>{bullets}</ul>"
            f"<details><summary>Definitions and caveats</summary>"
            f'<p class="notes">{html.escape(section.notes)}</p></details></section>'
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(report: Report, path: Path) -> None:
    """Write the report to ``path`` as one self-contained HTML file."""
    path.write_text(render_html(report), encoding="utf-8")
