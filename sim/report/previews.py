"""Small PNG pictures of the deck's slides (for the README), drawn with the deck's layout.

The picture of a slide is its title, figure and bullets placed where :mod:`sim.report.deck`
puts them on a 13.33 x 7.5 in slide, rendered by matplotlib (no office suite needed)::

    python -m sim.report.previews RESULTS_DIR --out docs/deck [--variant V]... [--width 960]
"""

from __future__ import annotations

import argparse
import io
import textwrap
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.patches import Rectangle

from sim.report.deck import (
    BULLET_POINTS,
    MARGIN_INCHES,
    SLIDE_HEIGHT_INCHES,
    SLIDE_WIDTH_INCHES,
    TITLE_POINTS,
)
from sim.report.folder import load_results_folder
from sim.report.sections import Report, Section, build_report
from sim.report.style import SLIDE_FIGURE_SIZE, png_bytes

FIGURE_TOP_INCHES = 1.3


def slide_picture(section: Section, number: int) -> Figure:
    """One slide as a matplotlib figure of the slide's size."""
    slide = Figure(figsize=(SLIDE_WIDTH_INCHES, SLIDE_HEIGHT_INCHES))
    width, height = SLIDE_WIDTH_INCHES, SLIDE_HEIGHT_INCHES
    slide.patches.append(
        Rectangle((0, 0), 1, 1, transform=slide.transFigure, fill=False, edgecolor="#BBBBBB")
    )
    title = textwrap.fill(section.title, 56)
    slide.text(
        MARGIN_INCHES / width,
        1 - 0.3 / height,
        title,
        fontsize=TITLE_POINTS,
        fontweight="bold",
        va="top",
        ha="left",
        color="#1A1A1A",
    )
    figure_width, figure_height = SLIDE_FIGURE_SIZE
    left = (width - figure_width) / 2
    bottom = height - FIGURE_TOP_INCHES - figure_height
    ax = slide.add_axes(
        (left / width, bottom / height, figure_width / width, figure_height / height)
    )
    ax.imshow(imread(io.BytesIO(png_bytes(section.figure, dpi=100))))
    ax.set_axis_off()
    lines = [
        textwrap.fill(f"• {text}", 108, subsequent_indent="   ") for text in section.bullets[:3]
    ]
    slide.text(
        MARGIN_INCHES / width,
        (bottom - 0.08) / height,
        "\n".join(lines),
        fontsize=BULLET_POINTS,
        va="top",
        ha="left",
        color="#333333",
        linespacing=1.3,
    )
    slide.text(
        1 - MARGIN_INCHES / width,
        0.12 / height,
        str(number),
        fontsize=14,
        ha="right",
        color="#888888",
    )
    return slide


def write_previews(report: Report, folder: Path, width_pixels: int = 960) -> list[Path]:
    """Write ``slide-NN-<key>.png`` per slide into ``folder``; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, section in enumerate(report.sections, start=1):
        path = folder / f"slide-{number:02d}-{section.key}.png"
        slide_picture(section, number).savefig(path, dpi=width_pixels / SLIDE_WIDTH_INCHES)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line of ``python -m sim.report.previews``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="results folder")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--variant", action="append", help="variant to report (repeatable)")
    parser.add_argument("--width", type=int, default=960, help="width of each picture, px")
    options = parser.parse_args(argv)
    report = build_report(load_results_folder(options.results), options.variant)
    for path in write_previews(report, options.out, options.width):
        print(path)


if __name__ == "__main__":
    main()
