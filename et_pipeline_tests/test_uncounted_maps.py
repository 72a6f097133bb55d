"""A map left out of the score says why on its card, with the round that was cut short:
the scorer's note (domain/scoring.py) is the one source of the reason."""
import pytest

from et_pipeline.domain.scoring import MapPlay, score_map
from et_pipeline.publish.embeds import _uncounted_reason


class _Round:
    def __init__(self, key):
        self.key, self.defender, self.players = key, 1, []


@pytest.mark.parametrize("r1_aborted, r2_aborted, has_r2, words", [
    (False, True, True, "round 2 was cut short"),
    (True, False, True, "round 1 was cut short"),
    (True, False, False, "round 1 was cut short"),
    (False, False, False, "round 2 was not played"),
])
def test_the_card_names_the_round_that_was_cut_short(r1_aborted, r2_aborted, has_r2, words):
    play = MapPlay(map="supply", index=0, r1=_Round("r1"), r2=_Round("r2") if has_r2 else None,
                   r1_aborted=r1_aborted, r2_aborted=r2_aborted)
    m = score_map(play, teams=None)
    m["r2_file"] = "r2.txt" if has_r2 else None
    assert _uncounted_reason(m) == words

