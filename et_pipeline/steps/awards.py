"""Endstats files of one partition -> award and VS rows linked to their round.

Split files (the early script wrote one round over two files a second apart, FORMATS
3.1) are merged before linking; award winners get a GUID from the VS_HEADER lines or,
failing that, from the round's own stats lines after endstats' name cleaning.
"""
import datetime as dt

from et_pipeline.config import Rules
from et_pipeline.domain.linking import RoundSlot, link_endstats
from et_pipeline.parsers.endstats_file import EndstatsFile, parse_endstats_file
from et_pipeline.parsers.bounds import check_endstats
from et_pipeline.parsers.errors import ParseError
from et_pipeline.steps.file_errors import about_file
from et_pipeline.parsers.filenames import FileName
from et_pipeline.parsers.text import endstats_clean
from et_pipeline.steps.rounds import FileOutcome

SPLIT_SECONDS = 5


def build_awards(files: list[tuple[str, FileName, bytes]], rounds: list[RoundSlot],
                 players_by_round: dict[str, list[tuple[str, str]]], session_date: str, rules: Rules):
    """players_by_round: round key -> [(guid, name)] from the stats lines."""
    parsed: list[tuple[str, FileName, EndstatsFile]] = []
    outcomes = []
    for path, name, data in sorted(files, key=lambda f: f[1].name):
        try:
            with about_file(path):
                ef = parse_endstats_file(data)
            check_endstats(ef)
            parsed.append((path, name, ef))
            outcomes.append(FileOutcome(path, "parsed"))
        except ParseError as e:
            outcomes.append(FileOutcome(path, "quarantined", str(e)))
    # group split files: same map and round, written within a few seconds
    groups: list[list[tuple[str, FileName, EndstatsFile]]] = []
    for item in parsed:
        g = groups[-1] if groups else None
        if g and g[-1][1].map == item[1].map and g[-1][1].round == item[1].round \
                and item[1].local_time - g[-1][1].local_time <= dt.timedelta(seconds=SPLIT_SECONDS):
            g.append(item)
        else:
            groups.append([item])
    links = link_endstats(rounds, [(g[0][1].name, g[0][1].map, g[0][1].round, g[0][1].local_time) for g in groups],
                          rules.award_narrow_seconds, rules.link_window_minutes)
    awards, vs = [], []
    for g in groups:
        link = links[g[0][1].name]
        guid_of = {}
        for guid, pname in players_by_round.get(link.round_key, []):
            guid_of.setdefault(endstats_clean(pname), set()).add(guid)
        seen = set()
        for path, name, ef in g:
            named = ef.guid_by_name()
            for a in ef.awards:
                if (a.award, a.player, a.value_text) in seen:
                    continue
                seen.add((a.award, a.player, a.value_text))
                guid = named.get(a.player)
                if guid is None and len(guid_of.get(a.player, ())) == 1:
                    guid = next(iter(guid_of[a.player]))
                awards.append(dict(session_date=session_date, source=name.name, round_key=link.round_key,
                                   link_status=link.status, map=name.map, round_number=name.round, line=a.line,
                                   award=a.award, category=a.category, player=a.player[:80], guid=guid,
                                   value_text=a.value_text[:120], value_numeric=a.value))
            for v in ef.vs:
                vs.append(dict(session_date=session_date, source=name.name, round_key=link.round_key,
                               subject_name=v.subject_name, subject_guid=v.subject_guid, opponent=v.opponent[:80],
                               kills=v.kills, deaths=v.deaths))
    return awards, vs, outcomes
