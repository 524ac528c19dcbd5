"""The deck, opened with python-pptx: one slide per section, titles that state the finding with
summary.csv's numbers, a figure at slide size on every slide, speaker notes."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu, Inches
from typer.testing import CliRunner

from sim.cli import app
from sim.report.style import SLIDE_FIGURE_SIZE

FOCUS = "detection-and-self-healing"
OTHER = "self-healing-only"


@pytest.fixture(scope="module")
def deck(telco_results, tmp_path_factory):
    out = tmp_path_factory.mktemp("deck") / "deck.pptx"
    result = CliRunner().invoke(app, ["report", str(telco_results), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "7 slides" in result.output
    return Presentation(str(out))


@pytest.fixture(scope="module")
def summary(telco_results) -> pd.DataFrame:
    return pd.read_csv(telco_results / "summary.csv").set_index(["kpi", "variant"])


def _number(value: float) -> str:
    return (
        f"{value:,.0f}"
        if abs(value) >= 100
        else f"{value:.1f}"
        if abs(value) >= 10
        else (f"{value:.2f}")
    )


def _text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_deck_is_16_9_with_one_slide_per_section_and_their_titles(deck, summary):
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    titles = [slide.shapes.title.text for slide in deck.slides]
    weekend = summary.loc[("weekend_escalations_per_weekend", FOCUS)]
    bounds = sorted([abs(weekend.rel_ci_low) * 100, abs(weekend.rel_ci_high) * 100])
    sleep = summary.loc[("interruptions_sleep", FOCUS)]
    business = summary.loc[("interruptions_business", FOCUS)]
    over = summary.loc[("engineers_over_19_per_month", FOCUS)]
    share = summary.loc[("oncall_share_max", FOCUS)]
    mttr = summary.loc[("mttr_human_mean_minutes", FOCUS)]
    assert titles[0] == (
        f"Weekend escalations fall {abs(weekend.rel_change) * 100:.0f}% "
        f"(95% CI {bounds[0]:.1f}-{bounds[1]:.1f}%) with {FOCUS}"
    )
    assert titles[1].startswith(f"Sleep-hour pages fall {abs(sleep.rel_change) * 100:.0f}% ")
    assert titles[2] == (
        f"Night pages go from {_number(sleep.baseline_mean)} to {_number(sleep.variant_mean)} "
        f"a year, business-hours pages from {_number(business.baseline_mean)} to "
        f"{_number(business.variant_mean)}"
    )
    assert titles[3] == (
        f"Engineers over the burnout level: {_number(over.baseline_mean)} → "
        f"{_number(over.variant_mean)} a month; top on-call share "
        f"{share.variant_mean * 100:.0f}% (guidance 25%)"
    )
    verb = "falls" if mttr.rel_change < 0 else "rises"
    assert titles[4].startswith(
        f"What it costs: time to resolve what people handle {verb} "
        f"{abs(mttr.rel_change) * 100:.0f}% "
    )
    assert re.fullmatch(
        rf"{FOCUS} sends fewer pages than the baseline in (\d+ of|every one of the) 52 weeks",
        titles[5],
    )
    assert titles[6] == (
        "Method: 8 paired runs; each variant meets the same alerts as the baseline"
    )


def test_every_slide_has_its_figure_at_slide_size_and_speaker_notes(deck):
    for slide in deck.slides:
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        (picture,) = pictures
        assert (Emu(picture.width).inches, Emu(picture.height).inches) == pytest.approx(
            SLIDE_FIGURE_SIZE, abs=0.01
        )
        assert picture.left + picture.width <= deck.slide_width
        assert picture.image.content_type == "image/png"
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
        for shape in slide.shapes:
            if shape.has_text_frame:
                for paragraph in shape.text_frame.paragraphs:
                    assert paragraph.font.size is None or paragraph.font.size.pt >= 14


def test_numbers_in_the_slides_text_are_summary_csvs(deck, summary, telco_results):
    answer = _text(deck.slides[0])
    for name in (FOCUS, OTHER):
        row = summary.loc[("weekend_escalations_per_weekend", name)]
        assert (
            f"{name}: weekend escalations per weekend {_number(row.baseline_mean)} → "
            f"{_number(row.variant_mean)} ({row.rel_change * 100:+.1f}%, 95% CI "
            f"{row.rel_ci_low * 100:+.1f}% to {row.rel_ci_high * 100:+.1f}%); better than the "
            f"baseline in {row.p_better * 100:.0f}% of 8 paired runs."
        ) in answer
    hours = _text(deck.slides[2])
    for kpi, words in (
        ("interruptions_business", "Business-hours pages"),
        ("interruptions_off", "Off-hours pages"),
        ("interruptions_sleep", "Sleep-hour pages"),
    ):
        row = summary.loc[(kpi, FOCUS)]
        assert (
            f"{words}: {_number(row.baseline_mean)} → {_number(row.variant_mean)} a year "
            f"({row.rel_change * 100:+.1f}%, 95% CI {row.rel_ci_low * 100:+.1f}% to "
            f"{row.rel_ci_high * 100:+.1f}%)"
        ) in hours
    costs = _text(deck.slides[4])
    mttr = summary.loc[("mttr_human_mean_minutes", FOCUS)]
    assert f"{_number(mttr.baseline_mean)} → {_number(mttr.variant_mean)} min" in costs
    provenance = json.loads((telco_results / "provenance.json").read_text())
    method = _text(deck.slides[6])
    assert f"digest {provenance['scenario_sha256'][:12]}, seed {provenance['seed']}," in method


def test_deck_for_one_chosen_variant_shows_only_it(telco_results, tmp_path):
    out = tmp_path / "one.pptx"
    result = CliRunner().invoke(
        app, ["report", str(telco_results), "--variant", OTHER, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    deck = Presentation(str(out))
    assert deck.slides[0].shapes.title.text.endswith(f"with {OTHER}")
    assert FOCUS not in _text(deck.slides[0])
