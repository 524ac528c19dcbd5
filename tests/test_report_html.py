"""The HTML report is one self-contained file that a real browser renders with every figure;
the Markdown report links its figures beside it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from sim.cli import app

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Appended to a copy of the report: on load, the page title reports how many of its images
#: decoded (a browser's own check, not ours).
LOAD_CHECK = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const loaded = images.filter((image) => image.complete && image.naturalWidth > 0);
  document.title = `figures-loaded:${loaded.length}/${images.length}`;
});
</script>"""


@pytest.fixture(scope="module")
def report_html(telco_results, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = CliRunner().invoke(app, ["report", str(telco_results), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_html_is_self_contained(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*\"(?!data:)", text)
    assert "http://" not in text and "https://" not in text
    images = re.findall(r'<img class="figure" alt="[^"]+" src="data:image/png;base64,', text)
    assert len(images) == 7
    assert text.count("<section") == 7
    assert "Not in this report" in text and "Sensitivity" in text  # not a sweep
    assert "@media print" in text


def _browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _run_browser(browser: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_html_renders_in_a_headless_browser_with_every_figure(report_html, tmp_path):
    browser = _browser()
    if browser is None:
        pytest.skip(
            "no Chromium on this machine (.ci/run installs the Debian package `chromium`; "
            "install it with `apt-get install chromium` to run this test)"
        )
    checked = tmp_path / "checked.html"
    checked.write_text(
        report_html.read_text(encoding="utf-8").replace("</body>", LOAD_CHECK + "</body>"),
        encoding="utf-8",
    )
    dom = _run_browser(browser, "--virtual-time-budget=20000", "--dump-dom", checked.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>figures-loaded:7/7</title>" in dom.stdout

    screenshot = tmp_path / "report.png"
    shot = _run_browser(
        browser, f"--screenshot={screenshot}", "--window-size=1280,4000", report_html.as_uri()
    )
    assert shot.returncode == 0 and screenshot.exists(), shot.stderr[-2000:]
    pixels = imread(screenshot)[:, :, :3]
    assert pixels.shape[:2] == (4000, 1280)
    ink = np.mean(np.any(pixels < 0.9, axis=2))
    assert ink > 0.05  # text and figures, not a blank page
    assert pixels.std() > 0.1
    # Colour from the figures (grey text alone has equal channels).
    assert np.mean(np.ptp(pixels, axis=2) > 0.2) > 0.01


def test_markdown_report_links_figures_saved_beside_it(telco_results, tmp_path):
    out = tmp_path / "wiki" / "report.md"
    result = CliRunner().invoke(
        app, ["report", str(telco_results), "--format", "md", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text)
    assert len(links) == 7
    for link in links:
        assert (out.parent / link).stat().st_size > 10_000
    assert text.startswith("# Telco")
