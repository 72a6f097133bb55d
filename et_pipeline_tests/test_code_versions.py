"""`code_version` is bumped by a rule, not by memory: every asset's rule modules (the pure
modules its function calls, and every module of the package they import, below the
Dagster layer) are hashed, with the source of the asset function itself and of the
functions and classes of the Dagster layer it reaches (`asset_code`), and
code_versions.json records (code_version, hash) per asset. Changing either without a new
code_version fails here; so does a new version that is not recorded. Dagster then marks
exactly the assets whose logic changed as stale.

After a deliberate change: bump the asset's code_version, then record what this test's
failure message prints (or run `python -m et_pipeline_tests.test_code_versions`, which
refuses to write while a changed asset still has its recorded code_version).
"""
import ast
import hashlib
import importlib.util
import inspect
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from et_pipeline_tests.test_import_layers import LAYERS, PACKAGE, import_graph, layer

TABLE = Path(__file__).with_name("code_versions.json")
DAGSTER_LAYER = next(i for i, units in enumerate(LAYERS) if "defs" in units)
# What `rules` hashes. 1: the rule modules; 2: also the asset's own code and the Dagster-layer
# functions and classes it reaches, and a module imported as `from package import module`
# in any of them. A new scheme changes every hash and no logic: the writer records it
# without asking for bumps (so change the scheme in a commit of its own).
SCHEME = 2


def _assets():
    from et_pipeline.defs.assets import ALL_ASSETS
    from et_pipeline.defs.season_assets import SEASON_ASSETS

    return [*ALL_ASSETS, *SEASON_ASSETS]


def _own_code(obj) -> tuple[str, ast.AST]:
    """obj's source from its `def` or `class` line, and its syntax tree without decorators:
    an asset's decorator says what it is (deps, description, the code_version itself), not
    what it computes (so one_writer_per_date, a lock around the body, is not followed)."""
    lines, _ = inspect.getsourcelines(obj)
    node = ast.parse(textwrap.dedent("".join(lines))).body[0]
    node.decorator_list = []
    return "".join(lines[node.lineno - 1:]), node


def asset_code(fn) -> tuple[list, set[str]]:
    """(the asset function and, transitively, the functions and classes of the Dagster layer
    its code names, a resource's class by its annotation included; the package's modules below
    that layer any of them names or imports). Only what they name, never a whole defs module."""
    code, modules, todo = [], set(), [inspect.unwrap(fn)]
    while todo:
        obj = todo.pop()
        if obj in code:
            continue
        code.append(obj)
        scope = vars(inspect.getmodule(obj))
        for node in ast.walk(_own_code(obj)[1]):
            found = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("et_pipeline."):
                # `from et_pipeline.season import rating_cache` names a module too
                modules |= {node.module, *("%s.%s" % (node.module, a.name) for a in node.names)}
                if layer(node.module) == DAGSTER_LAYER:
                    found = [getattr(importlib.import_module(node.module), a.name, None) for a in node.names]
            elif isinstance(node, ast.Name):
                found = [scope.get(node.id)]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and inspect.ismodule(scope.get(node.value.id)):
                found = [getattr(scope[node.value.id], node.attr, None)]
            for o in found:
                name = o.__name__ if inspect.ismodule(o) else getattr(o, "__module__", None)
                if not (isinstance(name, str) and name.startswith("et_pipeline.")):
                    continue
                if layer(name) < DAGSTER_LAYER:
                    modules.add(name)
                elif layer(name) == DAGSTER_LAYER and (inspect.isfunction(o) or inspect.isclass(o)):
                    todo.append(o)
    return code, {m for m in modules if layer(m) < DAGSTER_LAYER}


def rule_modules(entry: set[str], graph) -> list[str]:
    """The entry modules and every module of the package below the Dagster layer they import."""
    seen, todo = set(), list(entry)
    while todo:
        m = todo.pop()
        if m in seen or m not in graph or layer(m) >= DAGSTER_LAYER:     # `from m import f`: no m.f
            continue
        seen.add(m)
        todo += graph.get(m, ())
    return sorted(seen)


