"""The shape of the code: which package may import which, and how big a module or function may
grow (docs/ARCHITECTURE.md).

The import graph is read from the source (every ``import`` statement, those inside functions
included), not from what happens to be imported at run time. Packages are the folders under
``parkops/`` (``core``, ``db`` and the domains); the modules at the top (``app``, ``cli``,
``demo``, ``models``, and the ``jobs`` package) are the composition root that wires the
domains together, and ``config`` is a leaf everybody may read.

``python tests/unit/test_architecture.py`` prints the figures: the largest modules, the longest
functions and the function-level import cycles inside packages.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "parkops"
# jobs: the worker wires the background tasks to the domains, as app does the routes.
COMPOSITION_ROOT = {"app", "cli", "demo", "models", "jobs"}
LEAVES = {"config"}  # importable by everybody, imports no other parkops module
FOUNDATION = {"core", "db"}  # import no domain

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Today's offenders (issue 11, step B splits them): a size may only go down; remove an entry
# when its module or function fits the limit.
MODULE_ALLOWANCE = {
    "parkops/billing/meters.py": 684,
    "parkops/billing/models.py": 617,
    "parkops/billing/payments.py": 853,
    "parkops/leases/rules/schedule.py": 791,
    "parkops/leases/rules/terms.py": 723,
}
FUNCTION_ALLOWANCE = {
    "parkops/billing/meters.py:create_meter": 94,
    "parkops/billing/meters.py:record_reading": 115,
    "parkops/billing/payments.py:record_payment": 86,
    "parkops/billing/run.py:execute_run": 107,
    "parkops/billing/run.py:start_run": 82,
    "parkops/billing/rules/run_plan.py:plan_bills": 172,
    "parkops/leases/contract_document.py:build_context": 121,
    "parkops/leases/services/amendments.py:amend_terms": 103,
    "parkops/leases/services/reservations.py:create_reservation": 85,
}
# Packages whose modules still import each other in a cycle (through imports inside functions,
# which is how a module cycle hides): their restructuring (issue 11, step B) removes them. Only
# shrinks.
CYCLE_ALLOWANCE = {"billing"}


@dataclass(frozen=True)
class Import:
    source: str  # dotted module name
    target: str  # dotted module name, resolved to a module of parkops
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def package_of(module: str) -> str:
    """``parkops.leases.services.reading`` -> ``leases``; ``parkops.app`` -> ``app``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _function_spans(tree: ast.AST) -> list[tuple[int, int]]:
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def imports(known: dict[str, Path]) -> Iterator[Import]:
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        spans = _function_spans(tree)
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from parkops.x import y`` imports module parkops.x.y when y is one.
                targets = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
                targets = targets or [base]
            else:
                continue
            inside = any(start <= node.lineno <= end for start, end in spans)
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target.startswith("parkops.") and target != name:
                    yield Import(name, target, node.lineno, inside)


