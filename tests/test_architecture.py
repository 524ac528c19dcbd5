"""The package's shape: stages import only stages below them, and no module imports itself back.

Every ``import sim...`` / ``from sim... import`` statement counts, including those inside
functions; imports under a ``TYPE_CHECKING`` guard are left out (they never run). The stage order
is the data flow of docs/design.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sim"

#: Stages in data-flow order; a module may import its own stage and the stages before it.
STAGES = (
    "scenario",
    "calendar",
    "compile",
    "generator",
    "model",
    "metrics_detail",
    "metrics",
    "stats",
    "experiment",
    "calibration",
    "importers",
    "report",
    "validation",
    "cli",
)
#: Modules outside the order: the lazy public API and the entry points may import anything.
UNORDERED = {"sim", "sim.__main__"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking_guard(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every sim module this module imports at run time (type-only imports left out)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking_guard(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "sim")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] == "sim":
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(path): path for path in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = _imports(tree, name, path.name == "__init__.py")
        # "from sim.x import y" names module sim.x.y only when that module exists.
        graph[name] = {target for target in imported if target in modules and target != name}
    return graph


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_belongs_to_a_stage():
    unknown = sorted(
        module for module in _graph() if module not in UNORDERED and _stage(module) not in STAGES
    )
    assert unknown == [], f"modules outside every stage of docs/design.md: {unknown}"


def test_a_stage_imports_only_stages_below_it():
    wrong = []
    for module, targets in _graph().items():
        if module in UNORDERED:
            continue
        rank = STAGES.index(_stage(module))
        for target in targets:
            if target in UNORDERED or target == "sim":
                wrong.append(f"{module} -> {target} (the public API is for users)")
            elif STAGES.index(_stage(target)) > rank:
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


def test_no_import_cycles():
    graph = _graph()
    # A package's __init__ re-exporting its submodules is not a cycle; a submodule importing
    # its own package's __init__ while that __init__ imports it would be, so that is counted.
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


#: Stages whose modules stay small: the model and the compile step (docs/design.md).
SMALL_STAGES = ("model", "compile")
MODULE_LINES_AT_MOST = 450
FUNCTION_LINES_AT_MOST = 60
#: The measured hot path, inlined on purpose (a helper would add a generator frame per resume).
LONG_ON_PURPOSE = {("sim.model.world", "_incident")}


def _small_stage_modules() -> list[Path]:
    return sorted(path for stage in SMALL_STAGES for path in (PACKAGE / stage).rglob("*.py"))


def test_model_and_compile_modules_stay_under_450_lines():
    long = {
        _module_name(path): lines
        for path in _small_stage_modules()
        if (lines := len(path.read_text().splitlines())) > MODULE_LINES_AT_MOST
    }
    assert not long, f"split these modules (lines): {long}"


def test_model_and_compile_functions_stay_under_60_lines_except_the_hot_path():
    long = {}
    for path in _small_stage_modules():
        module = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES_AT_MOST and (module, node.name) not in LONG_ON_PURPOSE:
                    long[f"{module}.{node.name}"] = lines
    assert not long, f"split these functions (lines): {long}"