def rules_hash(fn, graph) -> str:
    """The asset's rule modules, whole, and its own code with the Dagster-layer functions
    and classes it reaches, each by its source."""
    code, entry = asset_code(fn)
    h = hashlib.sha256()
    for m in rule_modules(entry, graph):
        path = PACKAGE.parent.joinpath(*m.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        h.update(m.encode() + b"\0" + path.read_bytes())
    for obj in sorted(code, key=lambda o: (o.__module__, o.__qualname__)):
        h.update(("%s.%s" % (obj.__module__, obj.__qualname__)).encode() + b"\0" + _own_code(obj)[0].encode())
    return h.hexdigest()[:16]


def current() -> dict:
    graph = import_graph(PACKAGE)
    out = {}
    for a in _assets():
        [version] = {a.code_versions_by_key[k] for k in a.keys}
        out[a.node_def.name] = {"code_version": version,                # a multi-asset: its step
                                "rules": rules_hash(a.op.compute_fn.decorated_fn, graph)}
    return {"scheme": SCHEME, "assets": out}


def changes(recorded: dict, now: dict) -> tuple[list[str], list[str]]:
    """(the assets whose rules changed under their recorded code_version: a bump is due, the
    other differences: only to be recorded). The test fails on either; the writer records
    the second and refuses the first, so running it cannot stand in for a bump. A table of
    another scheme (or of none: the flat table before schemes) asks for no bump."""
    same_scheme = recorded.get("scheme") == now["scheme"]
    was_all, now_all = recorded.get("assets", {}), now["assets"]
    unbumped, to_record = [], [] if same_scheme else ["scheme: record %s, every hash anew" % now["scheme"]]
    for key in sorted(set(now_all) | set(was_all)):
        was, entry = was_all.get(key), now_all.get(key)
        if was == entry:
            continue
        if same_scheme and was and entry and was["rules"] != entry["rules"] \
                and was["code_version"] == entry["code_version"]:
            unbumped.append("%s: its rules changed: bump code_version (now %s)" % (key, entry["code_version"]))
        else:
            to_record.append("%s: %s" % (key, "record " + json.dumps(entry) if entry else "no such asset: drop it"))
    return unbumped, to_record


def test_every_asset_names_its_rule_modules():
    graph = import_graph(PACKAGE)
    for a in _assets():
        assert rule_modules(asset_code(a.op.compute_fn.decorated_fn)[1], graph), a.node_def.name


TOY = '''import dagster as dg

from et_pipeline.steps.scores import build_session_results


def _rows(n):
    return [{"n": i} for i in range(n)]


def unused():
    return 1


@dg.asset(description="a toy")
def toy() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"n": len(build_session_results(_rows(2), [], []))})
'''


def _toy_hash(tmp_path, monkeypatch, graph, text: str) -> str:
    """The rules hash of the asset `toy` defined by `text` in a module of the Dagster layer."""
    path = tmp_path / str(len(list(tmp_path.iterdir()))) / "toy.py"
    path.parent.mkdir()
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("et_pipeline.defs.toy", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return rules_hash(module.toy.op.compute_fn.decorated_fn, graph)


def test_an_edit_to_the_assets_own_code_or_a_defs_function_it_calls_changes_its_hash(tmp_path, monkeypatch):
    graph = import_graph(PACKAGE)
    base = _toy_hash(tmp_path, monkeypatch, graph, TOY)
    assert _toy_hash(tmp_path, monkeypatch, graph, TOY) == base
    for edit, detected in ((("_rows(2)", "_rows(3)"), True),            # the asset's body
                           (("range(n)", "range(n + 1)"), True),         # a function of its module it calls
                           (('"a toy"', '"a toy asset"'), False),        # its decorator: what it is, not does
                           (("return 1", "return 2"), False)):           # a function it does not call
        assert (_toy_hash(tmp_path, monkeypatch, graph, TOY.replace(*edit)) != base) == detected, edit


def test_a_new_scheme_is_recorded_without_asking_for_bumps(tmp_path):
    """Every hash differs, no code_version does: the writer records the table of the new
    scheme (the real one, which the table test holds to be current)."""
    real = json.loads(TABLE.read_text())
    old = tmp_path / "code_versions.json"
    old.write_text(json.dumps({"scheme": SCHEME - 1, "assets": {k: dict(e, rules="0" * 16)
                                                                 for k, e in real["assets"].items()}}))
    assert record(old) == 0
    assert json.loads(old.read_text()) == real


def test_a_changed_rule_module_comes_with_a_new_code_version():
    unbumped, to_record = changes(json.loads(TABLE.read_text()), current())
    assert not unbumped + to_record, "\n".join(unbumped + to_record) + "\n(code_versions.json holds the recorded table)"


def test_the_writer_refuses_a_changed_rule_module_without_a_new_code_version(tmp_path):
    """Run as the docstring says, on a table whose one asset's hash differs under the same
    version: it must name that asset, exit non-zero and leave the table as it was."""
    real = TABLE.read_bytes()
    table = json.loads(real)
    key = sorted(table["assets"])[0]
    table["assets"][key]["rules"] = "0" * 16
    doctored = tmp_path / "code_versions.json"
    doctored.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    before = doctored.read_bytes()
    try:
        run = subprocess.run([sys.executable, "-m", "et_pipeline_tests.test_code_versions", str(doctored)],
                             cwd=TABLE.parents[1], capture_output=True, text=True, timeout=120)
    finally:
        touched = TABLE.read_bytes() != real
        if touched:
            TABLE.write_bytes(real)
    assert not touched, "the writer rewrote the real table"
    assert run.returncode != 0 and key in run.stdout + run.stderr, run
    assert doctored.read_bytes() == before


def record(path: Path = TABLE) -> int:
    """Writes the table for the code now, unless a bump is due (`changes`): then it prints
    which and writes nothing."""
    now = current()
    unbumped, _ = changes(json.loads(path.read_text()) if path.exists() else {}, now)
    if unbumped:
        print("\n".join(unbumped + ["nothing written to %s" % path]), file=sys.stderr)
        return 1
    path.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":          # python -m et_pipeline_tests.test_code_versions [TABLE]
    sys.exit(record(Path(sys.argv[1]) if len(sys.argv) > 1 else TABLE))
