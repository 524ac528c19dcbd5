"""The README's on-call example is a valid scenario fragment that runs end to end."""

from __future__ import annotations

from builders import REPO
from invariants import check_pages_follow_policies

from sim import simulate
from sim.scenario import load_scenario_text


def readme_on_call_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\nsites:") + len("```yaml\n")
    return readme[start : readme.index("```", start)]


def test_readme_on_call_example_validates_and_runs():
    block = readme_on_call_example()
    # The fragment refers to two more teams (RACI) that a real file would define.
    text = "name: readme example\nhorizon: {weeks: 26}\n" + block.replace(
        "teams:\n",
        "teams:\n  - {name: dba, engineers: 2}\n  - {name: support, engineers: 2}\n",
        1,
    )
    scenario = load_scenario_text(text, "README.md")
    run = simulate(scenario, run=1)
    check_pages_follow_policies(run.compiled, run.records)
    kpis = run.kpis
    assert kpis["deferred_alerts"] > 0  # P3/P4 outside support hours wait
    assert kpis["raci_consult_pages"] > 0  # billing P1s pull in the dba team
    assert kpis["informed_notifications"] > 0
    assert kpis["retriggers"] > 0  # 60-minute ack expiry against ~55-minute median work
