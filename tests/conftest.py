"""Shared fixtures: a small county built through the services, and the five
personas every permission test uses: a case officer, a committee member, a
discipline commission user, a unit HR contact of another unit, and an outsider
who must see nothing."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, connections
from hypothesis import settings

from xuanren.access.models import Role, Scope
from xuanren.access.roles import roles_sync
from xuanren.common import dates
from xuanren.org.models import Level, Post, Unit, UnitKind
from xuanren.org.services import post_create, quota_set, unit_create
from xuanren.people.idnumbers import build_id_number
from xuanren.people.models import Cadre
from xuanren.people.services import CadreInput, cadre_create

# Properties, not timings: speed is measured in bench/, and a loaded CI machine
# must not fail a property because one example ran slowly.
settings.register_profile("xuanren", deadline=None)
settings.load_profile("xuanren")

_order = itertools.count(10, 2)  # even steps: the sex parity tweak stays unique


#: Folders whose tests share a template built once per test process (ops: a
#: database migrated by `xuanren migrate`; security: the demo county built by
#: `xuanren demo`, served by live servers).
ONE_WORKER_FOLDERS = ("ops", "security")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's default distribution (`-n`, as `./xr test` runs it), except
    that the tests of each ONE_WORKER_FOLDERS folder run in one worker, which
    builds the folder's template once instead of in every worker
    (docs/decisions/0107), and so do the tests of a test class, which share
    its class-scoped fixtures (docs/decisions/0110). `--dist loadgroup` would
    do this with marks, but with pytest 9.2 it silently groups nothing
    (pytest-xdist issue 1386)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            parts = nodeid.split("/")
            if len(parts) > 2 and parts[0] == "tests" and parts[1] in ONE_WORKER_FOLDERS:
                return parts[1]
            names = nodeid.split("::")
            if len(names) > 2:
                # A test class shares its class-scoped fixtures (tests/synth/
                # test_demo_ballots.py: the demo county, built once): one unit.
                return "::".join(names[:2])
            return nodeid  # any worker, as under --dist load

    return FolderScheduling(config, log)


#: The longest units of work (a folder kept on one worker, or a single test of
#: a minute or more), started first: with two workers a long unit that starts
#: last is the run's tail, the other worker idle (docs/decisions/0110).
LONGEST_FIRST = (
    "tests/security/",
    "tests/ops/",
    "tests/policy/test_screen_agrees.py",
    "tests/documents/test_demo_county.py",
    "tests/web/test_csp_pages.py",
    "tests/browser/test_case_by_roles.py",
    "tests/exchange/test_worker_process.py",
    "tests/synth/test_seed_command.py",
    "tests/browser/test_county_case.py",
)


def _longest_first(item: pytest.Item) -> int:
    for rank, prefix in enumerate(LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(LONGEST_FIRST)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    """A browser test's body runs in another context than its fixtures (the
    Playwright fixture's greenlets): the ORM there opens a database connection
    of its own that no fixture can reach. Closed here, still in the body's
    context; left open it kept PostgreSQL from dropping the test database."""
    try:
        return (yield)
    finally:
        if "browser_page" in pyfuncitem.fixturenames:
            connections.close_all()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first (a stable sort: the same order in every worker).
    Tests marked `postgres` check row locks; SQLite has no select_for_update,
    so there they would prove nothing and are skipped, with that reason. CI
    runs the suite on PostgreSQL too, where they run."""
    items.sort(key=_longest_first)
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="row locks need PostgreSQL (SQLite has none)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


class Clock:
    """Today of record for every module (`xuanren.common.dates.today`, however
    it is imported) and every thread, the browser tests' live server included.
    Set `day` to move it; the real clock is back after the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    @property
    def day(self) -> dt.date:
        return dates.today()

    @day.setter
    def day(self, value: dt.date) -> None:
        self._monkeypatch.setattr(dates._FROZEN, "day", value)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The one place tests freeze "today": `clock.day = dt.date(...)`. It starts
    on the real day (frozen, so a test running over midnight keeps its day)."""
    c = Clock(monkeypatch)
    c.day = dates.today()
    return c


#: The day the end-to-end county case (tests/procedure/test_end_to_end.py World)
#: is opened on by the page and browser tests that drive it.
CASE_START = dt.date(2026, 9, 1)


@pytest.fixture
def clock_at_case_start(clock: Clock) -> Clock:
    """The clock on CASE_START, for the whole app (the live server's thread
    included). A module whose tests all start there marks itself with
    `pytest.mark.usefixtures("clock_at_case_start")`; `clock` is then the same
    clock, already on that day."""
    clock.day = CASE_START
    return clock


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Personas' passwords hash with a fast hasher (tests only; 1 s a user otherwise)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config: pytest.Config) -> None:
    """In-process tests never append to the checkout's var/journal.anchor: the
    test database's migrations and transactional tests would anchor heads of
    a throwaway database there, and the developer's own database would then
    look truncated. Tests of the anchor set JOURNAL_ANCHOR to a file of their
    own (the `settings` fixture)."""
    from django.conf import settings

    settings.JOURNAL_ANCHOR = None
    _serial_live_server_on_sqlite(settings.DATABASES["default"]["ENGINE"])


