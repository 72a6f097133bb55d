"""One player's rating night by night, as `player` shows it (JSON and a chart): the points
the rating keeps at the end of every night he played, the columns of the stored
`season_rating_history` table."""
from et_pipeline.season.ratings import rate


def rating_history(games, guid: str) -> list[dict]:
    """[{night, value, uncertainty, provisional, maps, night_maps, change}] oldest first."""
    return [dict(night=h.date, value=round(h.value, 2), uncertainty=round(h.uncertainty, 2),
                 provisional=bool(h.provisional), maps=h.maps, night_maps=h.night_maps, change=round(h.change, 2))
            for h in rate(games).history if h.guid == guid]
