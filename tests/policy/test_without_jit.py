"""The exclusion counts run with PostgreSQL's JIT off (issue 13, docs/performance.md)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from xuanren.common.jit import without_jit as _without_jit

pytestmark = pytest.mark.django_db


def _jit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        row = cursor.fetchone()
    return row[0] if row else ""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="JIT is a PostgreSQL setting; elsewhere the block does nothing (the test below)",
)
def test_jit_is_off_inside_and_as_before_after():
    before = _jit()
    with _without_jit():
        assert _jit() == "off"
    assert _jit() == before
    # Inside an outer transaction too, and after an error in the block.
    with transaction.atomic():
        with _without_jit():
            assert _jit() == "off"
        assert _jit() == before
        with pytest.raises(DatabaseError), _without_jit(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        assert _jit() == before


def test_nothing_to_do_elsewhere():
    with _without_jit(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
