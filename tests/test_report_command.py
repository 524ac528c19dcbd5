"""`oncall-sim report`: on an older results folder it says what is missing and what it left
out; bad input is refused with exit status 2; --by person|team shows who carries it."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import EXIT_BAD_INPUT, app
from sim.report.people import carried_by

FOCUS = "detection-and-self-healing"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def older_folder(telco_results, tmp_path):
    """The telco results as a run before the detail files existed would have left them."""
    folder = tmp_path / "older"
    shutil.copytree(telco_results, folder)
    for name in ("pages_by_hour.parquet", "people.parquet", "weekly.parquet"):
        (folder / name).unlink()
    return folder


def test_report_on_an_older_folder_says_what_is_missing_and_what_it_left_out(
    runner, older_folder, tmp_path
):
    out = tmp_path / "older.html"
    result = runner.invoke(app, ["report", str(older_folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    message = " ".join(result.output.split())
    assert "pages_by_hour.parquet, people.parquet, weekly.parquet missing" in message
    for section in ("When people are interrupted", "Who carries it", "Over the year"):
        assert f"{section} (" in message
    assert "4 sections (answer, headline, costs, method)" in message
    html = out.read_text(encoding="utf-8")
    assert html.count("<section") == 4
    assert "people.parquet is missing (an older results folder)" in html


def test_by_person_on_an_older_folder_explains_instead_of_failing(runner, older_folder):
    result = runner.invoke(app, ["report", str(older_folder), "--by", "person"])
    assert result.exit_code == 0, result.output
    assert "has no people.parquet (an older results folder)" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--variant", "nope"], "no variant named 'nope'"),
        (["--format", "pdf", "--out", "x.pdf"], "--format 'pdf': choose one of html, pptx, md"),
        (["--format", "pptx"], "--format pptx needs --out FILE"),
        (["--by", "service"], "--by 'service': choose person or team"),
    ],
)
def test_bad_report_options_are_refused_with_status_2(runner, telco_results, arguments, message):
    result = runner.invoke(app, ["report", str(telco_results), *arguments])
    assert result.exit_code == EXIT_BAD_INPUT
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_a_folder_that_is_not_results_is_refused_naming_the_missing_file(runner, tmp_path):
    (tmp_path / "runs.partial.parquet").write_bytes(b"")
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "summary.csv is missing" in result.output
    assert "--resume" in result.output


def test_by_person_names_who_carries_it(runner, telco_results):
    result = runner.invoke(
        app,
        ["report", str(telco_results), "--variant", FOCUS, "--by", "person"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    people = pd.read_parquet(telco_results / "people.parquet")
    view = carried_by(people, FOCUS, "person")
    top = view.index[0]
    assert top in result.output
    expected = people[(people["person"] == top) & (people["variant"] == "baseline")]
    assert view.loc[top, "pages_baseline"] == pytest.approx(expected["pages"].mean())
    assert f"{expected['pages'].mean():,.1f} -> " in result.output


def test_by_team_sums_the_teams_people_and_takes_their_top_on_call_share(telco_results):
    people = pd.read_parquet(telco_results / "people.parquet")
    summary = pd.read_csv(telco_results / "summary.csv").set_index(["kpi", "variant"])
    view = carried_by(people, FOCUS, "team")
    for team in ("infra", "platform", "apps"):
        assert view.loc[team, "pages_variant"] == pytest.approx(
            summary.loc[(f"pages__{team}", FOCUS), "variant_mean"]
        )
        assert view.loc[team, "oncall_share_baseline"] == pytest.approx(
            summary.loc[(f"oncall_share_max__{team}", FOCUS), "baseline_mean"]
        )


def test_run_with_by_team_prints_who_carries_it_after_the_comparison(runner, tmp_path):
    import yaml
    from builders import small_scenario_document

    document = small_scenario_document(
        variants=[
            {
                "name": "more-runbooks",
                "description": "self-healing for 60% of incidents",
                "set": {"automation.self_healing.coverage": 0.6},
            }
        ]
    )
    scenario_file = tmp_path / "hand-made.yaml"
    scenario_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    out = tmp_path / "results"
    result = runner.invoke(
        app, ["run", str(scenario_file), "--runs", "3", "--out", str(out), "--by", "team"]
    )
    assert result.exit_code == 0, result.output
    assert "Who carries it, per team: baseline -> more-runbooks" in result.output
    people = pd.read_parquet(out / "people.parquet")
    infra = people[(people["variant"] == "baseline")]["pages"].sum() / 3
    assert f"{infra:,.1f} -> " in result.output
    assert "people.parquet" in result.output


def _hand_made_file(tmp_path):
    import yaml
    from builders import small_scenario_document

    scenario_file = tmp_path / "hand-made.yaml"
    scenario_file.write_text(yaml.safe_dump(small_scenario_document()), encoding="utf-8")
    return scenario_file


def test_report_of_a_sweep_has_the_sensitivity_slide(runner, tmp_path):
    out = tmp_path / "sweep"
    result = runner.invoke(
        app,
        [
            "sweep",
            str(_hand_made_file(tmp_path)),
            "--runs",
            "3",
            "--out",
            str(out),
            "--grid",
            "automation.self_healing.coverage=0.2,0.6",
            "--grid",
            "automation.anomaly_detection.coverage=0,0.4",
        ],
    )
    assert result.exit_code == 0, result.output
    deck = tmp_path / "sweep.pptx"
    result = runner.invoke(app, ["report", str(out), "--out", str(deck)])
    assert result.exit_code == 0, result.output
    assert "8 slides" in result.output and "sensitivity" in result.output
    from pptx import Presentation

    titles = [slide.shapes.title.text for slide in Presentation(str(deck)).slides]
    assert titles[6].startswith("self_healing.coverage moves the answer most: ")


def test_a_kpi_missing_from_an_older_summary_leaves_its_section_out(telco_results, tmp_path):
    from sim.report.folder import load_results_folder
    from sim.report.sections import build_report

    folder = tmp_path / "older-summary"
    shutil.copytree(telco_results, folder)
    summary = pd.read_csv(folder / "summary.csv")
    summary[summary["kpi"] != "engineers_over_19_per_month"].to_csv(
        folder / "summary.csv", index=False
    )
    report = build_report(load_results_folder(folder))
    assert "people" not in [section.key for section in report.sections]
    assert (
        "Who carries it",
        "summary.csv has no engineers_over_19_per_month (an older version's results)",
    ) in report.left_out
