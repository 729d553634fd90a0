"""Chart pictures served by the bot itself, at addresses that cannot be guessed and expire.

A platform that shows a message's image only from an HTTPS address (Teams' cards) is
given one the bot serves from its own host, at ``<public URL>/charts/<token>.png``:

* the token is a random ID (144 bits) for the PNG file, the time it stops working and
  an HMAC-SHA256 of the two, under a key derived from a secret of the bot's (for Teams,
  its client secret): it cannot be guessed or altered, names nothing about what the
  chart shows, and stops working after its lifetime (a wrong or expired token opens
  nothing, which the server answers 404);
* the PNG is kept in a folder beside the store (owner-only, as every file the bot
  writes), and deleted once every address of it has expired.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from bot.store.files import write_private

# Where charts are served, under the bot's public address.
CHARTS_PATH = "/charts/"
_ID = re.compile(r"[A-Za-z0-9_-]{24}")
_TOKEN = re.compile(r"([A-Za-z0-9_-]{24})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})\.png")


class ChartStore:
    """Chart PNGs served at unguessable addresses that expire (see the module's doc).
    ``platform`` names whose addresses these are: each platform's key is its own."""

    def __init__(
        self,
        folder: Path,
        public_url: str,
        secret: str,
        *,
        platform: str,
        lifetime_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.base = f"{public_url.rstrip('/')}{CHARTS_PATH}"
        purpose = f"yos-bot {platform} chart addresses".encode()
        self._key = hmac.new(secret.encode(), purpose, "sha256").digest()
        self.lifetime = lifetime_seconds
        self.clock = clock

    def _sign(self, ident: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{ident}.{expires}".encode(), "sha256").digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def publish(self, png: bytes) -> str:
        """Keep ``png`` and return its address (blocking: it writes a file)."""
        self.purge()
        ident = secrets.token_urlsafe(18)
        write_private(self.folder / f"{ident}.png", png)
        expires = int(self.clock() + self.lifetime)
        return f"{self.base}{ident}.{expires}.{self._sign(ident, expires)}.png"

    def open(self, token: str) -> bytes | None:
        """The PNG that ``token`` (the address's last part) names, if it is genuine and
        has not expired; None otherwise (blocking: it reads a file)."""
        found = _TOKEN.fullmatch(token)
        if found is None:
            return None
        ident, expires, signature = found.groups()
        if not hmac.compare_digest(signature, self._sign(ident, int(expires))):
            return None
        if int(expires) <= self.clock():
            return None
        try:
            return (self.folder / f"{ident}.png").read_bytes()
        except OSError:
            return None

    def purge(self) -> int:
        """Delete the charts whose every address has expired; how many went."""
        oldest = self.clock() - self.lifetime - 60
        gone = 0
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return 0
        for entry in entries:
            name = entry.name
            if not (name.endswith(".png") and _ID.fullmatch(name[:-4])):
                continue
            try:
                if entry.stat().st_mtime < oldest:
                    os.unlink(entry.path)
                    gone += 1
            except OSError:
                continue
        return gone
