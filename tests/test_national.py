"""The 2018+ standards framework and HMIP's published ratings table, from fixture CSVs.

The fixture tables here are loaded into a store holding only the bundled TOML files (no
national table), so every count is the fixture's own. Ranking holds up: like with like,
ties level, flagged rows shown and never ranked, percentages never among points.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from bot.commands import dispatch
from bot.config import PROJECT_ROOT, settings_from
from bot.domain.wording import ordinal
from bot.slack.blocks import message
from bot.store.loader import LoadError, load_files
from tests.blockkit import assert_valid_message
from tests.conftest import IN_WINDOW

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
LABEL = "1 The resettlement standard does not contribute to the overall rating."
DEFECTIVE = [
    row("Labelshire", 22, LABEL),
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
def settings(tmp_path):
    """A store with the bundled TOML files only: the fixture tables are the national data."""
    data = tmp_path / "data"
    data.mkdir()
    for toml in (PROJECT_ROOT / "data").glob("*.toml"):
        shutil.copy(toml, data / toml.name)
    return settings_from(
        {
            "YOS_DB": str(tmp_path / "yos.db"),
            "YOS_DATA_DIR": str(data),
            "YOS_TODAY": IN_WINDOW.isoformat(),
        }
    )


@pytest.fixture
def table(tmp_path) -> Path:
    return write_table(tmp_path, SOUND + DEFECTIVE)


@pytest.fixture
def loaded(db, table):
    return load_files(db, [table])


def section(reply, heading):
    return next(s for s in reply.sections if s.heading == heading)


# --- loading ----------------------------------------------------------------------------


def test_every_row_is_imported_and_only_defective_rows_reported(db, loaded):
    assert loaded.rows_imported == 13
    assert loaded.flagged == [
        f"Labelshire: the published rating cell reads “{LABEL}”, which is not a rating; "
        "22/36 points would be Good",
        "Disagree Town: published: Requires improvement; 26/36 points would be Good",
        "Halfpoint: 1.50 points (score 4.17%) is not a whole number from 0 to 36",
        "Overshire: score 111.11% is not a percentage from 0 to 100",
    ]
    report = loaded.describe()
    assert "13 rating rows imported, 4 flagged as questionable" in report
    for sound in SOUND:
        assert sound["la_name"] not in report.split("13 rating rows")[0]
    assert db.table("inspections").count == 14  # and the bundled one


def test_reloading_the_table_changes_nothing(db, table, loaded):
    again = load_files(db, [table])
    assert not again.changed
    assert again.flagged == loaded.flagged  # still reported: they are facts about the file


def test_a_label_that_is_not_a_rating_is_never_stored_as_the_rating(db, ask, loaded):
    [stored] = db.table("inspections").rows_where("service_id = ?", ["labelshire"])
    assert stored["overall_rating"] is None
    assert LABEL in stored["quality_note"]  # its text is kept, as a note
    reply = ask("summary Labelshire")
    assert reply.headline.startswith("Labelshire: overall not published as a rating, 22/36 points")
    facts = {f.label: f.value for f in reply.sections[0].fields}
    assert facts["Overall"] == "not published as a rating, 22/36 points"
    assert section(reply, "Questionable as published").text.startswith(
        f"the published rating cell reads “{LABEL}”"
    )
    # Never counted as a rating anywhere: not among Good, not in a distribution.
    good = ask("services good")
    assert not any("Labelshire" in i for s in good.sections for i in s.items)


def test_a_standard_that_is_not_a_rating_is_left_out_and_flagged(db, tmp_path):
    path = write_table(tmp_path, [row("Oddtown", 20, "Good", planning="See note 3")], "odd.csv")
    report = load_files(db, [path])
    assert report.flagged == ["Oddtown: Planning: “See note 3” is not a rating"]
    slugs = [
        t["slug"] for t in db.table("themes").rows_where("inspection_id = ?", ["oddtownyjs2025"])
    ]
    assert "planning" not in slugs and "staff" in slugs


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("Sixton\n", "line 2: 1 cells where the header has 11 (a short or cut-off row)"),
        (
            "Sixton,sixtonyjs,16.67,Inadequate,14/01/25\n",
            "line 2: 5 cells where the header has 11 (a short or cut-off row)",
        ),
        (
            "Sixton,sixtonyjs,16.67,Inadequate,14/01/25,https://e.org/x/,,,,,,extra\n",
            "line 2: 12 cells where the header has 11",
        ),
        ("Sixton,sixtonyjs,nan,Inadequate,14/01/25,https://e.org/x/,,,,,\n", "'nan' is not a"),
        ("Sixton,sixtonyjs,inf,Inadequate,14/01/25,https://e.org/x/,,,,,\n", "'inf' is not a"),
        ("Sixton,sixtonyjs,-inf,Inadequate,14/01/25,https://e.org/x/,,,,,\n", "finite number"),
        ("", "has a header but no rows"),
        (
            "Sixton,a,16.67,Inadequate,14/01/25,https://e.org/a/,,,,,\n"
            "SIXTON,b,16.67,Inadequate,14/01/25,https://e.org/b/,,,,,\n",
            "line 3: SIXTON appears twice",
        ),
    ],
)
def test_a_row_that_cannot_be_read_refuses_the_whole_table(db, tmp_path, rows, problem):
    path = tmp_path / "bad.csv"
    path.write_text(",".join(COLUMNS) + "\n" + rows, encoding="utf-8")
    before = db.table("inspections").count, db.table("services").count, db.table("themes").count
    with pytest.raises(LoadError) as refused:
        load_files(db, [path])
    assert any(problem in p for p in refused.value.problems), refused.value.problems
    assert (
        db.table("inspections").count,
        db.table("services").count,
        db.table("themes").count,
    ) == before


def test_a_table_missing_columns_is_refused_whole(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("la_name,score_%\nReading,13.89\n")
    with pytest.raises(LoadError, match="missing columns la_ref, overall_rating"):
        load_files(db, [bad])
    assert db.table("inspections").count == 1


def test_a_bad_date_refuses_the_table(db, tmp_path):
    path = write_table(tmp_path, [row("Reading", 5, "Inadequate", published="2024-12-03")])
    with pytest.raises(LoadError, match=r"line 2: publication_date: '2024-12-03' is not a date"):
        load_files(db, [path])


# --- replies ----------------------------------------------------------------------------


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
    note = section(reply, "Questionable as published")
    assert note.text == "published: Requires improvement; 26/36 points would be Good"
    assert ask("summary Halfpoint").ok  # still queryable
    assert "published score 4.17%" in ask("summary Halfpoint").headline


def test_standards_show_their_ratings_and_how_many_the_row_holds(ask, loaded):
    reply = ask("summary North Yorkshire")
    values = {f.label: f.value for f in section(reply, "Standards rated").fields}
    assert values["Staff"] == "Good (2 points)"
    assert values["Assessment"] == "Requires improvement (1 point)"
    assert values["Resettlement policy and provision"] == "Good (2 points)"
    held = "The published row holds 3 of the 12 standards; the overall 33/36 points are HMIP's"
    assert any((s.text or "").startswith(held) for s in reply.sections)
    assert ask("score staff Thirty-One Cross").headline == "Staff: Outstanding (3 points)."
    for question in (
        "scores North Yorkshire",
        "overall North Yorkshire",
        "compare North Yorkshire",
    ):
        assert any("holds 3 of the 12 standards" in (s.text or "") for s in ask(question).sections)


def test_service_names_match_fuzzily_and_ambiguously(ask, loaded):
    assert ask("summary reading").title == "Reading: Youth justice inspection"
    assert ask("summary Sixt").title.startswith("Sixton")
    assert ask("summary Redaing").sections[0].items == ("Reading",)  # a suggestion
    ambiguous = ask("summary North")
    assert not ambiguous.ok
    assert "fits more than one service" in ambiguous.headline
    assert set(ambiguous.sections[0].items) == {"North Tyneside", "North Yorkshire"}
    nothing = ask("summary Atlantis")
    assert not nothing.ok
    assert not any(s.heading == "Did you mean" for s in nothing.sections)  # never empty


# --- ranking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (121, "121st"),
    ],
)
def test_ordinals(n, expected):
    assert ordinal(n) == expected


def test_ordinals_from_1_to_125():
    for n in range(1, 126):
        teen = 11 <= n % 100 <= 13
        suffix = "th" if teen else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        assert ordinal(n) == f"{n}{suffix}"
        assert ordinal(n)[-2:] in ("st", "nd", "rd", "th")
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
    ]


def test_compare_ranks_only_unflagged_services_by_whole_points(ask, loaded):
    reply = ask("compare Reading")
    assert reply.ok
    # 9 ranked (the 4 flagged are not); Reading (5) is last of them.
    assert reply.headline == (
        "Reading is Inadequate, 5/36 points: 9th of 9 ranked services by points, "
        "the 6th percentile."
    )
    distribution = section(reply, "Overall ratings of the 9 ranked services")
    assert {f.label: f.value for f in distribution.fields} == {
        "Outstanding": "2",
        "Good": "3",
        "Requires improvement": "2",
        "Inadequate": "2",
    }
    above = section(reply, "Just above").items
    assert above == (
        "Sixton: Inadequate, 6/36 points",
        "Sevenham: Requires improvement, 7/36 points",
    )
    assert not any(s.heading == "Just below" for s in reply.sections)  # Halfpoint is flagged
    text = " ".join(s.text or "" for s in reply.sections)
    assert (
        "Not ranked, as their published rows are questionable: Disagree Town, Halfpoint, " in text
    )
    assert_valid_message(message(reply, interactive=True))


def test_a_flagged_service_is_shown_with_its_flag_and_never_ranked(ask, loaded):
    for name in ("Disagree Town", "Halfpoint", "Labelshire", "Overshire"):
        reply = ask(f"compare {name}")
        assert reply.ok
        assert reply.headline.startswith(f"{name} is not ranked: its published row is questionable")
        assert not any(s.heading in ("Just above", "Just below") for s in reply.sections)
        assert not any(f.label == "Rank by points" for s in reply.sections for f in s.fields)
    # And never anyone's neighbour: Disagree Town (26) sits between Nineteen Bay and Thirty Moor.
    nineteen = ask("compare Nineteen Bay")
    assert section(nineteen, "Just above").items[0] == "North Tyneside: Good, 26/36 points"
    assert all("Disagree" not in i for s in nineteen.sections for i in s.items)


@pytest.fixture
def tied(db, tmp_path):
    rows = [
        row("Aton", 30, "Good"),
        row("Beeton", 29, "Good"),
        row("Ceeton", 29, "Good"),
        row("Deeton", 29, "Good"),
        row("Eton", 28, "Good"),
        row("Flagton", 29, "Requires Improvement"),  # flagged: the label disagrees
    ]
    return load_files(db, [write_table(tmp_path, rows, "tied.csv")])


def test_ties_share_a_rank_and_are_level_never_above(ask, tied):
    reply = ask("compare Ceeton")
    assert reply.headline == (
        "Ceeton is Good, 29/36 points: 2nd of 5 ranked services by points, level with 2 others, "
        "the 50th percentile."
    )
    assert section(reply, "Level with").items == (
        "Beeton: Good, 29/36 points",
        "Deeton: Good, 29/36 points",
    )
    assert section(reply, "Just above").items == ("Aton: Good, 30/36 points",)
    assert section(reply, "Just below").items == ("Eton: Good, 28/36 points",)
    assert ask("compare Beeton").headline.startswith("Beeton is Good, 29/36 points: 2nd of 5")
    assert ask("compare Eton").headline.startswith("Eton is Good, 28/36 points: 5th of 5")
    listed = next(s for s in ask("services").sections if s.items).items
    assert listed[:5] == (
        "1st Aton: Good, 30/36 points, published 14 January 2025",
        "2nd= Beeton: Good, 29/36 points, published 14 January 2025",
        "2nd= Ceeton: Good, 29/36 points, published 14 January 2025",
        "2nd= Deeton: Good, 29/36 points, published 14 January 2025",
        "5th Eton: Good, 28/36 points, published 14 January 2025",
    )


def test_services_lists_frameworks_apart_and_never_mixes_a_percentage_into_points(ask, tied):
    reply = ask("services")
    headings = [s.heading for s in reply.sections if s.heading]
    assert headings == [
        "HMIP youth justice inspection standards (2018 onwards), ranked by points (page 1 of 1)",
        "Not ranked: questionable as published",
        "Earlier programmes, in percentages: not ranked against points",
    ]
    ranked = reply.sections[0].items
    assert not any("%" in line for line in ranked)
    assert (
        section(reply, "Not ranked: questionable as published")
        .items[0]
        .startswith(
            "Flagton: Requires improvement, 29/36 points, published 14 January 2025 (published: "
        )
    )
    earlier = section(reply, "Earlier programmes, in percentages: not ranked against points")
    assert earlier.items == (
        "Stockton-on-Tees Youth Offending Service: 91%  ★★★★ Good (Short Quality Screening, "
        "HMIP case assessment scoring descriptors), published 18 December 2013",
    )
    # The percentage carries the record's caveat, once.
    caveats = [s for s in reply.sections if "not directly applied to the SQS" in (s.text or "")]
    assert len(caveats) == 1
    assert reply.headline == (
        "7 services in the store: 5 ranked by points, 1 not ranked (questionable as published), "
        "1 inspected under an earlier programme, in percentages."
    )
    # A rating counts only the points framework's: the SQS's "Good" band is another scale.
    good = ask("services good")
    assert good.headline == "5 services rated Good."
    assert not any("Stockton" in i for s in good.sections for i in s.items)
    improvement = ask("services requires improvement")
    assert improvement.headline == (
        "1 service rated Requires improvement (1 of them not ranked: questionable as published)."
    )
    assert_valid_message(message(reply, interactive=True))


def test_services_filters_by_rating_best_first(ask, loaded):
    reply = ask("services outstanding")
    items = next(s for s in reply.sections if s.items).items
    assert [i.split(":")[0] for i in items] == ["1st North Yorkshire", "2nd Thirty-One Cross"]
    assert (
        reply.headline
        == "3 services rated Outstanding (1 of them not ranked: questionable as published)."
    )
    assert not ask("services brilliant").ok
    everything = ask("services")
    assert everything.headline.startswith("14 services in the store: 9 ranked by points")
    assert_valid_message(message(everything, interactive=True))


def test_services_paginate_within_block_kit_limits(db, tmp_path, ask):
    many = [row(f"Service {n:03d}", n % 37, "Good") for n in range(120)]
    load_files(db, [write_table(tmp_path, many, "many.csv")])
    first = ask("services")
    assert first.sections[0].heading.endswith("(page 1 of 7)")
    assert first.sections[-1].text == "More: services 2"
    assert_valid_message(message(first, interactive=True))
    assert ask("services 7").sections[0].heading.endswith("(page 7 of 7)")
    assert not ask("services " + "9" * 4301).ok  # not a page number, and no exception


PLACES = [f"{a}{b}" for a in ("Ash", "Bram", "Cald", "Dun", "Elm") for b in ("bury", "ford", "ham")]


def _rating(points: int) -> str:
    """The rating HMIP publishes for ``points`` (a row that says otherwise is flagged)."""
    for top, rating in ((6, "Inadequate"), (18, "Requires Improvement"), (30, "Good")):
        if points <= top:
            return rating
    return "Outstanding"


@pytest.fixture
def many_places(db, tmp_path):
    """Sixty services, many level on points, and the four questionable rows."""
    names = [f"{place} {n}" for place in PLACES for n in ("Vale", "Cross", "Moor", "Bay")]
    rows = [row(name, n * 7 % 37, _rating(n * 7 % 37)) for n, name in enumerate(names)]
    return load_files(db, [write_table(tmp_path, rows + DEFECTIVE, "places.csv")])


def test_ranks_agree_with_a_count_over_every_service(ask, ctx, many_places):
    """Each service's rank, percentile, level and neighbours, and every rank `services`
    lists, are what counting over every service's whole latest inspection gives."""
    framework = "hmip-youth-standards-2018"
    latest = ctx.queries.latest_by_framework(framework)
    ranked = sorted(
        (i for i in latest if i.overall_points is not None and not i.quality_note),
        key=lambda i: (-(i.overall_points or 0), i.service.name),
    )
    points = {i.service.name: i.overall_points or 0 for i in ranked}

    def line(name: str) -> str:
        return f"{name}: {_rating(points[name]).capitalize()}, {points[name]}/36 points"

    def named(names: list[str], on: int, most: int) -> list[str]:
        more = len(names) - most
        counted = [f"and {more} other{'s' if more != 1 else ''} level on {on} points"]
        return [line(n) for n in names[:most]] + (counted if more > 0 else [])

    for name, mine in points.items():
        above = [n for n, p in points.items() if p > mine]
        level = [n for n, p in points.items() if p == mine and n != name]
        below = [n for n, p in points.items() if p < mine]
        percentile = max(1, round(100 * (len(below) + 0.5 * (len(level) + 1)) / len(ranked)))
        tie = f", level with {len(level)} other{'s' if len(level) != 1 else ''}" if level else ""
        reply = ask(f"compare {name}")
        assert reply.headline == (
            f"{line(name)}: {ordinal(1 + len(above))} of {len(ranked)} ranked services by "
            f"points{tie}, the {ordinal(percentile)} percentile."
        ).replace(f"{name}: ", f"{name} is ", 1)
        shown = {s.heading: s.items for s in reply.sections if s.heading}
        assert shown.get("Level with", ()) == tuple(named(level, mine, 10))
        # Whole levels of points, nearest first, until at least two services: a level is
        # never cut, its services shown (five at most) or counted.
        for heading, side in (("Just above", above), ("Just below", below)):
            nearest = sorted({points[n] for n in side}, key=lambda p: abs(p - mine))
            expected: list[str] = []
            taken = 0
            for level_points in nearest:
                if taken >= 2:
                    break
                on_it = sorted(n for n in side if points[n] == level_points)
                expected += named(on_it, level_points, 5)
                taken += len(on_it)
            assert shown.get(heading, ()) == tuple(expected), (name, heading)
    listed = [
        item
        for page in range(1, 5)
        for s in ask(f"services {page}").sections
        if (s.heading or "").startswith("HMIP youth justice inspection standards")
        for item in s.items
    ]
    assert len(listed) == len(ranked)
    for item, inspection in zip(listed, ranked, strict=True):
        mine = inspection.overall_points or 0
        rank = ordinal(1 + sum(p > mine for p in points.values()))
        tie = "=" if sum(p == mine for p in points.values()) > 1 else ""
        assert item.startswith(f"{rank}{tie} {line(inspection.service.name)}, published ")


