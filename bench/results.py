"""Figures collected by the benchmarks, each with its target, for the final table."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: str  # the figure as printed, with its unit and ratio
    target: str = ""  # the target, in words; "" for a figure given for reference
    ok: bool | None = None  # None: no target


FIGURES: list[Figure] = []


def record(name: str, value: str, target: str = "", ok: bool | None = None) -> bool:
    """Keep a figure for the final table; returns ``ok`` (True when there is no target)."""
    FIGURES.append(Figure(name, value, target, ok))
    return ok is not False


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank on the sorted values, interpolated by
    ``statistics.quantiles`` when there are enough)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    if q == 50:
        return statistics.median(values)
    ordered = sorted(values)
    if len(ordered) < 100:
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
    return statistics.quantiles(ordered, n=100)[int(q) - 1]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.2f} ms" if value < 100 else f"{value:,.0f} ms"


def print_table() -> bool:
    """Every figure with its target and PASS/FAIL; True when every target holds."""
    width = max((len(f.name) for f in FIGURES), default=10)
    value_width = max((len(f.value) for f in FIGURES), default=10)
    print()
    print("== summary: every figure, its target and the verdict")
    print(f"{'figure':{width}}  {'value':{value_width}}  {'target':34} verdict")
    for f in FIGURES:
        verdict = "" if f.ok is None else ("PASS" if f.ok else "FAIL")
        print(f"{f.name:{width}}  {f.value:{value_width}}  {f.target:34} {verdict}")
    failed = [f for f in FIGURES if f.ok is False]
    passed = [f for f in FIGURES if f.ok is True]
    print(f"{len(passed)} targets met, {len(failed)} missed")
    return not failed
