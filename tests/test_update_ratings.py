"""`yos-bot update-ratings` against a local HTTP server (never the internet): the table
is fetched, checked by the rules of `yos-bot load` and loaded all or nothing."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.store import open_db
from bot.store.loader.fetch import FetchError, fetch_table

SHIPPED = (PROJECT_ROOT / "data" / "hmi_youth_justice_inspection_ratings.csv").read_bytes()
SLOUGH_2025 = (
    b"Slough,sloughyjs,8.33,Inadequate,14/01/25,"
    b"https://www.justiceinspectorates.gov.uk/hmiprobation/inspections/sloughyjs2025/"
)
# Slough inspected again: a new row, 25/36 points, Good.
SLOUGH_2026 = (
    b"Slough,sloughyjs,69.44,Good,03/03/26,"
    b"https://www.justiceinspectorates.gov.uk/hmiprobation/inspections/sloughyjs2026/"
)
NEWER = SHIPPED.replace(SLOUGH_2025, SLOUGH_2026)
BAD_ROW = SHIPPED.replace(b",14/01/25,", b",2025-01-14,", 1)


class Routes(BaseHTTPRequestHandler):
    """Serves the tables the tests ask for, by path."""

    def do_GET(self) -> None:
        if self.path == "/newer.csv":
            self._send(200, NEWER)
        elif self.path == "/same.csv":
            self._send(200, SHIPPED)
        elif self.path == "/bad-row.csv":
            self._send(200, BAD_ROW)
        elif self.path == "/cut-mid-row.csv":
            self._send(200, NEWER[: NEWER.index(b"Bromley") + 20])  # whole as sent, cut as made
        elif self.path == "/truncated.csv":
            # Promises the whole table, sends half, and hangs up.
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(NEWER)))
            self.end_headers()
            self.wfile.write(NEWER[: len(NEWER) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/error.csv":
            self._send(500, b"the server is having a bad day")
        elif self.path == "/slow.csv":
            time.sleep(2)
            self._send(200, NEWER)
        else:
            self._send(404, b"not found")

    def _send(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Routes)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A clean environment: a fresh store in a temporary folder, no chat settings."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "YOS_", "TEAMS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    monkeypatch.setenv("YOS_TODAY", "2026-03-10")
    monkeypatch.chdir(tmp_path)
    invoke("ask", "summary")  # first start: the bundled data, the shipped table included
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    db = open_db(os.environ["YOS_DB"])
    try:
        return {
            table: sorted(map(tuple, db.execute(f"SELECT * FROM [{table}]").fetchall()), key=repr)
            for table in db.table_names()
        }
    finally:
        db.close()


def test_an_update_loads_the_latest_table(env, server):
    result = invoke("update-ratings", "--url", f"{server}/newer.csv")
    assert result.exit_code == 0, result.output
    assert "83 rating rows imported, 4 flagged as questionable" in result.output
    assert "1 inspections added" in result.output
    answer = invoke("ask", "compare Slough")
    assert "Slough is Good, 25/36 points" in " ".join(answer.output.split())
    summary = invoke("ask", "summary Slough")
    assert "3 March 2026" in summary.output
    db = open_db(os.environ["YOS_DB"])
    [row] = db.table("data_files").rows_where("path = ?", [f"{server}/newer.csv"])
    assert len(row["sha256"]) == 64
    db.close()


def test_the_same_table_again_changes_nothing(env, server):
    before = snapshot()
    result = invoke("update-ratings", "--url", f"{server}/same.csv")
    assert result.exit_code == 0, result.output
    assert "already up to date, nothing changed" in result.output
    after = snapshot()
    after.pop("data_files"), before.pop("data_files")  # it remembers where it looked
    assert after == before


def test_the_url_comes_from_yos_ratings_url(env, server, monkeypatch):
    monkeypatch.setenv("YOS_RATINGS_URL", f"{server}/newer.csv")
    result = invoke("update-ratings")
    assert result.exit_code == 0, result.output
    assert "1 inspections added" in result.output


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/error.csv", "answered HTTP 500"),
        ("/missing.csv", "answered HTTP 404"),
        ("/truncated.csv", "was cut short"),
        ("/cut-mid-row.csv", "cells where the header has 18 (a short or cut-off row)"),
        ("/bad-row.csv", "publication_date: '2025-01-14' is not a date written dd/mm/yy"),
    ],
)
def test_a_failed_download_or_validation_changes_nothing_and_says_why(env, server, path, says):
    before = snapshot()
    result = invoke("update-ratings", "--url", f"{server}{path}")
    assert result.exit_code == 1
    assert says in result.output
    assert "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert snapshot() == before


def test_nothing_is_reachable_means_nothing_changes(env):
    before = snapshot()
    result = invoke("update-ratings", "--url", "http://127.0.0.1:9/ratings.csv")  # discard port
    assert result.exit_code == 1
    assert "could not reach http://127.0.0.1:9/ratings.csv" in result.output
    assert "nothing was changed" in result.output
    assert snapshot() == before


def test_fetching_has_a_timeout_a_size_cap_and_only_speaks_http(server):
    assert fetch_table(f"{server}/same.csv") == SHIPPED
    with pytest.raises(FetchError, match="failed: timed out"):
        fetch_table(f"{server}/slow.csv", timeout=0.3)
    with pytest.raises(FetchError, match="larger than 1,000 bytes"):
        fetch_table(f"{server}/same.csv", max_bytes=1_000)
    with pytest.raises(FetchError, match="is not an http"):
        fetch_table("file:///etc/passwd")


def test_the_default_url_is_the_scrapes_published_csv():
    from bot.config import DEFAULT_RATINGS_URL

    assert DEFAULT_RATINGS_URL == (
        "https://raw.githubusercontent.com/data-to-insight/hmi-probation-youth-justice-scrape/"
        "main/hmi_youth_justice_inspection_ratings.csv"
    )
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    assert DEFAULT_RATINGS_URL in readme
    assert f"YOS_RATINGS_URL={DEFAULT_RATINGS_URL}" in example