def package_graph(found: list[Import]) -> dict[str, dict[str, list[Import]]]:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for imp in found:
        a, b = package_of(imp.source), package_of(imp.target)
        if a != b:
            graph[a][b].append(imp)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def module_cycles(found: list[Import]) -> list[list[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in found:
        graph[imp.source].add(imp.target)
    return cycles(graph)


def module_sizes(known: dict[str, Path]) -> dict[str, int]:
    return {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in known.values()
    }


def _is_demo(path: str) -> bool:
    name = Path(path).name
    return name == "demo.py" or name.startswith("demo_")


def _functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """(qualified name, lines from the first decorator to the end) of every function."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            qualified = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                yield qualified, (child.end_lineno or child.lineno) - first + 1
            yield from _functions(child, qualified + ".")


def function_sizes(known: dict[str, Path]) -> dict[str, int]:
    """``path:qualified.name`` -> lines, for every function outside demo data."""
    sizes: dict[str, int] = {}
    for path in known.values():
        rel = str(path.relative_to(ROOT))
        if not _is_demo(rel):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            sizes.update((f"{rel}:{name}", n) for name, n in _functions(tree))
    return sizes


# --- the tests ----------------------------------------------------------------------------------

KNOWN = modules()
IMPORTS = list(imports(KNOWN))


def test_no_import_cycle_between_packages():
    graph = package_graph(IMPORTS)
    found = cycles({a: set(targets) for a, targets in graph.items()})
    detail = [
        f"{a} -> {b}: " + ", ".join(f"{i.source}:{i.line}" for i in graph[a][b][:3])
        for component in found
        for a in component
        for b in component
        if b in graph.get(a, {})
    ]
    assert not found, "package import cycles:\n" + "\n".join(detail)


@pytest.mark.parametrize("package", sorted(FOUNDATION | LEAVES))
def test_foundations_import_no_domain(package):
    allowed = FOUNDATION | LEAVES if package in FOUNDATION else set()
    wrong = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in IMPORTS
        if package_of(i.source) == package
        and package_of(i.target) != package
        and package_of(i.target) not in allowed
    ]
    assert not wrong, "\n".join(wrong)


def test_domains_do_not_import_the_composition_root():
    wrong = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in IMPORTS
        if package_of(i.source) not in COMPOSITION_ROOT and package_of(i.target) in COMPOSITION_ROOT
    ]
    assert not wrong, "\n".join(wrong)


def test_the_graph_is_read_from_the_source():
    """The checks above see function-level imports and resolve ``from x import module``."""
    found = {(i.source, i.target, i.in_function) for i in IMPORTS}
    assert ("parkops.app", "parkops.leases.domain", False) in found
    assert any(source.startswith("parkops.billing.") and inside for source, _t, inside in found)


def test_no_import_cycle_between_modules():
    """Not even through an import inside a function: a module that needs another's function at
    run time while that one needs it back is one module cut in two, or a rule in the wrong one."""
    found = module_cycles(IMPORTS)
    wrong = [c for c in found if {package_of(m) for m in c} - CYCLE_ALLOWANCE]
    assert not wrong, "module import cycles:\n" + "\n".join(" <-> ".join(c) for c in wrong)
    fixed = CYCLE_ALLOWANCE - {package_of(m) for c in found for m in c}
    assert not fixed, f"no module cycle any more: remove from CYCLE_ALLOWANCE: {sorted(fixed)}"


def test_no_module_over_the_limit():
    sizes = module_sizes(KNOWN)
    over = {p: n for p, n in sizes.items() if n > MODULE_ALLOWANCE.get(p, MAX_MODULE_LINES)}
    assert not over, f"over {MAX_MODULE_LINES} lines (or grown past its allowance): {over}"
    fixed = [p for p in MODULE_ALLOWANCE if sizes.get(p, 0) <= MAX_MODULE_LINES]
    assert not fixed, f"within the limit now: remove from MODULE_ALLOWANCE: {fixed}"


def test_no_function_over_the_limit():
    sizes = function_sizes(KNOWN)
    over = {f: n for f, n in sizes.items() if n > FUNCTION_ALLOWANCE.get(f, MAX_FUNCTION_LINES)}
    assert not over, f"over {MAX_FUNCTION_LINES} lines (or grown past its allowance): {over}"
    fixed = [f for f in FUNCTION_ALLOWANCE if sizes.get(f, 0) <= MAX_FUNCTION_LINES]
    assert not fixed, f"within the limit now: remove from FUNCTION_ALLOWANCE: {fixed}"


def report() -> str:
    sizes = module_sizes(KNOWN)
    functions = function_sizes(KNOWN)
    lines = ["largest modules:"]
    lines += [f"  {n:5d} {p}" for p, n in sorted(sizes.items(), key=lambda x: -x[1])[:5]]
    lines += ["longest functions (outside demo data):"]
    lines += [f"  {n:5d} {f}" for f, n in sorted(functions.items(), key=lambda x: -x[1])[:5]]
    over = sum(1 for n in functions.values() if n > MAX_FUNCTION_LINES)
    lines += [
        f"modules over {MAX_MODULE_LINES} lines: "
        f"{sum(1 for n in sizes.values() if n > MAX_MODULE_LINES)}",
        f"functions over {MAX_FUNCTION_LINES} lines: {over}",
        "module import cycles (through function-level imports):",
    ]
    lines += ["  " + " <-> ".join(c) for c in module_cycles(IMPORTS)] or ["  none"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report() + "\n")