def test_replies_read_only_the_inspections_they_show(ask, many_places, monkeypatch):
    """`compare` and `services` place every service from a light row each; only those a
    reply shows are read whole."""
    from bot.domain.inspections import cache, rows

    built: list[str] = []
    whole = rows.inspection_of

    def counted(row, service, scale):
        built.append(row["id"])
        return whole(row, service, scale)

    monkeypatch.setattr(rows, "inspection_of", counted)
    for question, most in (
        # itself, level with (10 named), and on each side one level of 1 and one of 5 named
        ("compare Ashbury Vale", 1 + 10 + 6 + 6),
        ("services", 20),  # a page
        ("services 3", 20),
        ("services good", 20 + 4),  # and the questionable rows' published ratings
        ("compare Disagree Town", 1),
    ):
        cache.clear()
        built.clear()
        assert ask(question).ok, question
        assert 0 < len(built) <= most, (question, len(built))


def test_compare_for_an_earlier_programme_explains_and_offers_the_national_picture(ask, loaded):
    reply = ask("compare")
    assert reply.ok
    assert reply.headline.startswith(
        "Stockton-on-Tees Youth Offending Service's Short Quality Screening of 2013 cannot be "
        "ranked among the 9 services inspected under the HMIP youth justice inspection "
        "standards (2018 onwards): it was scored as percentages of cases (91% overall)"
    )
    national = next(s for s in reply.sections if (s.heading or "").startswith("Nationally"))
    assert national.heading == (
        "Nationally: overall ratings of the 9 ranked services "
        "(4 more not ranked: questionable as published)"
    )
    text = " ".join(s.text or "" for s in reply.sections)
    assert "compare very favourably to other SQS reports" in text
    assert "not directly applied to the SQS process" in text
    assert "services outstanding" in text


