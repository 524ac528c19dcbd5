"""Bad scenario files give one short, located error and exit status 2, never a traceback.

Each file in tests/bad_scenarios/ is a small scenario with exactly one mistake, described on its
first line. Most cases run the command in-process (typer's CliRunner); a few run the real
`python -m sim` entry point in a subprocess. Commands run in the repository root with relative
paths, so the messages do not depend on where the repository is checked out.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load_scenario_text

REPO = Path(__file__).parent.parent
BAD = Path("tests", "bad_scenarios")  # relative to REPO
ONE_SCREEN = 25  # lines


@dataclasses.dataclass(frozen=True)
class Case:
    file: str
    line: int | None  # line the error points at (None: the problem has no line)
    field: str | None  # field path as printed (None: the problem is not about one field)
    phrase: str  # what this kind of mistake must be called
    fix: tuple[str, str] | None = None  # (old, new) text edit that makes the file valid

    @property
    def path(self) -> Path:
        return BAD / self.file

    def __str__(self) -> str:
        return self.file


CASES = [
    Case(
        "key-typo.yaml",
        12,
        "services[0 'dns'].alerts_per_wek",
        "unknown key 'alerts_per_wek' (did you mean 'alerts_per_week'?)",
        fix=("alerts_per_wek", "alerts_per_week"),
    ),
    Case(
        "wrong-type.yaml",
        12,
        "services[0 'dns'].alerts_per_week",
        "expected a number, got 'lots'",
        fix=("lots", "2.0"),
    ),
    Case(
        "negative-rate.yaml",
        15,
        "services[1 'web'].alerts_per_week",
        "must be at least 0 (got -3)",
        fix=("-3", "3"),
    ),
    Case(
        "probability-above-one.yaml",
        15,
        "automation.self_healing.coverage",
        "must be at most 1 (got 1.5)",
        fix=("1.5", "0.5"),
    ),
    Case(
        "unknown-team.yaml",
        14,
        "services[1 'web'].team",
        "unknown team 'infar'; teams are infra",
        fix=("infar", "infra"),
    ),
    Case(
        "negative-sigma.yaml",
        14,
        "response.work_time_minutes.sigma",
        "must be greater than 0 (got -1)",
        fix=("sigma: -1", "sigma: 1"),
    ),
    Case(
        "unknown-distribution.yaml",
        15,
        "response.work_time_minutes.distribution",
        "unknown distribution 'lognormale'; expected one of 'fixed', 'exponential', "
        "'lognormal', 'weibull', 'gamma', 'lognormal-pareto-tail' (did you mean 'lognormal'?)",
        fix=("lognormale", "lognormal"),
    ),
    Case(
        "start-not-monday.yaml",
        4,
        "horizon.start_date",
        "start_date must be a Monday; 2026-01-06 is a Tuesday",
        fix=("2026-01-06", "2026-01-05"),
    ),
    Case(
        "no-services.yaml",
        9,
        "services",
        "must have at least 1 item (got 0)",
        fix=("services: []", "services: [{name: dns, team: infra, alerts_per_week: 2}]"),
    ),
    Case(
        "variant-path-missing.yaml",
        20,
        "variants[0 'more-runbooks'].set['automation.self_healing.covrage']",
        "no field 'covrage' in automation.self_healing (did you mean 'coverage'?)",
        fix=("covrage", "coverage"),
    ),
    Case(
        "variant-value-out-of-range.yaml",
        20,
        "variants[0 'more-runbooks'].set['automation.self_healing.coverage']",
        "must be at most 1 (got 2)",
        fix=("coverage: 2", "coverage: 1"),
    ),
    Case(
        "variant-unknown-service.yaml",
        17,
        "variants[0 'quieter-dns'].set['services.dsn.alerts_per_week']",
        "no item named 'dsn' in services (did you mean 'dns'?)",
        fix=("services.dsn.", "services.dns."),
    ),
    Case(
        "variant-unknown-team.yaml",
        17,
        "variants[0 'hand-over-dns'].set['services.dns.team']",
        "unknown team 'nobody'; teams are infra",
        fix=("nobody", "infra"),
    ),
    Case(
        # The parser notices on the next line; the message points back at the open list.
        "unclosed-bracket.yaml",
        13,
        None,
        "expected ',' or ']', but got ':' (in the [...] list that starts at line 12, column 11)",
        fix=("manager\n", "manager]\n"),
    ),
    Case(
        "bad-indentation.yaml",
        11,
        None,
        "bad indentation: this line does not line up with the lines above it "
        "(in the list that starts at line 10, column 3)",
        fix=("\n   team", "\n    team"),
    ),
    Case(
        "duplicate-key.yaml",
        13,
        "services[0].alerts_per_week",
        "key 'alerts_per_week' appears twice; first at line 12",
        fix=("    alerts_per_week: 3.0\n", ""),
    ),
    Case(
        "unknown-top-level-key.yaml",
        3,
        "owner",
        "unknown key 'owner' (valid keys: name, description, horizon, calendar, services, teams,",
        fix=("owner: ops-team\n", ""),
    ),
    Case(
        "slo-target-above-one.yaml",
        16,
        "services[1 'web'].slo.target",
        "must be less than 1 (got 1.5)",
        fix=("target: 1.5", "target: 0.999"),
    ),
    Case(
        "slo-window-shorter-than-burn-rule.yaml",
        15,
        "services[0 'web'].slo.window_days",
        "shorter than the longest burn-rule window (4320 minutes)",
        fix=("window_days: 2", "window_days: 28"),
    ),
    Case(
        "slo-impact-above-one.yaml",
        15,
        "slo.impact.P1",
        "must be at most 1 (got 1.2)",
        fix=("P1: 1.2", "P1: 0.2"),
    ),
    Case(
        "pause-longer-than-ack-timeout.yaml",
        16,
        "noise.pause_minutes",
        "a pause of 45 minutes is longer than the ack timeout",
        fix=("pause_minutes: 45", "pause_minutes: 5"),
    ),
    Case("empty.yaml", None, None, "the file is empty"),
    Case("does-not-exist.yaml", None, None, "file not found"),
    Case(
        "bad-time-of-day.yaml",
        11,
        "teams[0 'infra'].rotation.handoff_time",
        "expected a time of day as 'HH:MM' (24-hour clock), got '9am'",
        fix=("9am", '"09:00"'),
    ),
    Case(
        "severity-mix-sum.yaml",
        13,
        "services[0 'dns'].severity_mix",
        "severity shares must sum to 1 (they sum to 1.2)",
        fix=("P4: 0.4", "P4: 0.2"),
    ),
    Case(
        "duplicate-service-names.yaml",
        13,
        "services[1 'dns'].name",
        "duplicate name 'dns'",
        fix=("2.0\n  - name: dns", "2.0\n  - name: web"),
    ),
    Case(
        "unknown-time-zone.yaml",
        5,
        "horizon.time_zone",
        "unknown time zone 'Europe/Berlinn'; use an IANA name like 'Europe/Berlin'",
        fix=("Berlinn", "Berlin"),
    ),
    Case(
        "raci-unknown-team.yaml",
        15,
        "services[1 'web'].consulted[0]",
        "unknown team 'platfrom'; teams are infra, platform",
        fix=("platfrom", "platform"),
    ),
    Case(
        "unknown-escalation-policy.yaml",
        9,
        "teams[0 'infra'].escalation_policy",
        "unknown escalation policy 'infra-pager'; policies: infra-page",
        fix=("infra-pager", "infra-page"),
    ),
    Case(
        "override-not-in-team.yaml",
        10,
        "teams[0 'infra'].overrides[0].person",
        "'zoe' is not an engineer of team 'infra'",
        fix=("person: zoe", "person: ben"),
    ),
    Case(
        "custom-shift-without-hours.yaml",
        9,
        "teams[0 'infra'].rotation",
        "shift: custom needs shift_hours",
        fix=("shift: custom,", "shift: custom, shift_hours: 12,"),
    ),
    Case(
        "target-two-kinds.yaml",
        13,
        "escalation_policies[0 'infra-page'].levels[0].targets[0]",
        "a target names exactly one of schedule, person, round_robin, everyone or",
        fix=("{schedule: infra, person: infra-manager}", "{schedule: infra}"),
    ),
    Case(
        "offset-wraps-to-primary.yaml",
        15,
        "escalation_policies[0 'infra-page'].levels[1].targets[0].offset",
        "offset 3 in the 3-person rotation of team 'infra' wraps round to the person on call",
        fix=("offset: 3", "offset: 1"),
    ),
]


@pytest.fixture(autouse=True)
def in_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def check_error(case: Case, output: str) -> None:
    """The output is one short, located, specific report of the one mistake in `case`."""
    assert "Traceback" not in output
    assert len(output.splitlines()) <= ONE_SCREEN, output
    # The terminal may wrap long lines; compare with whitespace runs collapsed.
    flat = " ".join(output.split())
    assert f"{case.path}: 1 problem " in flat + " ", output
    if case.line is not None:
        located = rf"line {case.line}, column \d+: "
        if case.field is not None:
            located += re.escape(f"{case.field}: ")
        assert re.search(located, flat), output
    else:
        assert "line " not in flat.replace(str(case.path), ""), output
    assert case.phrase in flat, output


@pytest.mark.parametrize("case", CASES, ids=str)
def test_validate_reports_the_mistake(case: Case) -> None:
    result = CliRunner().invoke(app, ["validate", str(case.path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == ""
    check_error(case, result.stderr)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_run_reports_the_mistake_before_running(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = CliRunner().invoke(app, ["run", str(case.path), "--runs", "2", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    check_error(case, result.stderr)
    assert not out.exists()


@pytest.mark.parametrize("case", [c for c in CASES if c.fix], ids=str)
def test_each_file_has_exactly_one_mistake(case: Case) -> None:
    old, new = case.fix
    _comment, body = case.path.read_text().split("\n", 1)
    assert body.count(old) == 1
    load_scenario_text(body.replace(old, new), source=case.file)  # valid once fixed


def test_every_bad_file_is_a_case_and_says_what_is_wrong() -> None:
    files = sorted(path.name for path in BAD.glob("*.yaml"))
    assert files == sorted(case.file for case in CASES if case.path.exists())
    for name in files:
        assert (BAD / name).read_text().startswith("# Wrong: "), name
    assert len(CASES) >= 14


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def case_named(file: str) -> Case:
    return next(case for case in CASES if case.file == file)


@pytest.mark.parametrize(
    ("command", "file"),
    [
        ("validate", "key-typo.yaml"),
        ("validate", "unclosed-bracket.yaml"),
        ("run", "variant-path-missing.yaml"),
        ("run", "variant-value-out-of-range.yaml"),
    ],
)
def test_real_entry_point_exits_2_without_traceback(command: str, file: str) -> None:
    case = case_named(file)
    completed = run_module(command, str(case.path))
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    check_error(case, completed.stderr)


def test_schema_is_json_with_the_top_level_fields() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert {"services", "teams", "variants"} <= set(schema["properties"])


def test_help_exits_0() -> None:
    completed = run_module("--help")
    assert completed.returncode == 0, completed.stderr
    assert "validate" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_help_does_not_import_numba() -> None:
    code = (
        "import sys, sim.cli\n"
        "try:\n"
        "    sim.cli.app(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('numba imported:', 'numba' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1] == "numba imported: False"


def test_validate_the_example_scenario() -> None:
    result = CliRunner().invoke(app, ["validate", "scenarios/telco-weekend.yaml"])
    assert result.exit_code == 0, result.output
    assert "30 services" in " ".join(result.stdout.split())


def test_long_file_path_is_printed_whole(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder-with-a-rather-long-name" / "and-another-one-below-it"
    folder.mkdir(parents=True)
    scenario = folder / "key-typo.yaml"
    scenario.write_text(case_named("key-typo.yaml").path.read_text())
    result = CliRunner().invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"{scenario}: 1 problem"
