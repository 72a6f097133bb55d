"""The map's awards in Discord say what they cover: round 2's award file counts the whole
map only for the awards built on the game's counters; the script's own counters (kills by
weapon, revives, sprees, objectives) are round 2's alone, so the block never claims both
rounds for all of them."""
from et_pipeline.publish.embeds import map_awards_embed
from et_pipeline.publish.message import _Ctx


def test_round_2_awards_do_not_claim_both_rounds(session):
    ctx = _Ctx(session)
    seen = 0
    for i, m in enumerate(session["maps"]):
        embed = map_awards_embed(ctx, i, m)
        if embed is None:
            continue
        source = next(r for r in reversed(ctx.map_rounds(m)) if r.get("awards"))
        if source["round"] == 2:
            seen += 1
            assert "Both rounds" not in embed["description"]
            assert "whole map" in embed["description"] and "round 2 only" in embed["description"]
        else:
            assert embed["description"] == "Round 1 only"
    assert seen