def test_compare_us_with_others_prints_no_empty_heading(ask, loaded):
    reply = ask("compare us with others")
    assert reply.ok and reply.title == "How Stockton-on-Tees Youth Offending Service compares"
    assert all(s.items or s.fields or s.text for s in reply.sections)


def test_the_bundled_inspection_still_answers_after_an_import(ask, loaded):
    assert ask("summary").title == (
        "Stockton-on-Tees Youth Offending Service: Short Quality Screening"
    )
    assert ask("score protecting-public").headline == "Protecting the public: 91%, Good (★★★★)."


def test_a_channel_chooses_its_service(ctx, db, loaded):
    from bot.reply import Person

    ctx.conversation = "C0READING"
    ctx.user = Person("U0ALICE", "Alice", "slack")
    chosen = dispatch("use Reading", ctx)
    assert chosen.ok and chosen.title == "Now answering about Reading"
    assert dispatch("summary", ctx).title == "Reading: Youth justice inspection"
    [setting] = db.table("channel_settings").rows
    assert (setting["channel_id"], setting["service_id"], setting["set_by"]) == (
        "C0READING",
        "reading",
        "U0ALICE",
    )
    ctx.conversation = "C0OTHER"
    assert dispatch("summary", ctx).title.startswith("Stockton-on-Tees")
    ctx.conversation = "C0NORTH"
    assert dispatch("use for North Yorkshire", ctx).title == "Now answering about North Yorkshire"


