"""One look for every slide-ready figure: sizes, fonts, a colour-blind-safe palette.

Figures are drawn at the size they take on a 16:9 slide (13.33 x 7.5 in), so a font size here is
the size on the slide: nothing is scaled down when the deck is built. Colours are the Okabe-Ito
palette (distinguishable with every common colour-vision deficiency); the baseline is always
grey and each variant keeps its colour, by its position in the experiment, in every figure.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable, Iterator, Sequence

import matplotlib as mpl
from matplotlib.figure import Figure

#: Width and height (inches) of a figure on a slide under its title and above its bullets.
SLIDE_FIGURE_SIZE = (12.3, 4.4)
#: Smallest text on a slide, in points (legible when projected).
MIN_FONT_POINTS = 14

BASELINE_COLOUR = "#6E6E6E"
#: Okabe-Ito, without black and yellow (too close to the text and the background).
VARIANT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
#: Colour maps: pages (sequential, perceptually uniform) and their change (diverging).
COUNT_COLOURMAP = "cividis"
CHANGE_COLOURMAP = "PuOr_r"

SLIDE_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 16,
    "axes.titlesize": 16,
    "axes.labelsize": 16,
    "xtick.labelsize": MIN_FONT_POINTS,
    "ytick.labelsize": MIN_FONT_POINTS,
    "legend.fontsize": MIN_FONT_POINTS,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlelocation": "left",
    "axes.grid": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}


def variant_colours(variants: Sequence[str]) -> dict[str, str]:
    """Colour of each variant of an experiment (``variants`` in the experiment's order, the
    baseline first): the baseline grey, the others in palette order."""
    colours = {}
    for index, name in enumerate(variants):
        if name == "baseline":
            colours[name] = BASELINE_COLOUR
        else:
            colours[name] = VARIANT_COLOURS[(index - 1) % len(VARIANT_COLOURS)]
    return colours


@contextlib.contextmanager
def slide_style() -> Iterator[None]:
    """Matplotlib settings of slide figures, for the duration of the block."""
    with mpl.rc_context(SLIDE_RC):
        yield


def slide_figure(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Decorator: run a figure function under :func:`slide_style`."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> Figure:
        with slide_style():
            return draw(*args, **kwargs)

    return wrapper


def new_figure(size: tuple[float, float] = SLIDE_FIGURE_SIZE) -> Figure:
    """A figure not registered with pyplot (nothing to close, safe on any backend)."""
    return Figure(figsize=size, layout="constrained")


def png_bytes(figure: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
