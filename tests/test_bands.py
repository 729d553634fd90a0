"""Rating bands come from the store and turn numbers into the labels people quote."""

from __future__ import annotations

import pytest

from bot.domain.inspections.queries import InspectionQueries


@pytest.fixture
def queries(db):
    return InspectionQueries(db)


@pytest.mark.parametrize(
    ("score", "label", "stars"),
    [
        (0, "Poor", 1),
        (49, "Poor", 1),
        (49.9, "Poor", 1),
        (50, "Unsatisfactory", 2),
        (64, "Unsatisfactory", 2),
        (65, "Satisfactory", 3),
        (79, "Satisfactory", 3),
        (79.5, "Satisfactory", 3),
        (80, "Good", 4),
        (100, "Good", 4),
    ],
)
def test_case_assessment_percentages(queries, score, label, stars):
    band = queries.scale("hmip-case-assessment-2009").band_for(score)
    assert (band.label, band.value, band.stars) == (label, stars, "★" * stars)


@pytest.mark.parametrize(
    ("points", "label"),
    [
        (0, "Inadequate"),
        (6, "Inadequate"),
        (7, "Requires improvement"),
        (18, "Requires improvement"),
        (19, "Good"),
        (30, "Good"),
        (31, "Outstanding"),
        (36, "Outstanding"),
    ],
)
def test_standards_overall_points(queries, points, label):
    assert queries.scale("hmip-youth-standards-2018").band_for(points, "overall").label == label


@pytest.mark.parametrize(
    ("label", "points"),
    [("Outstanding", 3), ("Good", 2), ("Requires improvement", 1), ("Inadequate", 0)],
)
def test_standard_ratings_are_worth_points(queries, label, points):
    band = queries.scale("hmip-youth-standards-2018").band_named(label.upper())
    assert band.value == points
    assert band.badge == f"{label} ({points} point{'' if points == 1 else 's'})"


def test_good_threshold_is_the_default_target(queries):
    assert queries.scale("hmip-case-assessment-2009").good_threshold == 80