def test_choosing_a_service_needs_a_conversation_and_an_auditor(ctx, db, loaded):
    assert dispatch("use Reading", ctx).headline == "A default service belongs to a channel."
    ctx.conversation = "C0READING"
    ctx.allowed = lambda permission: False
    refused = dispatch("use Reading", ctx)
    assert not refused.ok
    assert refused.headline == "Only auditors can change which service this channel is about."
    assert db.table("channel_settings").count == 0
    assert dispatch("summary", ctx).title.startswith("Stockton-on-Tees")


def test_paging_hints_are_typed_as_on_the_platform(ctx, db, tmp_path):
    many = [row(f"Service {n:03d}", n % 37, "Good") for n in range(30)]
    load_files(db, [write_table(tmp_path, many, "many.csv")])
    ctx.invocation = "/yos "
    assert dispatch("services", ctx).sections[-1].text == "More: /yos services 2"


def test_yos_service_names_the_default(db, loaded):
    from bot.domain.inspections.queries import InspectionQueries, NotFound

    assert InspectionQueries(db, "READING").default_service_id() == "reading"
    assert InspectionQueries(db, "readingyjs").default_service_id() == "reading"
    with pytest.raises(NotFound, match="YOS_SERVICE names 'Atlantis'"):
        InspectionQueries(db, "Atlantis").default_service_id()
