"""RFM: how recently, how often and for how much a customer bought, each scored 1-5, and the
named segment those scores put it in.

The scores are quintiles over all customers who bought (persistence/rfm.py ranks them with
`ntile(5)`): 5 is the most recent, the most frequent, the highest spending fifth. The segment
comes from a 5 x 5 grid of recency against FM, the mean of the frequency and monetary scores
rounded half up: recency says whether the customer is still here, FM what the customer is
worth. The grid, row by row, is the README's "RFM segments" table.
"""

from __future__ import annotations

from enum import StrEnum


class RfmSegment(StrEnum):
    CHAMPIONS = "CHAMPIONS"
    LOYAL = "LOYAL"
    POTENTIAL_LOYALISTS = "POTENTIAL_LOYALISTS"
    NEW = "NEW"
    PROMISING = "PROMISING"
    NEED_ATTENTION = "NEED_ATTENTION"
    ABOUT_TO_SLEEP = "ABOUT_TO_SLEEP"
    AT_RISK = "AT_RISK"
    CANT_LOSE_THEM = "CANT_LOSE_THEM"
    HIBERNATING = "HIBERNATING"
    LOST = "LOST"


S = RfmSegment
# Recency score -> the segment for FM = 1, 2, 3, 4, 5.
GRID: dict[int, tuple[RfmSegment, ...]] = {
    5: (S.NEW, S.POTENTIAL_LOYALISTS, S.POTENTIAL_LOYALISTS, S.CHAMPIONS, S.CHAMPIONS),
    4: (S.PROMISING, S.POTENTIAL_LOYALISTS, S.LOYAL, S.LOYAL, S.CHAMPIONS),
    3: (S.ABOUT_TO_SLEEP, S.NEED_ATTENTION, S.NEED_ATTENTION, S.LOYAL, S.LOYAL),
    2: (S.HIBERNATING, S.ABOUT_TO_SLEEP, S.AT_RISK, S.AT_RISK, S.CANT_LOSE_THEM),
    1: (S.LOST, S.HIBERNATING, S.AT_RISK, S.CANT_LOSE_THEM, S.CANT_LOSE_THEM),
}

# What each segment means, for the API's description of its values and the README.
MEANING: dict[RfmSegment, str] = {
    S.CHAMPIONS: "Bought recently, buy often and spend the most.",
    S.LOYAL: "Buy often and spend well; not always the most recent.",
    S.POTENTIAL_LOYALISTS: "Recent customers with a few purchases and average spend.",
    S.NEW: "Bought recently, for the first time or little.",
    S.PROMISING: "Fairly recent, but few purchases and little spend so far.",
    S.NEED_ATTENTION: "Average on every score, and slipping.",
    S.ABOUT_TO_SLEEP: "Neither recent nor frequent: they will be lost without a reason to return.",
    S.AT_RISK: "Spent well and bought often, but long ago.",
    S.CANT_LOSE_THEM: "Among the best customers once, and gone quiet.",
    S.HIBERNATING: "Long ago, rarely and for little.",
    S.LOST: "The lowest scores on every count.",
}


def fm_score(frequency: int, monetary: int) -> int:
    """The mean of the frequency and monetary scores, rounded half up."""
    return (frequency + monetary + 1) // 2


def segment_of(recency: int, frequency: int, monetary: int) -> RfmSegment:
    """The segment of a customer's three scores, each 1-5."""
    for score in (recency, frequency, monetary):
        if not 1 <= score <= 5:
            raise ValueError(f"an RFM score is 1 to 5, not {score}")
    return GRID[recency][fm_score(frequency, monetary) - 1]


def grid_cells() -> list[RfmSegment]:
    """The grid as one list, recency 5 down to 1, FM 1 to 5 within each: the cell of
    scores (r, fm) is at (5 - r) * 5 + fm - 1."""
    return [segment for r in (5, 4, 3, 2, 1) for segment in GRID[r]]
