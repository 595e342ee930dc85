"""The package's layers (README, "How the code is organised"), checked on the source itself.

Readers only read, calling only calls, the decision never sees a file format, reports only
render: each layer imports only the layers below it. No import cycle, no armmatch import
inside a function, no runtime module over 700 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "armmatch"
BASE = {"errors", "events", "genome", "hgvs", "io", "paths", "patient", "schemas", "config"}
ALLOWED = {
    "base": {"base"},
    "readers": {"base"},
    "knowledge": {"base"},
    "knowledge.build": {"base", "knowledge", "calling"},
    "calling": {"base", "readers", "knowledge"},
    "decision": {"base", "knowledge"},
    "followup": {"base", "knowledge", "readers"},
    "report": {"base", "knowledge", "decision", "followup"},
    "run": {"base", "readers", "knowledge", "knowledge.build", "calling", "decision", "followup",
            "report", "run"},
}  # fmt: skip


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
    return rel.removesuffix(".__init__").removesuffix("__init__") or "__init__"


def layer(module: str) -> str:
    """``readers``, ``calling``, ... or ``base`` for the top-level modules."""
    parts = module.split(".")
    if parts[0] in BASE or len(parts) == 1:
        return "base"
    if parts[:2] == ["knowledge", "build"]:
        return "knowledge.build"
    return parts[0]


def _imports(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    """armmatch modules imported at module level, and (line, module) of imports in functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = {id(n) for node in tree.body if isinstance(node, ast.If)
               and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}  # fmt: skip
    top, inner = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("armmatch."):
            name = str(node.module).removeprefix("armmatch.")
            if node.col_offset == 0 or id(node) in guarded:
                top.append(name)
            else:
                inner.append((node.lineno, name))
    return top, inner


def _graph() -> dict[str, list[str]]:
    return {_module(p): _imports(p)[0] for p in sorted(PACKAGE.rglob("*.py"))}


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = [
        f"{mod} ({layer(mod)}) imports {dep} ({layer(dep)})"
        for mod, deps in _graph().items()
        for dep in deps
        if layer(dep) not in ALLOWED[layer(mod)] | {layer(mod)}
    ]
    assert wrong == []


def test_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(mod: str, path: list[str]) -> None:
        state[mod] = 1
        for dep in graph.get(mod, []):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep] if dep in path else [mod, dep])
            elif dep in graph and dep not in state:
                visit(dep, [*path, dep])
        state[mod] = 2

    for mod in graph:
        if mod not in state:
            visit(mod, [mod])
    assert cycles == []


def test_no_armmatch_import_inside_a_function() -> None:
    inner = [f"{_module(p)}:{line} imports {mod}" for p in sorted(PACKAGE.rglob("*.py"))
             for line, mod in _imports(p)[1]]  # fmt: skip
    assert inner == []


def test_no_runtime_module_over_700_lines() -> None:
    long = {_module(p): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}  # fmt: skip
    assert long == {}


def test_the_checks_can_fail() -> None:
    assert layer("readers.vcf") == "readers" and layer("hgvs") == "base"
    assert layer("knowledge.build.updater") == "knowledge.build"
    assert "calling" not in ALLOWED["readers"] and "readers" not in ALLOWED["decision"]
