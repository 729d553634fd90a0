"""YOS inspection bot: HMIP inspection results and recommendation tracking for Slack."""

import sys as _sys

__version__ = "0.1.0"


def _import_sqlite_utils_without_numpy() -> None:
    """Import sqlite-utils without numpy or pandas.

    sqlite-utils imports both when they are installed, only to store their values; the bot
    never stores any, and numpy (installed for matplotlib) would add some 40 ms to every
    start of every process, before the first reply. They are hidden while sqlite-utils
    loads and put back at once, so a chart still imports numpy when it is drawn.
    """
    if "sqlite_utils" in _sys.modules:
        return
    hidden = {name: _sys.modules.get(name) for name in ("numpy", "pandas")}
    for name, module in hidden.items():
        if module is None:
            _sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name, module in hidden.items():
            if module is None:
                _sys.modules.pop(name, None)


_import_sqlite_utils_without_numpy()
