"""The code's shape in figures (issue 11): files and lines per package, functions over 60
lines, imports inside functions (and those without a comment saying why), import cycles,
queries outside repositories — calls of SQLAlchemy's ``select``/``insert``/``update``/
``delete``, found in the syntax tree, so a word in a comment or a string is no query
(apart: those in INFRASTRUCTURE files, which no repository should hold) — and the
import-linter contracts kept.

``python -m bench structure`` (or ``python -m bench.structure``) from the repository root.
Import cycles are the strongly connected components of the module import graph that
grimp (shipped with import-linter) builds over ``claimdesk``: a component of n > 1 modules
is one cycle, however many paths it holds.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "claimdesk"
LONG_FUNCTION = 60

# Files whose queries are no domain's business, so no repository's: they run a query
# over any table they are given or over every table, or load fixed demo data. Counted
# apart ("queries_in_infrastructure"), so "queries_outside_repositories" counts only the
# queries that should be in a repository.py and can go down to 0. The migrations are not
# read at all (_python_files).
INFRASTRUCTURE: dict[str, str] = {
    "db.py": "the engine, sessions, numbering sequences and deduplicated inserts",
    "paging.py": "the count and page of any query it is given",
    "ops/backup.py": "dump and load of every table",
    "crypto/rotation.py": "re-encrypts every encrypted column, found from the metadata",
    "audit/sealer.py": "seals the audit chain in seq ranges, under its own locks",
    "audit/verify.py": "verifies the audit chain in seq ranges",
    "jobs/queue.py": "the queue's own plumbing: deduplicated inserts into any table, guarded retry and failure updates, superseded jobs' delete",
    "ops/demo.py": "demo data loader",
    "ops/demo_history.py": "demo data loader",
    "sales/demo.py": "demo data loader",
    "service/demo.py": "demo data loader",
    "products/demo.py": "demo data loader",
}


def _python_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.relative_to(SRC).parts)


def _package(path: Path) -> str:
    parts = path.relative_to(SRC).parts
    if len(parts) == 1:
        return "(top level)"
    if parts[0] in {"claims", "web"} and len(parts) > 2:
        return f"{parts[0]}/{parts[1]}"
    return parts[0]


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _inner_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """The imports inside functions (each once, however deeply the functions nest)."""
    found: dict[int, ast.Import | ast.ImportFrom] = {}
    for function in _functions(tree):
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found[id(node)] = node
    return list(found.values())


def _unexplained(imports: list[ast.Import | ast.ImportFrom], lines: list[str]) -> list[int]:
    """The lines of the imports inside functions that do not say why they are there: a
    comment on the import's line or on the line above it (an import cycle it breaks, a
    heavy optional import it delays) explains it and the imports right below it."""
    found: list[int] = []
    explained_to = 0  # the last line of a run of explained imports
    for node in sorted(imports, key=lambda n: n.lineno):
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        end = node.end_lineno or node.lineno
        if (
            "#" in "".join(lines[node.lineno - 1 : end])
            or above.startswith("#")
            or explained_to == node.lineno - 1
        ):
            explained_to = end
        else:
            found.append(node.lineno)
    return found


QUERY_CALLS = frozenset({"select", "insert", "update", "delete"})


def _query_calls(tree: ast.AST) -> int:
    """Calls of SQLAlchemy's select/insert/update/delete (from ``sqlalchemy`` or one of its
    dialects, under any alias, or as an attribute of ``sqlalchemy`` or of a dialect module):
    a ``session.delete(row)`` or a ``dict.update`` is no query, nor is a word in a text."""
    names: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names |= {a.asname or a.name for a in node.names if a.name in QUERY_CALLS}
            if node.module == "sqlalchemy.dialects":  # postgresql.insert(...)
                modules |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "sqlalchemy"}

    def is_query(func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in names
        return (
            isinstance(func, ast.Attribute)
            and func.attr in QUERY_CALLS
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        )

    return sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call) and is_query(n.func))


def import_cycles() -> list[list[str]]:
    import grimp

    graph = grimp.build_graph("claimdesk", cache_dir=None)
    modules = sorted(graph.modules)
    index = {m: i for i, m in enumerate(modules)}
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    # Tarjan's strongly connected components, iteratively.
    counter = 0
    low: dict[str, int] = {}
    order: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in modules:
        if start in order:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                order[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = [t for t in edges[node] if t in index]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in order:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], order[target])
                continue
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(components, key=len, reverse=True)


def _contracts() -> str:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    lines = [line for line in result.stdout.splitlines() if "kept" in line and "broken" in line]
    return lines[-1].strip() if lines else "lint-imports gave no summary"


def source_figures() -> dict[str, object]:
    """The figures read from the source text alone (no import graph, no import-linter):
    quick enough for tests/test_layers.py's ratchet."""
    files: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    long_functions: list[str] = []
    inner_imports: Counter[str] = Counter()
    unexplained: list[str] = []
    queries: Counter[str] = Counter()
    infrastructure: Counter[str] = Counter()
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        package = _package(path)
        files[package] += 1
        lines[package] += text.count("\n")
        tree = ast.parse(text)
        name = path.relative_to(SRC).as_posix()
        for function in _functions(tree):
            length = (function.end_lineno or function.lineno) - function.lineno + 1
            if length > LONG_FUNCTION:
                long_functions.append(f"{name}:{function.name} ({length})")
        if inner := _inner_imports(tree):
            inner_imports[name] = len(inner)
            source = text.splitlines()
            unexplained += [f"{name}:{n}" for n in _unexplained(inner, source)]
        if path.name != "repository.py" and (n := _query_calls(tree)):
            (infrastructure if name in INFRASTRUCTURE else queries)[name] = n
    return {
        "files_and_lines": {p: [files[p], lines[p]] for p in sorted(files)},
        "total_files_lines": [sum(files.values()), sum(lines.values())],
        "functions_over_60_lines": len(long_functions),
        "long_functions": sorted(long_functions),
        "imports_inside_functions": sum(inner_imports.values()),
        "imports_inside_functions_by_file": dict(sorted(inner_imports.items())),
        # Those without a comment saying why (a cycle broken, a heavy import delayed).
        "imports_inside_functions_unexplained": sorted(unexplained),
        # Outside repositories and outside the infrastructure files: should be 0.
        "queries_outside_repositories": sum(queries.values()),
        "queries_by_file": dict(queries.most_common()),
        "queries_in_infrastructure": sum(infrastructure.values()),
        "queries_in_infrastructure_by_file": dict(infrastructure.most_common()),
    }


def run() -> dict[str, object]:
    figures = source_figures()
    cycles = import_cycles()
    return {
        **figures,
        "import_cycles": len(cycles),
        "modules_in_cycles": sum(len(c) for c in cycles),
        "cycles": cycles,
        "contracts": _contracts(),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
