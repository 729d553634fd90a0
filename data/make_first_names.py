"""Make ``first-names-ons.txt`` from ONS's baby-name spreadsheets (see README.md here).

The Office for National Statistics publishes, for each year since 1996, every first name given
to three or more baby boys (and, separately, girls) registered in England and Wales, with
its count: "Baby names in England and Wales" (boys' and girls' datasets, one spreadsheet a
year). Download the spreadsheets for the years wanted into one folder, then:

    pip install xlrd openpyxl   # to read .xls and .xlsx; not needed by the bot
    python data/make_first_names.py FOLDER > data/first-names-ons.txt

Each spreadsheet's largest sheet is the full table; its rows are read as (rank, name, count)
wherever those three cells stand side by side (older years put two blocks on a row). The
counts for 1996 to 2016 (the children a youth justice service works with) are added up,
boys and girls together; a hyphenated name counts for each of its parts (``Ellie-Mae`` for
Ellie and for Mae), since the screen reads the parts too. The 5,000 names with the highest
totals are written lower-case, most common first.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FIRST_YEAR, LAST_YEAR = 1996, 2016
KEEP = 5000
_NAME = re.compile(r"^[A-Za-z][A-Za-z'\-]*$")
_YEAR = re.compile(r"(?:19|20)\d\d")

HEADER = f"""\
# First names of children born in England and Wales, {FIRST_YEAR} to {LAST_YEAR}: the {KEEP:,}
# names given most often, boys and girls together, most common first, lower-case.
# Derived from the Office for National Statistics' "Baby names in England and Wales"
# datasets (every name given to 3 or more babies a year), {FIRST_YEAR} to {LAST_YEAR}.
# Source: Office for National Statistics licensed under the Open Government Licence v3.0.
# Contains public sector information licensed under the Open Government Licence v3.0.
# Made by data/make_first_names.py; see data/README.md.
"""


def _rows(path: Path) -> Iterator[list[Any]]:
    if path.suffix == ".xls":
        import xlrd  # type: ignore[import-not-found]

        book = xlrd.open_workbook(str(path), on_demand=True)
        sheet = max((book.sheet_by_name(n) for n in book.sheet_names()), key=lambda s: s.nrows)
        for number in range(sheet.nrows):
            yield sheet.row_values(number)
    else:
        import openpyxl  # type: ignore[import-not-found]

        book = openpyxl.load_workbook(str(path), read_only=True)
        sheet = max((book[n] for n in book.sheetnames), key=lambda s: s.max_row)
        for row in sheet.iter_rows(values_only=True):
            yield list(row)


def _number(cell: Any) -> int | None:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return int(cell)
    if isinstance(cell, str) and cell.strip().replace(",", "").isdigit():
        return int(cell.strip().replace(",", ""))
    return None


def counts(folder: Path) -> Counter[str]:
    """Each name's total over the years kept, hyphenated names counted for each part."""
    total: Counter[str] = Counter()
    for path in sorted(folder.iterdir()):
        year = _YEAR.search(path.name)
        if path.suffix not in (".xls", ".xlsx") or "historic" in path.name or year is None:
            continue
        if not FIRST_YEAR <= int(year.group()) <= LAST_YEAR:
            continue
        for row in _rows(path):
            for rank, name, count in zip(row, row[1:], row[2:], strict=False):
                number = _number(count)
                if _number(rank) is None or number is None or not isinstance(name, str):
                    continue
                if _NAME.match(name.strip()):
                    for part in name.strip().lower().split("-"):
                        if len(part) >= 2:
                            total[part] += number
    return total


def main() -> None:
    total = counts(Path(sys.argv[1]))
    sys.stdout.write(HEADER)
    for name, _ in total.most_common(KEEP):
        sys.stdout.write(name + "\n")


if __name__ == "__main__":
    main()
