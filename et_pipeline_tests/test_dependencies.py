"""Reproducible installs: every third-party package the code imports is declared in
pyproject.toml, and every declared one is pinned in requirements.lock (what `make`
installs) at a version its specifier accepts. openskill decides the ratings and matplotlib
the graphs' bytes: a floating version would change both under the same code."""
import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


# bench.py imports the upstream bot's parser from a checkout of iamez/slomix when one is
# named (ET_BENCH_UPSTREAM), stubbing discord.py; neither is this project's dependency
UPSTREAM_CHECKOUT = {"bot", "discord"}


def _imports(folder: Path) -> set[str]:
    out = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                out.add(node.module.split(".")[0])
    return {m for m in out if m not in sys.stdlib_module_names and not m.startswith("et_pipeline")}


def _declared(*groups: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for group in groups for r in map(Requirement, group)}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    known = packages_distributions()
    return {m: {canonicalize_name(d) for d in known.get(m, [])} for m in modules}


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_package_the_code_imports_is_declared():
    project = PYPROJECT["project"]
    runtime = _declared(project["dependencies"], project["optional-dependencies"]["celery"])
    missing = {m: d for m, d in _distributions(_imports(ROOT / "et_pipeline")).items() if not d & set(runtime)}
    assert missing == {}
    # the tests, the bench and the tools run on what `make` installs: the test extra
    tests = _declared(project["dependencies"], project["optional-dependencies"]["test"])
    folders = [ROOT / name for name in ("et_pipeline_tests", "bench", "tools")]
    local = {p.stem for folder in folders for p in folder.rglob("*.py")}
    imported = set().union(*map(_imports, folders)) - local - UPSTREAM_CHECKOUT
    missing = {m: d for m, d in _distributions(imported).items() if not d & set(tests)}
    assert missing == {}


def test_every_declared_package_is_pinned_in_the_lock_at_a_version_it_accepts():
    project = PYPROJECT["project"]
    pins = _locked()
    for name, req in _declared(project["dependencies"], project["optional-dependencies"]["test"]).items():
        assert name in pins, "%s is not in requirements.lock: run `make lock`" % name
        assert req.specifier.contains(pins[name], prereleases=True), (name, str(req.specifier), pins[name])
