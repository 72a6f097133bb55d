"""Nights the recorded one lacks, made from its files: an R2 aborted by a map vote
(written on the shutdown path, labelled round 1), and a night running past midnight."""
import json

from et_pipeline.report import build_report
from et_pipeline_tests.pipeline_fixtures import Pipeline, lay_out_night, lay_out_night_past_midnight

R2 = "2026-02-05-220813-etl_sp_delivery-round-2.txt"
R2_TIMING = "gametime-etl_sp_delivery-R2-1770325690.json"


def test_r2_aborted_by_a_map_vote_is_paired_but_not_counted(tmp_path, dagster_instance):
    night = lay_out_night(tmp_path / "server", "head")
    gs, gt = night / "gamestats", night / "gametimes"
    # the shutdown path: the file is labelled round 1, header field 9 is negative
    lines = (gs / R2).read_bytes().split(b"\n")
    header = lines[0].split(b"\\")
    header[3], header[8] = b"1", b"-4200"
    (gs / R2.replace("round-2", "round-1")).write_bytes(b"\n".join([b"\\".join(header)] + lines[1:]))
    (gs / R2).unlink()
    (gs / R2.replace(".txt", "-endstats.txt").replace("220813", "220812")).unlink()
    # the upstream webhook reads g_currentRound unflipped too: it says R1, end reason objective
    doc = json.loads((gt / R2_TIMING).read_bytes())
    doc["meta"]["round"] = 1
    for f in doc["payload"]["embeds"][0]["fields"]:
        if f["name"] == "Round":
            f["value"] = "1"
    (gt / R2_TIMING.replace("-R2-", "-R1-")).write_text(json.dumps(doc))
    (gt / R2_TIMING).unlink()

    p = Pipeline(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out", dagster_instance)
    assert p.materialize(["2026-02-05"]).success
    with p.engine.connect() as conn:
        s = build_report(conn, "2026-02-05")["sessions"][0]
    aborted = [r for r in s["rounds"] if r["file"] == R2.replace("round-2", "round-1")][0]
    assert (aborted["round"], aborted["pairing"], aborted["aborted"], aborted["orphan"]) == (2, "aborted_r2", True, False)
    # this round only, not R1 + R2: [SX]Vektor did 11 kills in the R2 (truth this_round_delta)
    vektor = [pl for pl in aborted["players"] if pl["name"] == "[SX]Vektor"][0]
    assert vektor["values_from"] == "differential"
    delivery = [m for m in s["maps"] if m["map"] == "etl_sp_delivery"]
    assert len(delivery) == 1 and delivery[0]["counted"] is False and delivery[0]["winner"] is None
    assert "aborted" in delivery[0]["note"]
    assert aborted["lua"] is not None and aborted["lua"]["source"] == R2_TIMING.replace("-R2-", "-R1-")
    assert s["score"] == {"A": 1, "B": 2}           # delivery (B's win on the night) no longer counts


def test_night_past_midnight_stays_in_the_first_date(tmp_path, dagster_instance):
    """The whole night 95 minutes later: the last map's R2 ends at 00:11 the next day."""
    night = lay_out_night_past_midnight(tmp_path / "server")
    p = Pipeline(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out", dagster_instance)
    assert p.materialize(["2026-02-05"]).success
    with p.engine.connect() as conn:
        first = build_report(conn, "2026-02-05")
        second = build_report(conn, "2026-02-06")
    assert second["sessions"] == []
    s = first["sessions"][0]
    assert len(s["rounds"]) == 10 and s["end"].startswith("2026-02-06T00:")
    goldrush = [m for m in s["maps"] if m["map"] == "sw_goldrush_te"][0]
    assert goldrush["r1_file"].startswith("2026-02-05-23") and goldrush["r2_file"].startswith("2026-02-06-00")
    assert goldrush["winner"] == "tie" and s["score"] == {"A": 1, "B": 3}
    assert all(len(r["awards"]) > 0 for r in s["rounds"])   # awards follow their rounds past midnight
