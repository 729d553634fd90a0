"""The Teams app package: ``manifest.json`` and two icons in a zip, for uploading to Teams.

The manifest targets schema v1.17, which every Teams client and the Teams admin centre
accept. It declares:

* the bot, in personal chats, group chats and team channels, with a command list made
  from the same registry as ``help`` (so it cannot name a command that does not exist);
* a message action, "Record as audit update" (:data:`MESSAGE_ACTION_ID`), on the "…"
  menu of any message: Teams sends the bot a ``composeExtension/fetchTask`` invoke and
  shows the dialog the bot answers with.

The icons are drawn here, so the package needs no binary files in the repository: a
white shield with a check mark on the accent colour (192 by 192 pixels), and the same
shape in white on transparent (32 by 32), as Teams requires of an outline icon. Drawing
is at eight times the size and scaled down, which gives smooth edges and the same bytes
every time.

The zip is reproducible too: fixed member order, dates and permissions. It is written
to a temporary file beside the target (readable by its owner only) and moved into place,
so a failed run never leaves half a package.

What an admin must give (TEAMS_* settings or ``teams-package`` flags): the publisher's
support, privacy and terms pages (https, never a placeholder such as example.org: Teams
shows them on the app's page). The version is the project's own unless given;
``validDomains`` holds TEAMS_PUBLIC_URL's host (where the chart images are served) and
any ``--domain``. Every manifest is validated, offline, against the schema it declares
(a copy ships in ``bot/teams/schemas``) before it is written; ``--check`` validates
without writing.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from PIL import Image, ImageDraw

from bot.app import Command, default_registry
from bot.config import page_url_problem

MANIFEST_VERSION = "1.17"
SCHEMA_URL = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}"
    "/MicrosoftTeams.schema.json"
)
MESSAGE_ACTION_ID = "recordAuditUpdate"
MESSAGE_ACTION_TITLE = "Record as audit update"
SCOPES = ("personal", "team", "groupChat")

DEFAULT_NAME = "YOS inspections"
DEFAULT_DEVELOPER = "YOS bot"
# The schemas ``--check`` knows, by the address a manifest declares, shipped in the package.
SCHEMAS = {SCHEMA_URL: Path(__file__).parent / "schemas" / "MicrosoftTeams.v1.17.schema.json"}
ACCENT = "#1F5C99"
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
COLOR_SIZE = 192
OUTLINE_SIZE = 32

# Teams' limits on a bot's command list.
MAX_COMMANDS = 10
MAX_COMMAND_TITLE = 32
MAX_COMMAND_DESCRIPTION = 128
MAX_SHORT_NAME = 30
MAX_DEVELOPER_NAME = 32
MAX_DOMAINS = 16

# The commands worth offering in Teams' command menu, which holds ten: the inspection
# at a glance, the recommendations and the audit evidence recorded against them, the
# board report and help. Listed in registry order, whatever the order here; a name that
# is not (or no longer) registered is skipped and the rest of the registry fills its place.
PREFERRED_COMMANDS = (
    "help",
    "summary",
    "scores",
    "recs",
    "timeline",
    "audit",
    "audits",
    "rec",
    "report",
    "home",
)

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_VERSION = re.compile(r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
_DOMAIN = re.compile(r"(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]{1,5})?")
# 1980-01-01, the earliest date a zip can hold: members carry no build time.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """An option cannot go into a valid package; the message says which and why."""


@dataclass(frozen=True)
class PackageOptions:
    app_id: str
    version: str
    developer_url: str
    privacy_url: str
    terms_url: str
    short_name: str = DEFAULT_NAME
    developer_name: str = DEFAULT_DEVELOPER
    domains: tuple[str, ...] = ()

    def check(self) -> None:
        """Raise :class:`PackageError` for the first option Teams would refuse."""
        if not _GUID.fullmatch(self.app_id):
            raise PackageError(
                f"TEAMS_APP_ID must be the bot's Microsoft App ID, a GUID; got {self.app_id!r}"
            )
        if not _VERSION.fullmatch(self.version):
            raise PackageError(
                f"the app version must be MAJOR.MINOR.PATCH, such as 1.0.0; got {self.version!r}"
            )
        if not 0 < len(self.short_name.strip()) <= MAX_SHORT_NAME:
            raise PackageError(f"the app name must be 1 to {MAX_SHORT_NAME} characters")
        if not 0 < len(self.developer_name.strip()) <= MAX_DEVELOPER_NAME:
            raise PackageError(f"the developer name must be 1 to {MAX_DEVELOPER_NAME} characters")
        for what, setting, url in (
            ("developer", "TEAMS_DEVELOPER_URL", self.developer_url),
            ("privacy", "TEAMS_PRIVACY_URL", self.privacy_url),
            ("terms", "TEAMS_TERMS_URL", self.terms_url),
        ):
            if not url:
                raise PackageError(
                    f"the {what} page is not given: set {setting} or --{what}-url to your "
                    "council's own https:// page (Teams shows it on the app's page)"
                )
            problem = page_url_problem(url)
            if problem:
                raise PackageError(f"the {what} URL (--{what}-url, {setting}) {problem}")
        if len(self.domains) > MAX_DOMAINS:
            raise PackageError(f"Teams accepts at most {MAX_DOMAINS} valid domains")
        for domain in self.domains:
            if not _DOMAIN.fullmatch(domain):
                raise PackageError(
                    f"a valid domain is a host name such as yos.example.org, without "
                    f"https:// or a path; got {domain!r}"
                )


def domain_of(public_url: str | None) -> tuple[str, ...]:
    """TEAMS_PUBLIC_URL's host as a valid domain (with its port, unless 443)."""
    if not public_url:
        return ()
    parsed = urlparse(public_url)
    host = (parsed.hostname or "").lower()
    if not host:
        return ()
    return (f"{host}:{parsed.port}" if parsed.port and parsed.port != 443 else host,)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """What is wrong with ``document`` by the schema it declares (``$schema``), offline."""
    from jsonschema.validators import validator_for

    declared = document.get("$schema")
    path = SCHEMAS.get(declared) if isinstance(declared, str) else None
    if path is None:
        return [f"it declares a schema this version cannot check: {declared!r}"]
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or 'the manifest'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    ]


