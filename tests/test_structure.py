"""The shape of src/innspill (issue 22), read with ast, without importing any module:

* the import graph of the package's module-level imports has no cycle (imports inside functions,
  which run late on purpose, and ``if TYPE_CHECKING:`` blocks are not edges);
* no module uses another innspill module's private name (``_name``), whether imported with
  ``from innspill.x import _name`` or reached as ``x._name`` through an imported module.

* no module is over 500 lines and no function over 80 lines (the test lists each that is, longest first).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PKG = SRC / "innspill"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

#: Private names that modules of innspill.web took from other modules while the web app was
#: split into Django apps by concern (issue 22): (importing module, module the name belongs to,
#: name). The split gave each a public home, so none is left; a new use fails the test.
KNOWN_WEB_PRIVATE_USES: set[tuple[str, str, str]] = set()

#: Import cycles among web modules left for the same split, each as its sorted module names
#: (none at present: a cycle anywhere fails the test).
KNOWN_WEB_CYCLES: set[tuple[str, ...]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}
TREES: dict[str, ast.Module] = {
    name: ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for name, path in MODULES.items()
}


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _resolve(module: str, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import ...`` written in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _imports(module: str, body_only: bool):
    """Each import in ``module`` as (node, [(absolute module, imported name or None, local name)]).

    With ``body_only`` the imports that run when the module is imported: the module's own body,
    including ``try`` / ``if`` blocks but not ``if TYPE_CHECKING:`` and not function or class
    bodies' functions."""
    tree = TREES[module]

    def walk(nodes):
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node
            if not body_only:
                for child in ast.iter_child_nodes(node):
                    yield from walk([child])
                continue
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if test not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                    yield from walk(node.body)
                yield from walk(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]):
                    yield from walk(block)
            elif isinstance(node, (ast.With, ast.ClassDef)):
                yield from walk(node.body)

    for node in walk(tree.body):
        if isinstance(node, ast.Import):
            yield node, [(a.name, None, a.asname or a.name) for a in node.names]
        else:
            source = _resolve(module, node.level, node.module)
            yield node, [(source, a.name, a.asname or a.name) for a in node.names]


def _target(source: str, name: str | None) -> str | None:
    """The innspill module an import depends on: ``from a.b import c`` is a.b.c when c is a module."""
    if name is not None and f"{source}.{name}" in MODULES:
        return f"{source}.{name}"
    while source and source not in MODULES:  # import innspill.a.b.c as x: the deepest module known
        source = source.rpartition(".")[0]
    return source or None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for _node, names in _imports(module, body_only=True):
            for source, name, _local in names:
                if source.split(".")[0] != "innspill":
                    continue
                target = _target(source, name)
                if target and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses() -> set[tuple[str, str, str]]:
    """(module, the other module, private name) for each private name one module takes from another."""
    uses = set()
    for module in MODULES:
        module_aliases: dict[str, str] = {}  # local name -> innspill module it is bound to
        for _node, names in _imports(module, body_only=False):
            for source, name, local in names:
                if source.split(".")[0] != "innspill":
                    continue
                if name is None:  # import innspill.x.y [as z]
                    if local != source:
                        module_aliases[local] = source
                    else:
                        module_aliases[source] = source
                    continue
                target = _target(source, name)
                if target == f"{source}.{name}":
                    module_aliases[local] = target
                elif _private(name) and target != module:
                    uses.add((module, target or source, name))
        for node in ast.walk(TREES[module]):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                owner = ast.unparse(node.value)
                target = module_aliases.get(owner)
                if target and target != module:
                    uses.add((module, target, node.attr))
    return uses


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert graph["innspill.pipeline"], "the graph should see the pipeline's imports"
    found = set(cycles(graph))
    assert not found - KNOWN_WEB_CYCLES, f"import cycles: {sorted(found - KNOWN_WEB_CYCLES)}"
    for stale in sorted(KNOWN_WEB_CYCLES - found):
        print(f"\nKNOWN_WEB_CYCLES: no longer found, remove it: {stale}")


