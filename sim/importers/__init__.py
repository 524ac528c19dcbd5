"""Importers: paging-tool exports (PagerDuty, ...) to scenario files.

Each tool has its own module; they share reading with located errors (``sources``), the import
report (``report``), the check against the tool's rendering (``rendering``) and the YAML
writer (``yaml_writer``).
"""

from __future__ import annotations

from sim.importers.sources import ImportInputError

__all__ = ["ImportInputError"]
