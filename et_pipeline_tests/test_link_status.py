"""Why a timing or award file is linked to no round, as the admins' channel lists it."""


def test_a_file_whose_round_went_to_a_closer_file_says_so():
    """Two timing files for one round: the closer one links, the other is not 'no round
    in the window' (there was one): its round went to a closer file."""
    from et_pipeline.domain.linking import assign

    links = assign({"near.json": [("r1", 2.0, True)], "far.json": [("r1", 40.0, False)],
                    "lonely.json": []})
    assert (links["near.json"].round_key, links["near.json"].status) == ("r1", "exact")
    assert (links["far.json"].round_key, links["far.json"].status) == (None, "round_taken")
    assert links["lonely.json"].status == "no_round_in_window"
