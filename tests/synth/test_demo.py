from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings

from tests.shared_db import built_once
from xuanren.access.models import Role, Scope
from xuanren.journal.models import Event, EventType
from xuanren.org.models import UnitKind
from xuanren.people.models import Cadre

MD5_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    # Nine demo users with the production hasher take seconds.
    settings.PASSWORD_HASHERS = [MD5_HASHER]


def run_demo() -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--cadres", "200", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def first_run(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One run of `xuanren demo` on an empty database, made once for the
    class's tests (tests.shared_db.built_once); what it printed."""
    with built_once(django_db_blocker):
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[MD5_HASHER]):
            text = run_demo()
        yield text


@pytest.mark.django_db
class TestAfterTheFirstRun:
    """Each test starts from the database one run of the demo left (each in a
    savepoint of its own, rolled back after it)."""

    def test_demo_creates_accounts_and_prints_them(self, first_run: str) -> None:
        text = first_run
        assert Cadre.objects.count() == 200
        for username in (
            "admin",
            "officer",
            "member",
            "jiwei",
            "audit",
            "inspector",
            "hr",
            "outsider",
        ):
            user = User.objects.get(username=username)
            assert user.check_password(f"demo-{username}")
            assert f"demo-{username}" in text
        admin = User.objects.get(username="admin")
        assert admin.is_superuser
        officer = User.objects.get(username="officer")
        assert officer.groups.filter(name=Role.CASE_OFFICER).exists()
        assert officer.scope.unit.parent is None
        hr = User.objects.get(username="hr")
        assert hr.scope.unit.kind == UnitKind.TOWNSHIP
        assert hr.scope.unit.name in text
        outsider = User.objects.get(username="outsider")
        assert not outsider.groups.exists() and not Scope.objects.filter(user=outsider).exists()
        assert "组织部干部科" in text and "http://127.0.0.1:8000/" in text

    def test_demo_twice_resets_passwords_and_keeps_the_data(self, first_run: str) -> None:
        officer = User.objects.get(username="officer")
        officer.set_password("changed-by-someone")
        officer.save()
        text = run_demo()
        officer.refresh_from_db()
        assert officer.check_password("demo-officer")
        assert Cadre.objects.count() == 200  # not seeded twice
        assert "demo-officer" in text

    def test_demo_scopes_are_journaled_once(self, first_run: str) -> None:
        scope_events = Event.objects.filter(event_type=EventType.USER_SCOPE_SET)
        assert scope_events.count() == 8  # everyone but the outsider
        run_demo()
        assert scope_events.count() == 8

    def test_the_demo_s_counts_equal_a_recount(self, first_run: str) -> None:
        """Every writer the demo uses (seed, cases decided through the
        services, history) keeps the per-unit counts (decision 0136)."""
        from xuanren.org.counts import counts_from_records, counts_kept

        kept = counts_kept()
        assert kept and kept == counts_from_records()