WEB_ONLY = ("django", "uvicorn", "segno")


def test_the_library_imports_no_web_code_at_import_time():
    """``pip install innspill`` has no Django, uvicorn or segno (they are ``innspill[web]``): no
    module outside innspill.web imports them, or innspill.web, when it is imported. The CLI's
    web commands import the web app inside the command and say E302 when it is missing."""
    found = []
    for module in MODULES:
        if module == "innspill.web" or module.startswith("innspill.web."):
            continue
        for node, names in _imports(module, body_only=True):
            for source, name, _local in names:
                top = source.split(".")[0]
                target = _target(source, name) if top == "innspill" else source
                if top in WEB_ONLY or target == "innspill.web" or (target or "").startswith("innspill.web."):
                    found.append(f"{module}:{node.lineno} imports {target}")
    assert not found, found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [("a", "b", "c")]


def test_no_module_uses_another_modules_private_name():
    found = private_uses()
    new = found - KNOWN_WEB_PRIVATE_USES
    assert not new, "private names used from another module (make them public, or move the code):\n" + \
        "\n".join(f"  {m} uses {owner}.{name}" for m, owner, name in sorted(new))
    for stale in sorted(KNOWN_WEB_PRIVATE_USES - found):
        print(f"\nKNOWN_WEB_PRIVATE_USES: no longer found, remove it: {stale}")


def test_the_exceptions_are_only_for_the_web_app():
    """Library modules get no exceptions: a violation there is fixed, not listed."""
    assert all(m.startswith("innspill.web.") for m, _owner, _name in KNOWN_WEB_PRIVATE_USES)
    assert all(all(m.startswith("innspill.web.") for m in cycle) for cycle in KNOWN_WEB_CYCLES)


def test_the_checks_see_private_names_both_ways(tmp_path, monkeypatch):
    """``from innspill.x import _f`` and ``x._f`` through an imported module are both found;
    dunder names and a module's own private names are not uses."""
    sources = {
        "innspill.fake_a": "from innspill.fake_b import _hidden, public\nfrom innspill import fake_b\n"
                           "x = fake_b._other + fake_b.__name__.__len__()\n",
        "innspill.fake_b": "_hidden = _other = 1\npublic = _hidden\n",
    }
    for name, text in sources.items():
        monkeypatch.setitem(MODULES, name, tmp_path / f"{name}.py")
        monkeypatch.setitem(TREES, name, ast.parse(text))
    uses = {u for u in private_uses() if u[0] == "innspill.fake_a"}
    assert uses == {("innspill.fake_a", "innspill.fake_b", "_hidden"), ("innspill.fake_a", "innspill.fake_b", "_other")}


def _long_functions():
    """(module, qualified name, first line, lines) of each function over the limit, methods and
    nested functions included."""

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    length = child.end_lineno - child.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        yield name, child.lineno, length
                yield from walk(child, f"{name}.")
            else:
                yield from walk(child, prefix)

    for module, tree in TREES.items():
        for name, line, length in walk(tree, ""):
            yield module, name, line, length


def test_no_module_or_function_is_too_long():
    """No module over MAX_MODULE_LINES lines, no function over MAX_FUNCTION_LINES (issue 22)."""
    long_modules = sorted(((len(MODULES[m].read_text(encoding="utf-8").splitlines()), m) for m in MODULES),
                          reverse=True)
    long_modules = [(n, m) for n, m in long_modules if n > MAX_MODULE_LINES]
    print(f"\nmodules over {MAX_MODULE_LINES} lines: {len(long_modules)}")
    for n, m in long_modules:
        print(f"  {n:5d}  {m}")
    functions = sorted(_long_functions(), key=lambda f: -f[3])
    print(f"functions over {MAX_FUNCTION_LINES} lines: {len(functions)}")
    for module, name, line, length in functions:
        print(f"  {length:5d}  {module}.{name} (line {line})")
    assert not long_modules and not functions, "split them (see the lists printed above)"