def check(options: PackageOptions) -> list[str]:
    """The manifest's schema errors (raises :class:`PackageError` for a bad option)."""
    return schema_errors(manifest(options))


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def command_entry(command: Command) -> dict[str, str]:
    """One command as Teams lists it: the name to type, and what it does with its usage."""
    summary = _sentence(command.summary)
    with_usage = f"{summary} Usage: {command.usage}"
    description = with_usage if command.usage != command.name else summary
    if len(description) > MAX_COMMAND_DESCRIPTION:
        description = summary
    return {
        "title": command.name,
        "description": _clip(description, MAX_COMMAND_DESCRIPTION),
    }


def chosen_commands(commands: Iterable[Command]) -> list[Command]:
    """At most :data:`MAX_COMMANDS` commands, the preferred ones first, in registry order.

    A command whose name is too long for a title is left out: the title is what Teams
    puts in the message, so a shortened one would not be a command.
    """
    available = [c for c in commands if len(c.name) <= MAX_COMMAND_TITLE]
    names = {c.name for c in available if c.name in PREFERRED_COMMANDS}
    names = set(sorted(names, key=PREFERRED_COMMANDS.index)[:MAX_COMMANDS])
    for command in available:
        if len(names) >= MAX_COMMANDS:
            break
        names.add(command.name)
    return [c for c in available if c.name in names]


def command_list(commands: Iterable[Command] | None = None) -> list[dict[str, str]]:
    """The bot's command list entries, from ``commands`` or the registry that ``help`` uses."""
    source = default_registry().commands.values() if commands is None else commands
    return [command_entry(c) for c in chosen_commands(source)]


def manifest(options: PackageOptions) -> dict[str, Any]:
    """The app manifest for ``options`` (checked first)."""
    options.check()
    short = options.short_name.strip()
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": options.version,
        "id": options.app_id,
        "developer": {
            "name": options.developer_name.strip(),
            "websiteUrl": options.developer_url,
            "privacyUrl": options.privacy_url,
            "termsOfUseUrl": options.terms_url,
        },
        "name": {
            "short": short,
            "full": f"{short}: HMIP inspection results and recommendations",
        },
        "description": {
            "short": "HMIP inspection results and the recommendations that came out of them.",
            "full": (
                "Answers questions about HM Inspectorate of Probation inspection results "
                "for youth offending services: scores and rating bands by theme, the key "
                "strengths, and the recommendations with their deadlines and status. "
                "Auditors record case-file audit results against a recommendation, by "
                "typing 'audit' or from a message's 'Record as audit update' action, and "
                "the bot tracks progress for the management board report. In a channel, "
                "mention the bot first; in a personal chat, just type. Type 'help' for "
                "every command. Do not include names, dates of birth or other details "
                "that identify a child."
            ),
        },
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": options.app_id,
                "scopes": list(SCOPES),
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [{"scopes": list(SCOPES), "commands": command_list()}],
            }
        ],
        "composeExtensions": [
            {
                "botId": options.app_id,
                "commands": [
                    {
                        "id": MESSAGE_ACTION_ID,
                        "type": "action",
                        "title": MESSAGE_ACTION_TITLE,
                        "description": (
                            "Record a case-file audit result against a recommendation, "
                            "starting from this message."
                        ),
                        "context": ["message"],
                        "fetchTask": True,
                    }
                ],
            }
        ],
        "validDomains": list(options.domains),
        "defaultInstallScope": "team",
    }


