"""Scenario -> arrays, once per variant: organisation, schedules, escalation policies, paging
rules and cascade tables, gathered in a :class:`CompiledScenario`.

* :mod:`sim.compile.compiled`: the CompiledScenario, arrival tables, and the compile step;
* :mod:`sim.compile.organisation`: people, sites, teams and their on-call timelines;
* :mod:`sim.compile.schedules`: layered on-call schedules as timelines;
* :mod:`sim.compile.escalation`: escalation policies as level tables;
* :mod:`sim.compile.paging`: paging rules (urgency, support hours, maintenance) as arrays;
* :mod:`sim.compile.cascades`: the failure-propagation graph;
* :mod:`sim.compile.noise`: transient alerts, pause, flapping and SLO rules as arrays.
"""

from sim.compile.compiled import ArrivalTables, CompiledScenario, compile_scenario

__all__ = ["ArrivalTables", "CompiledScenario", "compile_scenario"]
