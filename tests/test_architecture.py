"""The package's shape: folders follow the data flow, imports run one way, modules stay small.

These are the rules a newcomer relies on when guessing where something lives (docs/architecture.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "research"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Every research module ``name`` imports when it runs: module level and inside functions,
    but not under ``if TYPE_CHECKING:`` (never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")  # a submodule
                elif base in modules:
                    found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(name)
    return found


def _graph() -> nx.DiGraph:
    modules = _modules()
    G = nx.DiGraph()
    G.add_nodes_from(modules)
    for name, path in modules.items():
        G.add_edges_from((name, target) for target in _imports(path, name, modules))
    return G


def test_no_import_cycles_function_level_imports_included():
    G = _graph()
    cycles = [c for c in nx.simple_cycles(G) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_graph_sees_function_level_imports():
    # The check above is only worth something if it sees imports inside functions.
    assert ("research.cli", "research.run.pipeline") in _graph().edges


def test_folders_are_layers_that_import_downwards():
    """cli -> run -> brief -> analyses -> store -> sources: never the other way round."""
    order = ["research.run", "research.brief", "research.analyses", "research.store", "research.sources"]

    def layer(module: str) -> int | None:
        return next((i for i, p in enumerate(order) if module == p or module.startswith(p + ".")), None)

    upward = [
        (a, b)
        for a, b in _graph().edges
        if layer(a) is not None and layer(b) is not None and layer(b) < layer(a)
    ]
    assert not upward, f"imports that run upwards: {upward}"


def test_few_loose_modules_and_none_too_long():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if not p.name.startswith("__"))
    assert len(loose) <= 8, loose
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 600
    }
    assert not long, f"modules over 600 lines: {long}"


def test_only_the_cli_prints_or_exits():
    offenders = []
    for name, path in _modules().items():
        if name in ("research.cli", "research.__main__"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        main_guard = {
            id(n)
            for node in tree.body
            if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
            for n in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in main_guard or not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if func in ("print", "sys.exit", "exit", "quit"):
                offenders.append(f"{name}:{node.lineno} {func}")
    assert not offenders, offenders
