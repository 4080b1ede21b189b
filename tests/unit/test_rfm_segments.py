"""The RFM grid: every combination of scores has one segment, and the grid reads as the
README's table."""

from __future__ import annotations

import itertools

import pytest

from domain.rfm import GRID, MEANING, RfmSegment, fm_score, grid_cells, segment_of


def test_fm_score_rounds_the_mean_half_up():
    assert [fm_score(f, m) for f, m in ((1, 1), (1, 2), (2, 3), (4, 5), (5, 5), (1, 5))] == \
        [1, 2, 3, 5, 5, 3]


def test_every_combination_of_scores_has_a_segment():
    found = {segment_of(r, f, m) for r, f, m in itertools.product(range(1, 6), repeat=3)}
    # and every named segment is reached by some customer
    assert found == set(RfmSegment)


@pytest.mark.parametrize("scores, segment", [
    ((5, 5, 5), RfmSegment.CHAMPIONS),
    ((5, 1, 1), RfmSegment.NEW),
    ((4, 1, 1), RfmSegment.PROMISING),
    ((4, 3, 4), RfmSegment.LOYAL),
    ((1, 5, 5), RfmSegment.CANT_LOSE_THEM),
    ((2, 4, 3), RfmSegment.AT_RISK),
    ((1, 1, 1), RfmSegment.LOST),
    ((2, 1, 1), RfmSegment.HIBERNATING),
    ((3, 2, 2), RfmSegment.NEED_ATTENTION),
    ((3, 1, 1), RfmSegment.ABOUT_TO_SLEEP),
    ((5, 2, 3), RfmSegment.POTENTIAL_LOYALISTS),
])
def test_segment_of_scores(scores, segment):
    assert segment_of(*scores) is segment


@pytest.mark.parametrize("scores", [(0, 3, 3), (3, 6, 3), (3, 3, -1)])
def test_segment_of_refuses_a_score_outside_one_to_five(scores):
    with pytest.raises(ValueError):
        segment_of(*scores)


def test_grid_cells_are_indexed_as_the_refresh_reads_them():
    # the SQL reads cell (5 - r) * 5 + fm, counting from 1
    cells = grid_cells()
    for r, fm in itertools.product(range(1, 6), repeat=2):
        assert cells[(5 - r) * 5 + fm - 1] is GRID[r][fm - 1]


def test_every_segment_is_explained():
    assert set(MEANING) == set(RfmSegment)
