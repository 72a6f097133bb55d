"""A sensor tick that keeps watching (steps/sensor_watch): a round landing during the tick is
requested in that tick, still only once its files are the same on two listings."""
from et_pipeline_tests.test_sensor_logic import COMPLETE_R1, DATE, ENDSTATS, GAMETIME, STATS, T0, plan_of

from et_pipeline.steps.sensor_logic import decide
from et_pipeline.steps.sensor_watch import watch


class Clock:
    """A fake clock: sleeping and listing move it, nothing waits for real."""

    def __init__(self, listing_seconds=0.01):
        self.now, self.listing_seconds, self.listings = 0.0, listing_seconds, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def server(clock, timeline):
    """list_plan for a server whose files are `timeline(t)` at fake time t."""
    def list_plan():
        clock.now += clock.listing_seconds
        clock.listings.append(clock.now)
        return plan_of(*timeline(clock.now))
    return list_plan


def decide_on(clock):
    return lambda plan, cursor: decide(plan, cursor, T0 + 60 + clock.now, grace_seconds=10)


def tick(timeline, cursor=None, listing_seconds=0.01, budget=4.0):
    clock = Clock(listing_seconds)
    plan, d = watch(server(clock, timeline), decide_on(clock), cursor or {}, 0.5, budget, clock=clock,
                    sleep=clock.sleep)
    return clock, d


def test_a_round_landing_during_the_tick_is_requested_in_it():
    clock, d = tick(lambda t: COMPLETE_R1 if t >= 2.2 else [])
    assert [r.date for r in d.requests] == [DATE]
    assert 2.2 < clock.now < 2.2 + 1.1          # seen on the next listing, confirmed on the one after


def test_an_idle_server_is_listed_every_half_second_until_the_budget():
    clock, d = tick(lambda t: [])
    assert d.requests == [] and 7 <= len(clock.listings) <= 9 and clock.now <= 4.0


def test_a_file_still_growing_is_never_requested():
    growing = lambda t: [(STATS, int(1000 + 100 * t), T0 + t), (ENDSTATS, 900, T0 - 2), (GAMETIME, 700, T0 - 3)]
    clock, d = tick(growing)
    assert d.requests == [] and d.unconfirmed == [DATE]


def test_a_slow_listing_is_not_repeated_back_to_back():
    clock, d = tick(lambda t: [], listing_seconds=1.5, budget=8.0)
    gaps = [b - a for a, b in zip(clock.listings, clock.listings[1:])]
    assert len(clock.listings) == 3 and all(g >= 3.0 for g in gaps)        # a pause as long as the listing
    clock, d = tick(lambda t: [], listing_seconds=1.5)
    assert len(clock.listings) == 1                                        # a second would end after 4 s


def test_a_round_seen_at_the_end_of_the_budget_still_gets_its_confirming_listing():
    clock, d = tick(lambda t: COMPLETE_R1 if t >= 3.5 else [])
    assert [r.date for r in d.requests] == [DATE] and clock.now > 4.0


def test_nothing_new_is_requested_again():
    _, first = tick(lambda t: COMPLETE_R1)
    assert [r.date for r in first.requests] == [DATE]
    clock, again = tick(lambda t: COMPLETE_R1, cursor=first.cursor)
    assert again.requests == [] and len(clock.listings) > 2
