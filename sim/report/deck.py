"""The report as a 16:9 PowerPoint deck (python-pptx): one message per slide, the title stating
the finding, the figure at its drawn size (so its text stays at least 14 pt), a few bullets, and
the definitions and caveats in the speaker notes."""

from __future__ import annotations

import io
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Inches, Pt

from sim.report.sections import Report, Section
from sim.report.style import SLIDE_FIGURE_SIZE, png_bytes

SLIDE_WIDTH_INCHES = 13.333
SLIDE_HEIGHT_INCHES = 7.5
MARGIN_INCHES = 0.5
TITLE_POINTS = 26
BULLET_POINTS = 15
#: The default template's "Title Only" layout.
TITLE_ONLY_LAYOUT = 5


def _title(slide, text: str) -> None:
    title = slide.shapes.title
    title.left, title.top = Inches(MARGIN_INCHES), Inches(0.25)
    title.width, title.height = Inches(SLIDE_WIDTH_INCHES - 2 * MARGIN_INCHES), Inches(1.0)
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    for paragraph in frame.paragraphs:
        paragraph.font.size = Pt(TITLE_POINTS)
        paragraph.font.bold = True
        paragraph.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)


def _bullets(slide, lines: list[str], top_inches: float) -> None:
    height = SLIDE_HEIGHT_INCHES - top_inches - 0.15
    box = slide.shapes.add_textbox(
        Inches(MARGIN_INCHES),
        Inches(top_inches),
        Inches(SLIDE_WIDTH_INCHES - 2 * MARGIN_INCHES),
        Inches(height),
    )
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = f"• {line}"
        paragraph.font.size = Pt(BULLET_POINTS)
        paragraph.font.color.rgb = RGBColor(0x33, 0x33, 0x33)


def _slide(deck, section: Section) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY_LAYOUT])
    _title(slide, section.title)
    width, height = SLIDE_FIGURE_SIZE
    left = (SLIDE_WIDTH_INCHES - width) / 2
    picture = slide.shapes.add_picture(
        io.BytesIO(png_bytes(section.figure, dpi=200)),
        Inches(left),
        Inches(1.3),
        Inches(width),
        Inches(height),
    )
    picture.name = f"figure: {section.key}"
    _bullets(slide, section.bullets[:3], 1.3 + height + 0.05)
    slide.notes_slide.notes_text_frame.text = section.notes


def build_deck(report: Report):
    """The deck as a python-pptx ``Presentation``: one slide per section."""
    deck = Presentation()
    deck.slide_width = Inches(SLIDE_WIDTH_INCHES)
    deck.slide_height = Inches(SLIDE_HEIGHT_INCHES)
    deck.core_properties.title = report.title
    deck.core_properties.subject = report.subtitle
    for section in report.sections:
        _slide(deck, section)
    return deck


def write_deck(report: Report, path: Path) -> None:
    """Write the deck to ``path`` (.pptx)."""
    build_deck(report).save(str(path))