# --- Icons ----------------------------------------------------------------------------

_SCALE = 8  # draw this many times larger, then scale down: smooth edges


def _bezier(
    p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float], steps: int
) -> list[tuple[float, float]]:
    """Points along a quadratic Bézier curve, excluding ``p0``."""
    points = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
                u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1],
            )
        )
    return points


def _shield(size: float, inset: float) -> list[tuple[float, float]]:
    """A shield filling the square from ``inset`` to ``1 - inset`` of ``size``."""
    lo, hi = inset, 1 - inset
    mid = 0.5
    width = hi - lo

    def at(x: float, y: float) -> tuple[float, float]:
        return (x * size, y * size)

    top = lo + 0.06 * width
    shoulder = lo + 0.5 * width
    outline: list[tuple[float, float]] = [at(lo, top), at(mid, lo), at(hi, top), at(hi, shoulder)]
    right = _bezier((hi, shoulder), (hi, lo + 0.85 * width), (mid, hi), 24)
    left = _bezier((mid, hi), (lo, lo + 0.85 * width), (lo, shoulder), 24)
    outline += [at(x, y) for x, y in right + left]
    return outline


def _check(size: float, inset: float) -> tuple[list[tuple[float, float]], int]:
    """The check mark's path and stroke width inside the shield."""
    lo, hi = inset, 1 - inset
    width = hi - lo

    def at(x: float, y: float) -> tuple[float, float]:
        return ((lo + x * width) * size, (lo + y * width) * size)

    return [at(0.27, 0.50), at(0.44, 0.67), at(0.74, 0.34)], round(0.11 * width * size)


def _mask(size: int, draw: Callable[[ImageDraw.ImageDraw, int], None]) -> Image.Image:
    big = Image.new("L", (size * _SCALE, size * _SCALE), 0)
    draw(ImageDraw.Draw(big), size * _SCALE)
    return big.resize((size, size), Image.Resampling.BOX)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def color_icon(size: int = COLOR_SIZE) -> bytes:
    """A white shield with a check mark in the accent colour, on the accent colour."""
    inset = 0.25  # a 96-pixel symbol in 192: Teams may crop the edges

    def shield(draw: ImageDraw.ImageDraw, side: int) -> None:
        draw.polygon(_shield(side, inset), fill=255)

    def check(draw: ImageDraw.ImageDraw, side: int) -> None:
        path, stroke = _check(side, inset)
        draw.line(path, fill=255, width=stroke, joint="curve")

    accent = _hex_rgb(ACCENT)
    image = Image.new("RGB", (size, size), accent)
    image.paste((255, 255, 255), (0, 0, size, size), _mask(size, shield))
    image.paste(accent, (0, 0, size, size), _mask(size, check))
    return _png(image)


def outline_icon(size: int = OUTLINE_SIZE) -> bytes:
    """The shield in white on transparent, the check mark cut out of it."""
    inset = 0.1875  # a 20-pixel symbol in 32, as Teams' design guidance asks

    def shape(draw: ImageDraw.ImageDraw, side: int) -> None:
        draw.polygon(_shield(side, inset), fill=255)
        path, stroke = _check(side, inset)
        draw.line(path, fill=0, width=stroke, joint="curve")

    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    image.putalpha(_mask(size, shape))
    return _png(image)


# --- The package ----------------------------------------------------------------------


def build(options: PackageOptions) -> bytes:
    """The app package as zip bytes: the same options always give the same bytes.
    Raises :class:`PackageError` when the manifest is not valid by its own schema."""
    built = manifest(options)
    errors = schema_errors(built)
    if errors:
        raise PackageError("the manifest is not valid by its schema: " + "; ".join(errors[:5]))
    document = json.dumps(built, indent=2, ensure_ascii=False) + "\n"
    members = (
        ("manifest.json", document.encode("utf-8")),
        (COLOR_ICON, color_icon()),
        (OUTLINE_ICON, outline_icon()),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def write(path: Path, options: PackageOptions) -> None:
    """Write the package to ``path`` atomically, readable by its owner only.

    Raises :class:`PackageError` for a bad option and ``OSError`` if it cannot be written;
    either way nothing is left at ``path`` that was not there before.
    """
    data = build(options)
    folder = path.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
