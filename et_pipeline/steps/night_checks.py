"""Sessions of one partition -> `night_checks` rows (domain.night_checks): the report's
sessions, their stats files as written, and the award files' VS lines."""
from et_pipeline.domain.night_checks import session_checks
from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.stats_file import StatsFile, parse_stats_file


def build_night_checks(sessions: list[dict], stats_files: dict[str, bytes], vs_rows: list[dict],
                       file_of_round: dict[str, str]) -> list[dict]:
    """sessions: report documents (without `checks`); stats_files: file name -> bytes;
    vs_rows: `vs_stats` rows; file_of_round: round key -> stats file name."""
    parsed: dict[str, StatsFile] = {}
    for s in sessions:
        for r in s["rounds"]:
            try:
                parsed[r["file"]] = parse_stats_file(stats_files[r["file"]])
            except (KeyError, ParseError):     # not archived, or changed since: checked without it
                pass
    vs: dict[str, list[dict]] = {}
    for v in sorted(vs_rows, key=lambda v: (v["source"], v["id"] or 0)):
        if v["round_key"] in file_of_round:
            vs.setdefault(file_of_round[v["round_key"]], []).append(v)
    rows = []
    for s in sessions:
        for seq, c in enumerate(session_checks(s, parsed, vs)):
            rows.append(dict(session_date=s["date"], session_id=s["session_id"], seq=seq, check_name=c["check"],
                             status=c["status"], round_file=c["round_file"], detail=c["detail"], action=c["action"]))
    return rows
