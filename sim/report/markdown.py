"""The report as Markdown for a wiki or a pull request: the text in one file, each figure a PNG
in a folder beside it (``<name>-figures/``), linked relatively."""

from __future__ import annotations

from pathlib import Path

from sim.report.sections import Report
from sim.report.style import png_bytes


def write_markdown(report: Report, path: Path) -> list[Path]:
    """Write the report to ``path`` and its figures beside it; returns the figure files."""
    figures_folder = path.with_name(f"{path.stem}-figures")
    figures_folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# {report.title}", "", report.subtitle, ""]
    if report.left_out:
        lines += ["Not in this report:", ""]
        lines += [f"- **{name}**: {reason}" for name, reason in report.left_out]
        lines.append("")
    written = []
    for number, section in enumerate(report.sections, start=1):
        figure_path = figures_folder / f"{number:02d}-{section.key}.png"
        figure_path.write_bytes(png_bytes(section.figure))
        written.append(figure_path)
        lines += [
            f"## {number}. {section.title}",
            "",
            f"![{section.alt}]({figures_folder.name}/{figure_path.name})",
            "",
            *[f"- {text}" for text in section.bullets],
            "",
            "<details><summary>Definitions and caveats</summary>",
            "",
            "```text",
            *section.notes.splitlines(),
            "```",
            "",
            "</details>",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return written
