"""The package's import graph: no cycles, and no arrow from a lower layer up.

Every import counts, a lazy one inside a function included (it only moves the cycle to
run time); imports under `if TYPE_CHECKING:` do not run and are left out. `from a import b`
is an arrow to the module a.b when there is one, else to a.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"

# The layers below the answer stage never import it (nor anything above it).
LOWER = ("schema", "chunking", "cleaning", "loaders", "identity", "config", "registry")
LOWER_PACKAGES = ("index", "embeddings", "llm")
ABOVE_ANSWER = ("evaluation", "fitting", "ui", "cli", "integrations")


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    return skip


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that module `name` imports, anywhere in its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    out.add(f"{base}.{alias.name}")
                elif base in known:
                    out.add(base)
    out.discard(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_planted_cycle() -> None:
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(g) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_lazy_imports_count(tmp_path: Path) -> None:
    mod = tmp_path / "m.py"
    mod.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from assistant import ui\n"
        "def f():\n    from assistant.answer import refusal\n",
        encoding="utf-8",
    )
    known = {"assistant.answer": Path(), "assistant.answer.refusal": Path(), "assistant.ui": Path()}
    assert imports("m", mod, known) == {"assistant.answer.refusal"}


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def _is(name: str, short: str) -> bool:
    full = f"assistant.{short}"
    return name == full or name.startswith(full + ".")


def test_lower_layers_never_import_the_answer_stage() -> None:
    g = graph()
    lower = [m for m in g if any(_is(m, s) for s in (*LOWER, *LOWER_PACKAGES))]
    assert "assistant.schema" in lower and "assistant.index.catalog" in lower
    upward = {
        m: sorted(t for t in g[m] if any(_is(t, s) for s in ("answer", *ABOVE_ANSWER)))
        for m in lower
    }
    assert {m: t for m, t in upward.items() if t} == {}


def test_the_answer_stage_never_imports_what_sits_above_it() -> None:
    g = graph()
    answer = [m for m in g if _is(m, "answer")]
    assert "assistant.answer.answerer" in answer
    upward = {m: sorted(t for t in g[m] if any(_is(t, s) for s in ABOVE_ANSWER)) for m in answer}
    assert {m: t for m, t in upward.items() if t} == {}


# A module past these is split on its seams (issue 28), a class likewise.
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 150


def _oversized() -> dict[str, str]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        classes = [
            f"{c.name}: {c.end_lineno - c.lineno + 1} lines"
            for c in ast.walk(ast.parse(text))
            if isinstance(c, ast.ClassDef) and c.end_lineno - c.lineno + 1 > MAX_CLASS_LINES
        ]
        if lines > MAX_MODULE_LINES or classes:
            name = path.relative_to(PACKAGE.parent).as_posix()
            found[name] = f"{lines} lines" + "".join(f"; class {c}" for c in classes)
    return found


def test_no_module_over_400_lines_nor_class_over_150():
    assert _oversized() == {}
