"""Chart pictures the bot serves itself (bot.app.chart_links), and a PNG shrunk to travel
inside a message (bot.render.png): on real files in a temporary folder."""

from __future__ import annotations

import io
import os

from PIL import Image, ImageDraw

from bot.app.chart_links import ChartStore
from bot.render.png import data_url, shrink

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_chart_address_expires_and_its_picture_is_deleted(tmp_path):
    now = [1_000_000.0]
    store = ChartStore(
        tmp_path / "charts",
        "https://yos.anytown.gov.uk",
        "secret",
        platform="teams",
        lifetime_seconds=60,
        clock=lambda: now[0],
    )
    address = store.publish(PNG)
    assert address.startswith("https://yos.anytown.gov.uk/charts/")
    token = address.rsplit("/", 1)[1]
    assert store.open(token) == PNG
    now[0] += 61
    assert store.open(token) is None  # expired
    files = list((tmp_path / "charts").iterdir())
    assert [f.stat().st_mode & 0o777 for f in files] == [0o600]
    assert (tmp_path / "charts").stat().st_mode & 0o777 == 0o700
    os.utime(files[0], (now[0] - 200, now[0] - 200))
    assert store.purge() == 1
    assert list((tmp_path / "charts").iterdir()) == []
    other = ChartStore(
        tmp_path / "charts",
        "https://yos.anytown.gov.uk",
        "another secret",
        platform="teams",
        lifetime_seconds=60,
        clock=lambda: now[0],
    )
    assert other.open(store.publish(PNG).rsplit("/", 1)[1]) is None  # another key


def test_each_platform_signs_with_a_key_of_its_own(tmp_path):
    def store(platform: str) -> ChartStore:
        return ChartStore(
            tmp_path,
            "https://yos.anytown.gov.uk/",
            "secret",
            platform=platform,
            lifetime_seconds=60,
        )

    token = store("teams").publish(PNG).rsplit("/", 1)[1]
    assert store("teams").open(token) == PNG
    assert store("slack").open(token) is None


def test_only_the_pictures_it_names_are_purged(tmp_path):
    store = ChartStore(tmp_path, "https://x.example", "s", platform="teams", lifetime_seconds=0)
    (tmp_path / "yos.db").write_bytes(b"not a chart")
    store.publish(PNG)
    for entry in tmp_path.iterdir():
        os.utime(entry, (0, 0))
    assert store.purge() == 1
    assert [p.name for p in tmp_path.iterdir()] == ["yos.db"]


def _noisy_png(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 3):
        draw.line([(i, 0), (width - i, height)], fill=(i % 256, (i * 7) % 256, (i * 13) % 256))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_picture_that_fits_is_left_as_it_is():
    png = _noisy_png(400, 200)
    assert shrink(png, len(data_url(png))) == png


def test_a_picture_too_big_is_shrunk_under_the_budget_or_refused():
    png = _noisy_png(720, 360)
    budget = len(data_url(png)) // 3
    smaller = shrink(png, budget)
    assert smaller is not None and len(data_url(smaller)) <= budget
    assert Image.open(io.BytesIO(smaller)).width >= 320
    assert shrink(png, 200) is None  # nothing that small keeps it readable
