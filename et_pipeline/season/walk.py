"""The walk-forward rule, in one place: every map is predicted only from maps that ENDED
before it BEGAN, and learnt from afterwards.

Maps are taken in the rating's own order (start, key). Before a target is predicted, the
maps still to learn are learnt in that order as long as the next one ended before the
target began; a later map never jumps an earlier one, so the final state equals a plain
replay (`ratings.rate`) and two overlapping maps (two servers, or a clock mix-up) never
see each other. The rating quality, the stored predictions and the prediction a map card
shows on a live night all walk through this one function, so they agree.
"""
from collections.abc import Callable, Iterable, Iterator, Sequence


def walk_forward(learnable: Sequence, targets: Iterable, learn: Callable[[object], None]) -> Iterator:
    """Yield (target, maps learnt so far) for each target (sorted by start like
    `learnable`) after `learn`ing every map of `learnable` that ended before it began, in
    order. Targets may include maps that are not learnable yet (a map whose round 2 is
    still being played)."""
    learnt = 0
    for target in targets:
        while learnt < len(learnable) and learnable[learnt].end_unix < target.start_unix:
            learn(learnable[learnt])
            learnt += 1
        yield target, learnt
