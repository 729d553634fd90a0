"""Loading hand-edited TOML data files and published ratings tables into the store.

A load is all or nothing: every file is parsed and checked before anything is
written, and the writes happen in one transaction. Rows are compared before they
are written, so loading the same files twice changes nothing, and rows that only
exist at run time (audit updates) are never touched.

The stages, one module each:

- ``schema``: reading typed fields out of parsed TOML; every problem names the file
  and the field (``LoadError``);
- ``readers``: TOML data files into rows (``Batch``);
- ``ratings_csv``: HMIP's published ratings table (CSV) into rows;
- ``ratings``: a ratings table in a load, checked against the framework;
- ``sync``: writing the rows: insert new, update changed, remove what a file dropped;
- ``files``: one load, all or nothing (``load_files``; ``load_ratings`` for a table
  already downloaded; ``LoadReport``).
"""

from bot.store.loader.files import LoadReport, bundled_files, load_files, load_ratings
from bot.store.loader.schema import LoadError

__all__ = ["LoadError", "LoadReport", "bundled_files", "load_files", "load_ratings"]
