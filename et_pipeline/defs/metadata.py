"""Asset metadata a person can read in the Dagster UI.

Tables say Axis/Allies rather than 1/2, yes/no rather than True/False, "–" rather than None;
row counts use Dagster's own `dagster/row_count` key (the UI shows it on the asset's page);
status counts read "10 parsed, 1 quarantined" rather than a JSON object; and a ranged run
says which dates its numbers cover (one materialisation's metadata is copied to every
partition of the range). Kinds follow the configured source and database, so the asset
graph shows sqlite or postgresql, a local folder or sftp, as they are.
"""
import os
from collections import Counter

import dagster as dg

SIDE_COLUMNS = {"winner", "defender", "side", "a_r1_side", "r1_defender_side", "winner_side"}
SIDES = {1: "Axis", 2: "Allies"}
HEADERS = {"round_number": "round", "playtime_seconds": "playtime (s)", "pause_count": "pauses",
           "delta_seconds": "Δ (s)", "stats_seconds": "stats file (s)", "lua_seconds": "Lua (s)",
           "joined_round": "joined in", "scoring_source": "decided by", "time_a": "Team A time",
           "time_b": "Team B time", "maps_counted": "maps counted", "maps_total": "maps played",
           "team_a_name": "Team A", "team_b_name": "Team B", "score_a": "A", "score_b": "B",
           "link_status": "link", "time_limit": "time limit", "end_reason": "ended by"}


def cell(column: str, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column in SIDE_COLUMNS and isinstance(value, int):
        return SIDES.get(value, str(value))
    if isinstance(value, float):
        return "%.1f" % value
    return str(value).replace("|", "\\|").replace("\n", " ")


def _markdown(header: list[str], body: list[list[str]]) -> list[str]:
    """Markdown table lines: header, rule, one line per row (cells already made readable by `cell`)."""
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in body]


def table(rows: list[dict], cols: list[str], limit: int = 20) -> dg.MetadataValue:
    """A markdown table of the first `limit` rows, cells made readable."""
    if not rows:
        return dg.MetadataValue.md("_no rows_")
    lines = _markdown([HEADERS.get(c, c.replace("_", " ")) for c in cols],
                      [[cell(c, r.get(c)) for c in cols] for r in rows[:limit]])
    if len(rows) > limit:
        lines.append("\n_and %d more rows_" % (len(rows) - limit))
    return dg.MetadataValue.md("\n".join(lines))


def counts(counter: Counter | dict) -> str:
    """`{"parsed": 10, "quarantined": 1}` -> "10 parsed, 1 quarantined"."""
    return ", ".join("%d %s" % (n, k) for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"


def rows(n: int) -> dict:
    return {"dagster/row_count": dg.MetadataValue.int(int(n))}


def dates(partition_keys: list[str]) -> dict:
    """Which session dates the numbers cover (all of a ranged run's, on each of its partitions)."""
    if len(partition_keys) == 1:
        return {"session date": partition_keys[0]}
    return {"session dates": "%s … %s: %d dates in one run; the numbers here cover them all"
            % (partition_keys[0], partition_keys[-1], len(partition_keys))}


def session_summary(sessions: list[dict], limit: int = 5) -> dg.MetadataValue:
    """What the night's summary says: the score, the teams, every map's result (from the report)."""
    parts = []
    for s in sessions[:limit]:
        a, b = s["teams"]["A"], s["teams"]["B"]
        score = s.get("score") or {}
        parts.append("**%s %s – %s %s** · %s · %d maps" % (a["name"], score.get("A", 0), score.get("B", 0), b["name"],
                                                           s.get("date", ""), len(s.get("maps", []))))
        parts.append("%s: %s  \n%s: %s" % (a["name"], ", ".join(p["name"] for p in a["players"]) or "–",
                                           b["name"], ", ".join(p["name"] for p in b["players"]) or "–"))
        names = {"A": a["name"], "B": b["name"], "tie": "draw"}
        parts.append("\n".join(_markdown(
            ["map", "won by", "%s attacked" % cell("", a["name"]), "%s attacked" % cell("", b["name"]), "note"],
            [[cell("map", m["map"]), names.get(m.get("winner"), "–") if m.get("counted") else "not counted",
              _attack(s, m, "A"), _attack(s, m, "B"), cell("note", m.get("note"))]
             for m in s.get("maps", [])])))
    if len(sessions) > limit:
        parts.append("_and %d more sessions_" % (len(sessions) - limit))
    return dg.MetadataValue.md("\n\n".join(parts) or "_no session_")


def _attack(session: dict, m: dict, team: str) -> str:
    """How the team's attack on the map ended, in the words of the report and Discord."""
    from et_pipeline.domain.round_outcome import attacking_team

    rounds = [r for r in session.get("rounds", []) if r.get("file") in (m.get("r1_file"), m.get("r2_file"))]
    said = [r.get("outcome_text") for r in rounds if attacking_team(r, m) == team]
    return cell("time", said[0] if said else None)


def dry_run_folder(out_dir: str, partition_keys: list[str]) -> dg.MetadataValue:
    """Where dry-run wrote the date's messages (OUT/<date>/<session>/players/, .../admins/)."""
    one = partition_keys[0] if len(partition_keys) == 1 else ""
    return dg.MetadataValue.path(os.path.join(os.path.abspath(out_dir), one))


def configured_kinds(source_url: str, db_url: "str | dg.EnvVar") -> tuple[str, str]:
    """(source kind, database kind) for the configured resources (an `EnvVar` URL is read
    here only to name its kind; the resource keeps the variable, never the value)."""
    if isinstance(db_url, dg.EnvVar):
        db_url = db_url.get_value() or ""
    source = "sftp" if source_url.startswith("sftp://") else "local"
    database = "postgresql" if db_url.startswith("postgresql") else db_url.split(":", 1)[0].split("+", 1)[0]
    return source, database


def with_kinds(assets: list, source_url: str, db_url: "str | dg.EnvVar") -> list:
    """Every asset shows the database it writes; the asset that lists the server its source,
    and the game server (external: in no database) only its source."""
    source, database = configured_kinds(source_url, db_url)

    def kinds_of(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.key.path[-1] == "game_server":
            return spec.replace_attributes(kinds={source})
        extra = {source} if spec.key.path[-1] == "server_files" else set()
        return spec.replace_attributes(kinds=set(spec.kinds) - {"sftp", "local", "sqlite", "postgresql"}
                                       | {database} | extra)

    return [a.map_asset_specs(kinds_of) for a in assets]
