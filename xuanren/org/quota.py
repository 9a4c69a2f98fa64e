"""The quota arithmetic (职数): pure, so that it can be checked against an
independent count. The selector feeds it plain numbers from two grouped queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from xuanren.org.models import LEVEL_RANK, path_and_ancestors


@dataclass
class Counts:
    approved: int = 0
    filled: int = 0
    vacant: int = 0
    over_quota: int = 0

    def add(self, other: Counts) -> None:
        self.approved += other.approved
        self.filled += other.filled
        self.vacant += other.vacant
        self.over_quota += other.over_quota


def level_counts(approved: int, filled: int) -> Counts:
    """Vacancies and over-quota never net out: 2 vacant and 1 over in two
    levels of one unit are reported as such, not as 1 vacant."""
    return Counts(
        approved=approved,
        filled=filled,
        vacant=max(approved - filled, 0),
        over_quota=max(filled - approved, 0),
    )


@dataclass
class UnitQuota:
    unit_id: int
    name: str
    path: str
    depth: int
    kind: str
    levels: dict[str, Counts] = field(default_factory=dict)
    own: Counts = field(default_factory=Counts)
    subtree: Counts = field(default_factory=Counts)

    @property
    def level_rows(self) -> list[tuple[str, Counts]]:
        return sorted(self.levels.items(), key=lambda kv: -LEVEL_RANK.get(kv[0], 0))


def build_report(
    units: Iterable[tuple[int, str, str, int, str]],
    approved: dict[tuple[int, str], int],
    filled: dict[tuple[int, str], int],
) -> list[UnitQuota]:
    """units: (id, name, path, depth, kind) in any order; returns them in tree order.

    Subtree totals add each unit's own counts to every ancestor present in
    `units` (found by path prefix), so a partial tree (one scope) works too.
    """
    by_path: dict[str, UnitQuota] = {}
    by_id: dict[int, UnitQuota] = {}
    for unit_id, name, path, depth, kind in units:
        row = UnitQuota(unit_id, name, path, depth, kind)
        by_path[path] = row
        by_id[unit_id] = row
    keys: dict[int, set[str]] = defaultdict(set)
    for unit_id, level in (*approved.keys(), *filled.keys()):
        keys[unit_id].add(level)
    for unit_id, levels in keys.items():
        target = by_id.get(unit_id)
        if target is None:
            continue
        for level in levels:
            counts = level_counts(
                approved.get((unit_id, level), 0), filled.get((unit_id, level), 0)
            )
            target.levels[level] = counts
            target.own.add(counts)
    for row in by_path.values():
        for prefix in path_and_ancestors(row.path):
            found = by_path.get(prefix)
            if found is not None:
                found.subtree.add(row.own)
    return [by_path[p] for p in sorted(by_path)]
