"""The package's structure, measured: no import circle, and no import that runs back up.

The layers, lowest first (a module may import its own layer and the ones below, never a
higher one):

0. parsers, domain, config, settings,   a file format, a rule, the settings (and how one
   env_values, choices, sources,        is read), a file listing, how a number reads
   numbers
1. steps, storage                        rows in, rows out; the schema and the queries
2. season, publish, synth, report, admin_report   what is built from the stored nights
3. defs, definitions                     the thin Dagster layer
4. cli, and every package's __main__     the command line

Every import counts, also one inside a function (a lazy import is still an edge: it only
moves the circle to run time). Circles are looked for between modules and between the
top-level packages.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "et_pipeline"

LAYERS = [
    {"parsers", "domain", "config", "settings", "env_values", "choices", "sources", "numbers"},
    {"steps", "storage"},
    {"season", "publish", "synth", "report", "admin_report"},
    {"defs", "definitions"},
    {"cli"},
]


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """{module: the package's modules it imports}, every import statement of the file."""
    paths = {_module_name(root, p): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in paths}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                for a in node.names:     # `from pkg import module` imports the module
                    target = "%s.%s" % (base, a.name) if "%s.%s" % (base, a.name) in paths else base
                    if target in paths and target != name:
                        edges.add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def unit(module: str) -> str:
    """The top-level package or module of the package a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer(module: str, layers=LAYERS) -> int:
    if module.endswith(".__main__"):         # `python -m et_pipeline.x`: a command line
        return len(layers) - 1
    for i, units in enumerate(layers):
        if unit(module) in units:
            return i
    raise KeyError("%s is in no layer: add %r to LAYERS" % (module, unit(module)))


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, targets in graph.items():
        out.setdefault(unit(a), set()).update(unit(b) for b in targets if unit(b) != unit(a) and not
                                              a.endswith(".__main__"))
    return out


def back_up_imports(graph: dict[str, set[str]], layers=LAYERS) -> list[str]:
    return sorted("%s -> %s" % (a, b) for a, targets in graph.items() for b in targets
                  if layer(b, layers) > layer(a, layers))


# ---------------------------------------------------------------- the package

def test_every_module_is_in_a_layer():
    for module in import_graph(PACKAGE):
        if module != "et_pipeline":
            layer(module)


def test_no_module_imports_in_a_circle():
    assert cycles(import_graph(PACKAGE)) == []


def test_no_package_imports_in_a_circle():
    assert cycles(package_graph(import_graph(PACKAGE))) == []


def test_no_import_runs_back_up_a_layer():
    assert back_up_imports(import_graph(PACKAGE)) == []


# A command's module imports the shared helpers (cli.common) and its own presentation
# module, never another command's module: what two commands share lives in cli.common.
CLI_OWN_MODULES = {"et_pipeline.cli.output": "et_pipeline.cli.run"}


def cli_cross_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted("%s -> %s" % (a, b) for a, targets in graph.items() for b in targets
                  if unit(a) == "cli" == unit(b) and a != "et_pipeline.cli" and not a.endswith(".__main__")
                  and b != "et_pipeline.cli.common" and CLI_OWN_MODULES.get(b) != a)


def test_no_command_module_imports_another_commands_helpers():
    assert cli_cross_imports(import_graph(PACKAGE)) == []


# ---------------------------------------------------------------- the measuring itself

@pytest.fixture
def toy(tmp_path) -> Path:
    """A package with one circle (publish.a <-> publish.b, one of them lazy, one relative)
    and one import back up (domain.rule -> cli)."""
    root = tmp_path / "et_pipeline"
    files = {
        "__init__.py": "",
        "cli/__init__.py": "from et_pipeline.publish import a\n",
        "domain/__init__.py": "",
        "domain/rule.py": "def f():\n    from et_pipeline.cli import x\n",
        "publish/__init__.py": "",
        "publish/a.py": "from .b import y\n",
        "publish/b.py": "def g():\n    import et_pipeline.publish.a\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_measure_finds_a_circle_lazy_and_relative_imports_included(toy):
    graph = import_graph(toy)
    assert graph["et_pipeline.publish.a"] == {"et_pipeline.publish.b"}
    assert cycles(graph) == [["et_pipeline.publish.a", "et_pipeline.publish.b"]]


def test_the_measure_finds_an_import_back_up_and_a_package_circle(toy):
    graph = import_graph(toy)
    layers = [{"domain"}, {"publish"}, {"cli"}]
    assert back_up_imports(graph, layers) == ["et_pipeline.domain.rule -> et_pipeline.cli"]
    assert cycles(package_graph(graph)) == []
    (toy / "publish" / "b.py").write_text("from et_pipeline import cli\n")
    assert cycles(package_graph(import_graph(toy))) == [["cli", "publish"]]


def test_the_measure_finds_a_command_importing_another_commands_module(toy):
    (toy / "cli" / "run.py").write_text("from et_pipeline.cli.common import die\nfrom et_pipeline.cli.output import p\n")
    (toy / "cli" / "report.py").write_text("from et_pipeline.cli.run import q\n")
    for name in ("common", "output"):
        (toy / "cli" / (name + ".py")).write_text("")
    assert cli_cross_imports(import_graph(toy)) == ["et_pipeline.cli.report -> et_pipeline.cli.run"]


def test_a_module_outside_every_layer_is_named(toy):
    with pytest.raises(KeyError, match="domain"):
        layer("et_pipeline.domain.rule", [{"cli"}])