def _serial_live_server_on_sqlite(engine: str) -> None:
    """On SQLite the test database is in memory and the live server's threads
    share the test's one connection: two requests at once (a form submitted
    while its htmx preview is still running) interleave their savepoints and
    fail with "no such savepoint". The browser tests' live server then serves
    one request at a time (Django closes each connection when the server is
    not threaded). A file database in production has a connection per thread."""
    if not engine.endswith("sqlite3"):
        return
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialServer(WSGIServer):
        # Requests run in the live server's own thread, where its connection
        # override is already in place.
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialServer  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def default_language() -> Any:
    """A request with another language cookie activates it for the thread;
    every test starts and ends in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def admin(db: Any) -> User:
    return User.objects.create_superuser("admin", "admin@example.invalid", "pw-admin-123")


@dataclass
class County:
    root: Unit
    org_dept: Unit
    finance: Unit
    town: Unit
    town_office: Unit
    other_town: Unit
    finance_head: Post
    finance_deputy: Post
    town_secretary: Post
    town_deputy: Post


@pytest.fixture
def county(admin: User) -> County:
    root = unit_create(actor=admin, name="青山县", code="C0", kind=UnitKind.REGION, parent=None)
    org_dept = unit_create(
        actor=admin, name="中共青山县委组织部", code="C1", kind=UnitKind.PARTY_ORGAN, parent=root
    )
    finance = unit_create(
        actor=admin,
        name="青山县财政局",
        short_name="县财政局",
        code="C2",
        kind=UnitKind.GOVERNMENT_DEPARTMENT,
        parent=root,
    )
    town = unit_create(actor=admin, name="城关镇", code="T1", kind=UnitKind.TOWNSHIP, parent=root)
    town_office = unit_create(
        actor=admin, name="城关镇党政办", code="T1A", kind=UnitKind.INTERNAL_OFFICE, parent=town
    )
    other_town = unit_create(
        actor=admin, name="石桥镇", code="T2", kind=UnitKind.TOWNSHIP, parent=root
    )
    finance_head = post_create(
        actor=admin,
        unit=finance,
        title="局长",
        level=Level.SECTION_PRINCIPAL,
        is_principal=True,
        is_party_government_principal=True,
    )
    finance_deputy = post_create(
        actor=admin, unit=finance, title="副局长", level=Level.SECTION_DEPUTY, seats=2
    )
    town_secretary = post_create(
        actor=admin,
        unit=town,
        title="党委书记",
        level=Level.SECTION_PRINCIPAL,
        is_principal=True,
        is_party_government_principal=True,
    )
    town_deputy = post_create(
        actor=admin, unit=town, title="副镇长", level=Level.SECTION_DEPUTY, seats=3
    )
    quota_set(actor=admin, unit=finance, level=Level.SECTION_PRINCIPAL, approved=1)
    quota_set(actor=admin, unit=finance, level=Level.SECTION_DEPUTY, approved=2)
    quota_set(actor=admin, unit=town, level=Level.SECTION_PRINCIPAL, approved=2)
    quota_set(actor=admin, unit=town, level=Level.SECTION_DEPUTY, approved=3)
    return County(
        root, org_dept, finance, town, town_office, other_town,
        finance_head, finance_deputy, town_secretary, town_deputy,
    )  # fmt: skip


def make_user(username: str, role: Role | None, unit: Unit | None) -> User:
    # Migrations (and every flush) sync the roles; sync again only if a test
    # started without them (a sync costs dozens of queries per user).
    if role is not None and not Group.objects.filter(name=role).exists():
        roles_sync()
    user = User.objects.create_user(username, password=f"pw-{username}-123")
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    if unit is not None:
        Scope.objects.create(user=user, unit=unit)
    return User.objects.get(pk=user.pk)  # fresh permission cache


@dataclass
class Personas:
    case_officer: User
    committee_member: User
    discipline: User
    other_unit_hr: User
    outsider: User


@pytest.fixture
def personas(county: County) -> Personas:
    return Personas(
        case_officer=make_user("officer", Role.CASE_OFFICER, county.root),
        committee_member=make_user("member", Role.COMMITTEE_MEMBER, county.root),
        discipline=make_user("jiwei", Role.DISCIPLINE_COMMISSION, county.root),
        # HR contact of 石桥镇: must not see 城关镇 or the finance bureau.
        other_unit_hr=make_user("hr_shiqiao", Role.UNIT_HR, county.other_town),
        outsider=make_user("outsider", None, None),
    )


def cadre_input(
    *,
    name: str = "张伟",
    sex: str = "male",
    birth: dt.date = dt.date(1985, 3, 2),
    political_status: str = "cpc_member",
    party_join: dt.date | None = dt.date(2008, 6, 1),
    work_start: dt.date | None = dt.date(2007, 8, 1),
    id_number: str | None = None,
    identity: str = "civil_servant",
    **extra: Any,
) -> CadreInput:
    """A cadre's record; 身份 公务员 unless told (a blank one is refused when
    proposed, docs/decisions/0091): pass identity="" for an unrecorded one."""
    number = id_number or build_id_number("330421", birth, next(_order), sex)
    return CadreInput(
        name=name,
        sex=sex,
        birth_date=birth,
        id_number=number,
        political_status=political_status,
        party_join_date=party_join,
        party_full_date=party_join and party_join + dt.timedelta(days=366),
        work_start_date=work_start,
        identity=identity,
        **extra,
    )


@pytest.fixture
def make_cadre(admin: User):
    def make(unit: Unit, **kwargs: Any) -> Cadre:
        return cadre_create(actor=admin, unit=unit, data=cadre_input(**kwargs))

    return make
