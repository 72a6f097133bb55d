"""End to end on the recorded night, through the installed `et-pipeline` command, run
twice: the acceptance checks the team is accepted on (copied in `acceptance/`)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent
NIGHT = HERE / "fixtures" / "corpus" / "2026-02-05"
EXE = ROOT / ".venv" / "bin" / "et-pipeline"

pytestmark = pytest.mark.skipif(not EXE.exists() and not os.environ.get("CI"),
                                reason="needs the installed entry point: run `make test`")


def run_check(tool: str, *args: str) -> str:
    p = subprocess.run([sys.executable, str(HERE / "acceptance" / tool), "--project", str(ROOT),
                        "--night", str(NIGHT), *args], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().splitlines()[-1].endswith(" 0 failed"), p.stdout
    return p.stdout


@pytest.mark.parametrize("variant", ["feb2026", "head"])
def test_recorded_night_matches_the_truth(variant):
    out = run_check("check_session.py", "--variant", variant)
    assert "PASS second run changes nothing" in out


@pytest.mark.system   # the publishing acceptance check: every run against the loopback Discord's faults
def test_publishing_posts_once_and_edits_on_change():
    out = run_check("check_publish.py")
    assert "PASS second run sends nothing" in out
