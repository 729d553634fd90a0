"""audit_counts: per recommendation and day, kept by triggers, always what the audits say;
and the chart's daily spread drawn from it where there are more audits than points."""

from __future__ import annotations

import random
from datetime import date

from bot.commands.papers import chart_spec
from bot.domain.monitoring.audits import audit_count
from bot.domain.monitoring.spread import daily_spread
from bot.reply import Chart

R1 = "stockton-on-tees-sqs-2013:R1"
COUNTED = (
    "SELECT recommendation_id, audit_date, recorded, retracted, round(percent_sum, 6), "
    "round(percent_squares, 3) FROM audit_counts WHERE recorded > 0 ORDER BY 1, 2"
)
RECOUNTED = (
    "SELECT a.recommendation_id, a.audit_date, count(*), count(r.audit_id), "
    "round(total(CASE WHEN r.audit_id IS NULL THEN a.percent END), 6), "
    "round(total(CASE WHEN r.audit_id IS NULL THEN a.percent * a.percent END), 3) "
    "FROM audit_updates a LEFT JOIN audit_retractions r ON r.audit_id = a.id "
    "GROUP BY 1, 2 ORDER BY 1, 2"
)


def _add(db, count: int, days: tuple[str, ...], seed: int = 1) -> None:
    rng = random.Random(seed)
    db.conn.executemany(
        "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, percent, "
        "via, recorded_at) VALUES (?, ?, 20, 0, ?, 'console', '2014-02-20T09:00:00')",
        [(R1, days[n % len(days)], rng.choice((45.0, 62.5, 80.0, 95.0))) for n in range(count)],
    )


def test_counts_follow_every_record_retraction_and_correction(db):
    _add(db, 400, ("2014-01-20", "2014-01-21", "2014-02-18", "2014-03-30"))
    for n in range(3, 400, 7):
        db.execute("INSERT INTO audit_retractions (audit_id, retracted_at) VALUES (?, 'x')", [n])
    for n in range(3, 400, 21):
        db.execute("DELETE FROM audit_retractions WHERE audit_id = ?", [n])
    db.execute(
        "UPDATE audit_updates SET audit_date = '2014-02-01', percent = 10 WHERE id IN (4, 9, 10)"
    )
    db.execute("DELETE FROM audit_retractions WHERE audit_id = 10")
    db.execute("DELETE FROM audit_updates WHERE id IN (10, 11)")
    db.conn.commit()
    assert db.execute(COUNTED).fetchall() == db.execute(RECOUNTED).fetchall()
    total, retracted = audit_count(db, R1)
    assert (total, retracted) == (
        398,
        db.execute("SELECT count(*) FROM audit_retractions").fetchone()[0],
    )


def test_the_migration_counts_what_was_there_before_it(db):
    _add(db, 50, ("2014-01-20", "2014-02-18"))
    db.execute("INSERT INTO audit_retractions (audit_id, retracted_at) VALUES (5, 'x')")
    db.execute("DELETE FROM audit_counts")  # as a store from before the migration
    from bot.store import migrations

    migrations._audit_counts(db)  # the migration's backfill
    db.conn.commit()
    assert db.execute(COUNTED).fetchall() == db.execute(RECOUNTED).fetchall()


def test_each_days_spread_is_the_mean_and_deviation_of_its_audits_in_effect(db):
    db.conn.executemany(
        "INSERT INTO audit_updates (recommendation_id, audit_date, percent, via, recorded_at) "
        "VALUES (?, '2014-02-03', ?, 'console', 'x')",
        [(R1, 60.0), (R1, 80.0), (R1, 100.0), (R1, 0.0)],
    )
    db.execute("INSERT INTO audit_retractions (audit_id, retracted_at) VALUES (4, 'x')")
    db.conn.commit()
    [day] = daily_spread(db, R1, date(2014, 1, 14), date(2014, 4, 14))
    assert (day.day, day.count, round(day.mean, 6)) == (date(2014, 2, 3), 3, 80.0)
    assert round(day.deviation, 6) == round((800 / 3) ** 0.5, 6)
    assert (round(day.low, 3), round(day.high, 3)) == (63.670, 96.330)
    assert daily_spread(db, R1, date(2014, 3, 1), date(2014, 4, 14)) == ()


def test_the_chart_shows_a_daily_band_only_when_audits_outnumber_its_points(ctx, db):
    _add(db, 6, ("2014-01-20", "2014-02-18"))
    db.conn.commit()
    few = chart_spec(ctx, Chart("stockton-on-tees", "R1"))
    assert few is not None and few.series[0].band == ()
    _add(db, 600, ("2014-01-20", "2014-01-27", "2014-02-18"), seed=2)
    db.conn.commit()
    many = chart_spec(ctx, Chart("stockton-on-tees", "R1"))
    assert many is not None
    band = many.series[0].band
    assert [b.day for b in band] == [date(2014, 1, 20), date(2014, 1, 27), date(2014, 2, 18)]
    assert sum(b.count for b in band) == 606
    assert len(many.series[0].points) <= 3 * 4  # a counted and three replaced per period

    from bot.render.chart import render_chart

    assert render_chart(many).startswith(b"\x89PNG")
