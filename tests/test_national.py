"""The 2018+ standards framework and HMIP's published ratings table, from fixture CSVs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.commands import dispatch
from bot.render.blocks import message
from bot.store.loader import LoadError, load_files
from tests.blockkit import assert_valid_message

COLUMNS = [
    "la_name",
    "la_ref",
    "score_%",
    "overall_rating",
    "publication_date",
    "report_url",
    "staff",
    "partnerships_and_services",
    "assessment",
    "planning",
    "resettlement_policy_and_provision",
]


def row(name: str, points: float, rating: str, **extra: str) -> dict[str, str]:
    ref = name.lower().replace(" ", "") + "yjs"
    return {
        "la_name": name,
        "la_ref": ref,
        "score_%": extra.pop("score", f"{points / 36 * 100:.2f}"),
        "overall_rating": rating,
        "publication_date": extra.pop("published", "14/01/25"),
        "report_url": f"https://example.org/inspections/{ref}2025/",
        "staff": extra.pop("staff", "Good"),
        "assessment": "Requires Improvement",
        **extra,
    }


SOUND = [
    row("Sixton", 6, "Inadequate"),
    row("Sevenham", 7, "Requires Improvement"),
    row("Eighteen Vale", 18, "Requires Improvement"),
    row("Nineteen Bay", 19, "Good"),
    row("Thirty Moor", 30, "Good"),
    row("Thirty-One Cross", 31, "Outstanding", staff="Outstanding"),
    row("Reading", 5, "Inadequate", staff="Inadequate"),
    row("North Tyneside", 26, "Good"),
    row("North Yorkshire", 33, "Outstanding", resettlement_policy_and_provision="Good"),
]
DEFECTIVE = [
    row("Labelshire", 22, "1 The resettlement standard does not contribute to the overall rating."),
    row("Disagree Town", 26, "Requires Improvement"),
    row("Halfpoint", 1.5, "Inadequate", score="4.17"),
    row("Overshire", 40, "Outstanding", score="111.11"),
]


def write_table(folder: Path, rows: list[dict[str, str]], name: str = "ratings.csv") -> Path:
    path = folder / name
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def table(tmp_path) -> Path:
    return write_table(tmp_path, SOUND + DEFECTIVE)


@pytest.fixture
def loaded(db, table):
    return load_files(db, [table])


def test_every_row_is_imported_and_only_defective_rows_reported(db, loaded):
    assert loaded.rows_imported == 13
    assert loaded.flagged == [
        "Labelshire: published rating “1 The resettlement standard does not contribute to the "
        "over…” is not a rating; 22/36 points would be Good",
        "Disagree Town: published: Requires improvement; 26/36 points would be Good",
        "Halfpoint: 1.50 points (score 4.17%) is not a whole number from 0 to 36",
        "Overshire: 40.00 points (score 111.11%) is not a whole number from 0 to 36",
    ]
    report = loaded.describe()
    assert "13 rating rows imported, 4 flagged as questionable" in report
    for sound in SOUND:
        assert sound["la_name"] not in report.split("13 rating rows")[0]
    assert db["inspections"].count == 14  # and the bundled one


def test_reloading_the_table_changes_nothing(db, table, loaded):
    again = load_files(db, [table])
    assert not again.changed
    assert again.flagged == loaded.flagged  # still reported: they are facts about the file


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("Sixton", "Inadequate, 6/36 points"),
        ("Sevenham", "Requires improvement, 7/36 points"),
        ("Eighteen Vale", "Requires improvement, 18/36 points"),
        ("Nineteen Bay", "Good, 19/36 points"),
        ("Thirty Moor", "Good, 30/36 points"),
        ("Thirty-One Cross", "Outstanding, 31/36 points"),
        ("Reading", "Inadequate, 5/36 points"),
    ],
)
def test_band_boundaries_in_replies(ask, loaded, service, expected):
    reply = ask(f"summary {service}")
    assert reply.ok, reply.headline
    assert reply.headline == f"{service}: overall {expected}."
    assert not any(s.heading == "Questionable as published" for s in reply.sections)


def test_a_flagged_inspection_shows_the_published_label_and_the_disagreement(ask, loaded):
    reply = ask("summary Disagree Town")
    assert "published: Requires improvement; 26/36 points would be Good" in reply.headline
    note = next(s for s in reply.sections if s.heading == "Questionable as published")
    assert note.text == "published: Requires improvement; 26/36 points would be Good"
    assert ask("summary Halfpoint").ok  # still queryable
    assert "published score 4.17%" in ask("summary Halfpoint").headline


def test_standards_show_their_ratings(ask, loaded):
    reply = ask("summary North Yorkshire")
    standards = next(s for s in reply.sections if s.heading == "Standards rated")
    values = {f.label: f.value for f in standards.fields}
    assert values["Staff"] == "Good (2 points)"
    assert values["Assessment"] == "Requires improvement (1 point)"
    assert values["Resettlement policy and provision"] == "Good (2 points)"
    assert ask("score staff Thirty-One Cross").headline == "Staff: Outstanding (3 points)."


def test_service_names_match_fuzzily_and_ambiguously(ask, loaded):
    assert ask("summary reading").title == "Reading: Youth justice inspection"
    assert ask("summary Sixt").title.startswith("Sixton")
    assert ask("summary Redaing").sections[0].items == ("Reading",)  # a suggestion
    ambiguous = ask("summary North")
    assert not ambiguous.ok
    assert "fits more than one service" in ambiguous.headline
    assert set(ambiguous.sections[0].items) == {"North Tyneside", "North Yorkshire"}


def test_compare_places_a_service_among_all(ask, loaded):
    reply = ask("compare Reading")
    assert reply.ok
    # 13 rated services; Reading (5) is above Halfpoint (1.5) only.
    assert reply.headline == (
        "Reading is Inadequate, 5/36 points: 12th of 13 services by points, the 12th percentile."
    )
    distribution = next(s for s in reply.sections if s.heading == "Overall ratings of 13 services")
    # Counted as published; a label that is not a rating counts by its points (Labelshire).
    assert {f.label: f.value for f in distribution.fields} == {
        "Outstanding": "3",
        "Good": "4",
        "Requires improvement": "3",
        "Inadequate": "3",
    }
    above = next(s for s in reply.sections if s.heading == "Just above").items
    assert above[0] == "Sixton: Inadequate, 6/36 points"
    below = next(s for s in reply.sections if s.heading == "Just below").items
    assert below == ("Halfpoint: Inadequate (published score 4.17%) (questionable as published)",)
    assert_valid_message(message(reply, interactive=True))


def test_services_filters_by_rating_best_first(ask, loaded):
    reply = ask("services outstanding")
    items = next(s for s in reply.sections if s.items).items
    assert [i.split(":")[0] for i in items] == ["Overshire", "North Yorkshire", "Thirty-One Cross"]
    assert reply.headline == "3 services rated Outstanding."
    assert not ask("services brilliant").ok
    everything = ask("services")
    assert everything.headline == "14 services in the store."
    assert_valid_message(message(everything, interactive=True))


def test_services_paginate_within_block_kit_limits(db, tmp_path, ask):
    many = [row(f"Service {n:03d}", n % 37, "Good") for n in range(120)]
    load_files(db, [write_table(tmp_path, many, "many.csv")])
    first = ask("services")
    assert first.sections[0].heading == "Best first (page 1 of 7)"
    assert first.sections[-1].text == "More: services 2"
    assert_valid_message(message(first, interactive=True))
    assert ask("services 7").sections[0].heading == "Best first (page 7 of 7)"


def test_the_bundled_inspection_still_answers_after_an_import(ask, loaded):
    assert ask("summary").title == (
        "Stockton-on-Tees Youth Offending Service: Short Quality Screening"
    )
    assert ask("score protecting-public").headline == "Protecting the public: 91%, Good (★★★★)."
    compare = ask("compare")
    assert "compare very favourably to other SQS reports" in compare.headline


def test_a_channel_chooses_its_service(ctx, db, loaded):
    from bot.reply import Person

    ctx.conversation = "C0READING"
    ctx.user = Person("U0ALICE", "Alice", "slack")
    chosen = dispatch("use Reading", ctx)
    assert chosen.ok and chosen.title == "Now answering about Reading"
    assert dispatch("summary", ctx).title == "Reading: Youth justice inspection"
    [setting] = db["channel_settings"].rows
    assert (setting["channel_id"], setting["service_id"], setting["set_by"]) == (
        "C0READING",
        "reading",
        "U0ALICE",
    )
    ctx.conversation = "C0OTHER"
    assert dispatch("summary", ctx).title.startswith("Stockton-on-Tees")


def test_choosing_a_service_needs_a_conversation_and_an_auditor(ctx, db, loaded):
    assert dispatch("use Reading", ctx).headline == "A default service belongs to a channel."
    ctx.conversation = "C0READING"
    ctx.allowed = lambda permission: False
    refused = dispatch("use Reading", ctx)
    assert not refused.ok
    assert refused.headline == "Only auditors can change which service this channel is about."
    assert db["channel_settings"].count == 0
    assert dispatch("summary", ctx).title.startswith("Stockton-on-Tees")


def test_paging_hints_are_typed_as_on_the_platform(ctx, db, tmp_path):
    many = [row(f"Service {n:03d}", n % 37, "Good") for n in range(30)]
    load_files(db, [write_table(tmp_path, many, "many.csv")])
    ctx.invocation = "/yos "
    assert dispatch("services", ctx).sections[-1].text == "More: /yos services 2"


def test_a_table_missing_columns_is_refused_whole(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("la_name,score_%\nReading,13.89\n")
    with pytest.raises(LoadError, match="missing columns la_ref, overall_rating"):
        load_files(db, [bad])
    assert db["inspections"].count == 1


def test_a_bad_date_refuses_the_table(db, tmp_path):
    path = write_table(tmp_path, [row("Reading", 5, "Inadequate", published="2024-12-03")])
    with pytest.raises(LoadError, match=r"line 2: publication_date: '2024-12-03' is not a date"):
        load_files(db, [path])


def test_yos_service_names_the_default(db, loaded):
    from bot.domain.queries import InspectionQueries, NotFound

    assert InspectionQueries(db, "READING").default_service_id() == "reading"
    assert InspectionQueries(db, "readingyjs").default_service_id() == "reading"
    with pytest.raises(NotFound, match="YOS_SERVICE names 'Atlantis'"):
        InspectionQueries(db, "Atlantis").default_service_id()
