"""Lookups the ORM lacks, used as filter expressions."""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup


class InArray(Lookup):
    """`InArray(F("unit_id"), subquery)`: the value is one of the subquery's.
    `IN (subquery)` in general; on PostgreSQL `= ANY(ARRAY(subquery))`: the
    subquery runs once (an InitPlan) and the condition can use an index on
    the column, also inside an OR with other indexed conditions (a BitmapOr),
    where a hashed `IN` subplan makes the planner read the whole table."""

    lookup_name = "in_array"

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return lhs, rhs, [*lhs_params, *rhs_params]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params
