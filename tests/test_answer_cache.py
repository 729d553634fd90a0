"""The answer cache: one per process, bounded in bytes, kept across audit writes, emptied
(in effect) by any change to the inspection data, and never holding audit evidence."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

import pytest

from bot.commands import dispatch
from bot.domain.inspections import cache
from bot.domain.inspections.cache import AnswerCache, approximate_size
from bot.domain.inspections.queries import InspectionQueries
from bot.store import open_db
from bot.store.db import Store
from bot.store.loader import load_files
from tests.conftest import DATA_DIR

OTHERTON = """
[[services]]
id = "otherton"
name = "Otherton Youth Offending Service"

[[inspections]]
id = "otherton-sqs-2012"
service = "otherton"
framework = "hmip-case-assessment-2009"
programme = "Short Quality Screening"
published = 2012-06-01
overall_score = 70
"""


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    """An empty cache for each test; other connections' loads are seen at once."""
    cache.clear()
    monkeypatch.setattr(cache, "TOKEN_SECONDS", 0.0)
    yield
    cache.clear()


class Counting:
    """A computation that counts how often it ran."""

    def __init__(self, value: object = "answer") -> None:
        self.runs = 0
        self.value = value

    def __call__(self) -> object:
        self.runs += 1
        return self.value


def _audit(db, day: str = "2014-02-10") -> None:
    db.execute(
        "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, percent, "
        "via, recorded_at) VALUES ('stockton-on-tees-sqs-2013:R1', ?, 20, 17, 85, 'console', "
        "'2014-02-10T10:00:00')",
        [day],
    )
    db.conn.commit()


def test_an_audit_write_keeps_every_inspection_answer(db, settings):
    compute = Counting()
    assert InspectionQueries(db).memo("k", compute) == "answer"
    other = open_db(settings.db_path)
    _audit(other)  # another connection, as another worker would
    _audit(db)  # and this one
    assert InspectionQueries(db).memo("k", compute) == "answer"
    assert compute.runs == 1


def test_a_data_load_anywhere_makes_every_answer_unreachable(db, settings, tmp_path):
    compute = Counting()
    InspectionQueries(db).memo("k", compute)
    other = open_db(settings.db_path)
    file = tmp_path / "otherton.toml"
    file.write_text(OTHERTON)
    load_files(other, [file])
    InspectionQueries(db).memo("k", compute)
    assert compute.runs == 2
    assert InspectionQueries(db).match_service("Otherton").service is not None


def test_a_channel_choosing_its_service_is_seen_at_once(db):
    queries = InspectionQueries(db)
    assert queries.channel_service("C1") is None
    db.execute(
        "INSERT INTO channel_settings (channel_id, service_id, set_by, set_at) "
        "VALUES ('C1', 'stockton-on-tees', 'U1', 'now')"
    )
    db.conn.commit()
    assert InspectionQueries(db).channel_service("C1") == "stockton-on-tees"


def test_a_rolled_back_load_leaves_nothing_behind(db):
    compute = Counting()
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE services SET name = 'Renamed' WHERE id = 'stockton-on-tees'")
    assert InspectionQueries(db).service("stockton-on-tees").name == "Renamed"
    InspectionQueries(db).memo("k", compute)
    db.execute("ROLLBACK")
    assert InspectionQueries(db).service("stockton-on-tees").name != "Renamed"
    InspectionQueries(db).memo("k", compute)
    assert compute.runs == 2  # nothing read inside the transaction was kept


def test_answers_that_read_audits_are_never_kept(db, ctx):
    assert "latest audit" not in dispatch("recs", ctx).sections[0].fields[0].value
    before = len(cache.ANSWERS)
    _audit(db)
    assert "latest audit" in dispatch("recs", ctx).sections[0].fields[0].value
    queries = InspectionQueries(db)
    compute = Counting()

    def reads_audits() -> object:
        queries.known_this_request("status")  # audit evidence is read
        return compute()

    queries.memo("k", reads_audits)
    queries.memo("k", reads_audits)
    assert compute.runs == 2
    assert not any(key[1] == "k" for key in cache.ANSWERS._entries)
    assert len(cache.ANSWERS) >= before  # the inspection answers stay


def test_one_cache_serves_every_thread_and_connection(settings, db):
    compute = Counting()
    InspectionQueries(db).memo("k", compute)

    def ask() -> None:
        InspectionQueries(open_db(settings.db_path)).memo("k", compute)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert compute.runs == 1


def test_a_store_without_a_generation_is_answered_uncached(tmp_path):
    conn = sqlite3.connect(tmp_path / "bare.db")
    compute = Counting()
    queries = InspectionQueries(Store(conn))
    queries.memo("k", compute)
    queries.memo("k", compute)
    assert compute.runs == 2


def test_the_cache_is_bounded_in_bytes():
    answers = AnswerCache(max_bytes=200_000)
    for n in range(100):
        answers.put(("t", n), "x" * 10_000)
    assert answers.bytes <= 200_000
    assert len(answers) < 100
    assert answers.get(("t", 99)) == "x" * 10_000  # the newest stay
    assert answers.get(("t", 0)) is cache._MISSING  # the oldest went first


def test_an_answer_too_large_to_share_the_cache_is_not_kept():
    answers = AnswerCache(max_bytes=100_000)
    answers.put("big", "x" * 60_000)
    assert answers.get("big") is cache._MISSING


@dataclass
class _Node:
    name: str
    children: list[_Node]


def test_sizes_follow_containers_and_records():
    leaf = _Node("leaf" * 100, [])
    tree = _Node("root", [leaf, leaf, _Node("other" * 100, [])])
    assert approximate_size(tree) > approximate_size(leaf) + 400
    shared = approximate_size([leaf] * 50)
    assert shared < approximate_size([_Node("leaf" * 100, []) for _ in range(50)])
    many = list(range(10_000))
    assert 0.5 < approximate_size(many) / (len(many) * 28 + 8 * len(many)) < 2


def test_the_bundled_data_loads_through_the_triggers(db):
    """Every table of inspection data bumps the token; audits and deliveries never do."""
    token = cache.store_token(db)
    load_files(db, [DATA_DIR / "stockton-on-tees-sqs-2013.toml"])  # unchanged: no writes
    assert cache.store_token(db) == token
    _audit(db)
    db.execute(
        "INSERT INTO deliveries (platform, key, kind, received_at) VALUES ('t', 'k', 'x', 'now')"
    )
    db.conn.commit()
    assert cache.store_token(db) == token
    db.execute("UPDATE themes SET score = 90 WHERE slug = 'protecting-public'")
    db.conn.commit()
    assert cache.store_token(db) != token
