"""`code_version` is bumped by a rule, not by memory: every asset's rule modules (the pure
modules its function calls, and every module of the package they import, below the
Dagster layer) are hashed, and code_versions.json records (code_version, hash) per asset.
Changing a rule module without a new code_version fails here; so does a new version that
is not recorded. Dagster then marks exactly the assets whose logic changed as stale.

After a deliberate change: bump the asset's code_version, then record what this test's
failure message prints (or run `python -m et_pipeline_tests.test_code_versions`, which
refuses to write while a changed asset still has its recorded code_version).
"""
import ast
import hashlib
import inspect
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from et_pipeline_tests.test_import_layers import LAYERS, PACKAGE, import_graph, layer

TABLE = Path(__file__).with_name("code_versions.json")
DAGSTER_LAYER = next(i for i, units in enumerate(LAYERS) if "defs" in units)


def _assets():
    from et_pipeline.defs.assets import ALL_ASSETS
    from et_pipeline.defs.season_assets import SEASON_ASSETS

    return [*ALL_ASSETS, *SEASON_ASSETS]


def _entry_modules(fn) -> set[str]:
    """The package's modules below the Dagster layer the asset function uses: the modules of
    the names it reads, and the modules it imports in its body."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("et_pipeline."):
            out.add(node.module)
        elif isinstance(node, ast.Name) and node.id in fn.__globals__:
            obj = fn.__globals__[node.id]
            name = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", "")
            if name and name.startswith("et_pipeline."):
                out.add(name)
    return {m for m in out if layer(m) < DAGSTER_LAYER}


def rule_modules(fn, graph) -> list[str]:
    seen, todo = set(), list(_entry_modules(fn))
    while todo:
        m = todo.pop()
        if m in seen or layer(m) >= DAGSTER_LAYER:
            continue
        seen.add(m)
        todo += graph.get(m, ())
    return sorted(seen)


def current() -> dict[str, dict]:
    graph = import_graph(PACKAGE)
    out = {}
    for a in _assets():
        fn = a.op.compute_fn.decorated_fn
        h = hashlib.sha256()
        for m in rule_modules(fn, graph):
            path = PACKAGE.parent.joinpath(*m.split("."))
            path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
            h.update(m.encode() + b"\0" + path.read_bytes())
        [version] = {a.code_versions_by_key[k] for k in a.keys}
        out[a.node_def.name] = {"code_version": version, "rules": h.hexdigest()[:16]}     # a multi-asset: its step
    return out


def test_every_asset_names_its_rule_modules():
    graph = import_graph(PACKAGE)
    for a in _assets():
        assert rule_modules(a.op.compute_fn.decorated_fn, graph), a.node_def.name


def changes(recorded: dict, now: dict) -> tuple[list[str], list[str]]:
    """(the assets whose rules changed under their recorded code_version: a bump is due, the
    other differences: only to be recorded). The test fails on either; the writer records
    the second and refuses the first, so running it cannot stand in for a bump."""
    unbumped, to_record = [], []
    for key in sorted(set(now) | set(recorded)):
        was, entry = recorded.get(key), now.get(key)
        if was == entry:
            continue
        if was and entry and was["rules"] != entry["rules"] and was["code_version"] == entry["code_version"]:
            unbumped.append("%s: its rule modules changed: bump code_version (now %s)" % (key, entry["code_version"]))
        else:
            to_record.append("%s: %s" % (key, "record " + json.dumps(entry) if entry else "no such asset: drop it"))
    return unbumped, to_record


def test_a_changed_rule_module_comes_with_a_new_code_version():
    unbumped, to_record = changes(json.loads(TABLE.read_text()), current())
    assert not unbumped + to_record, "\n".join(unbumped + to_record) + "\n(code_versions.json holds the recorded table)"


def test_the_writer_refuses_a_changed_rule_module_without_a_new_code_version(tmp_path):
    """Run as the docstring says, on a table whose one asset's hash differs under the same
    version: it must name that asset, exit non-zero and leave the table as it was."""
    real = TABLE.read_bytes()
    table = json.loads(real)
    key = sorted(table)[0]
    table[key]["rules"] = "0" * 16
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
