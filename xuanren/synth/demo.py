"""Demo accounts: one user per role, with the scope each role usually has.

Passwords are fixed and printed (demo-<username>): this is for trying the
product on one's own machine, never for a real deployment.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, replace

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from xuanren.access.models import Role, Scope
from xuanren.access.names import display_name, split_name
from xuanren.access.roles import roles_sync
from xuanren.access.services import scope_clear, scope_set, user_person_set
from xuanren.common.dates import today
from xuanren.org.models import Unit, UnitKind
from xuanren.synth.cases import (
    build_demo_cases,
    demo_count_key,
    demo_decision_meeting,
    demo_recommendation_meeting,
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str  # the role's Chinese label, or a dash
    scope: str  # the unit's name, or a dash
    name: str = ""  # the person's real name (decision 0057)


# (username, role, scope): "root" is the county, "town" one township.
DEMO_USERS: tuple[tuple[str, Role | None, str], ...] = (
    ("admin", Role.ADMINISTRATOR, "root"),
    ("officer", Role.CASE_OFFICER, "root"),
    ("member", Role.COMMITTEE_MEMBER, "root"),
    ("jiwei", Role.DISCIPLINE_COMMISSION, "root"),
    ("audit", Role.AUDIT_OFFICE, "root"),
    ("inspector", Role.INSPECTION_TEAM, "root"),
    ("hr", Role.UNIT_HR, "town"),
    # A recommendation participant has no permissions on records; the scope
    # names the unit whose meetings they attend.
    ("participant", Role.PARTICIPANT, "town"),
    ("outsider", None, ""),
)


#: The real names of the demo accounts (姓, 名). The committee member's is
#: the name on their committee membership (_link_member).
DEMO_NAMES: dict[str, tuple[str, str]] = {
    "admin": ("孙", "志刚"),
    "officer": ("王", "建华"),
    "member": ("", ""),
    "jiwei": ("陈", "晓东"),
    "audit": ("刘", "海燕"),
    "inspector": ("张", "立明"),
    "hr": ("赵", "丽娟"),
    "participant": ("黄", "志强"),
    "outsider": ("吴", "涛"),
}


def demo_password(username: str) -> str:
    return f"demo-{username}"


def _demo_units(root: Unit | None = None) -> tuple[Unit, Unit]:
    root = root or Unit.objects.filter(parent=None).order_by("path").first()
    if root is None:
        raise LookupError(_("数据库中还没有单位，请先生成数据。"))
    town = (
        Unit.objects.filter(path__startswith=root.path, kind=UnitKind.TOWNSHIP)
        .order_by("path")
        .first()
    ) or root
    return root, town


@transaction.atomic
def demo_users(*, root: Unit | None = None) -> list[DemoAccount]:
    """Create the demo users, or reset them (passwords, role, scope) when they
    exist, so running the demo twice always leaves the printed accounts valid.
    Scopes go through access.services.scope_set (journaled, by the demo
    administrator), only when they change, so a rerun adds no events.
    `root`: the county of the accounts' scopes and of the demo cases (default:
    the first top-level unit; bench/pages.py gives one county of several)."""
    roles_sync()
    root, town = _demo_units(root)
    users = {}
    for username, role, _where in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.set_password(demo_password(username))
        user.is_active = True
        user.is_superuser = user.is_staff = role == Role.ADMINISTRATOR
        last, first = DEMO_NAMES.get(username, ("", ""))
        if last or first:
            user.last_name, user.first_name = last, first
        user.save()
        user.groups.set([Group.objects.get(name=role)] if role else [])
        users[username] = user
    admin = users["admin"]
    accounts = []
    for username, role, where in DEMO_USERS:
        user = users[username]
        unit = {"root": root, "town": town}.get(where)
        current = Scope.objects.filter(user=user).values_list("unit_id", flat=True).first()
        if unit is not None and current != unit.pk:
            scope_set(actor=admin, user=user, unit=unit)
        elif unit is None and current is not None:
            scope_clear(actor=admin, user=user)  # the outsider must see nothing
        accounts.append(
            DemoAccount(
                username=username,
                password=demo_password(username),
                role=str(role.label) if role else "—",
                scope=unit.name if unit else "—",
            )
        )
    build_demo_cases(admin=admin, county_root=root, on=today())  # once: skipped when cases exist
    _link_member(admin=admin, member=users["member"], root=root)
    names = {u.username: display_name(u) for u in User.objects.filter(username__in=users)}
    return [replace(a, name=names.get(a.username, "")) for a in accounts]


def _link_member(*, admin: User, member: User, root: Unit) -> None:
    """The demo committee member is a member of the county's standing committee
    on record: their account is linked to that membership and its cadre record
    (access.services.user_person_set) and carries the membership's name."""
    from xuanren.procedure.models import CommitteeKind, CommitteeMembership, CommitteeRole

    memberships = CommitteeMembership.objects.filter(
        committee__unit=root,
        committee__kind=CommitteeKind.STANDING_COMMITTEE,
        end_date=None,
    ).select_related("cadre")
    membership = memberships.filter(user=member).order_by("pk").first() or (
        memberships.filter(user=None, role=CommitteeRole.MEMBER, cadre__isnull=False)
        .order_by("pk")
        .first()
    )
    if membership is None:
        return
    user_person_set(actor=admin, user=member, cadre=membership.cadre, memberships=[membership])
    last, first = split_name(membership.name)
    if (member.last_name, member.first_name) != (last, first):
        member.last_name, member.first_name = last, first
        member.save(update_fields=["last_name", "first_name"])


def accounts_table(accounts: list[DemoAccount]) -> str:
    """A plain-text table; widths count CJK characters as two columns."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    def pad(text: str, size: int) -> str:
        return text + " " * (size - width(text))

    header = (_("用户名"), _("姓名"), _("密码"), _("角色"), _("管辖范围"))
    rows = [header, *((a.username, a.name, a.password, a.role, a.scope) for a in accounts)]
    sizes = [max(width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(pad(cell, sizes[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * s for s in sizes))
    return "\n".join(lines)


#: How many one-time codes the demo prints for voting from a phone.
DEMO_CODES = 3


def voting_demo_lines(base_url: str) -> list[str]:
    """Where to try the ballots: the open recommendation meeting's voting page
    (the participant votes with their own login) with a few fresh one-time
    codes, and the decision meeting's result sheet.

    Only a code's hash is stored, so the printed codes are issued anew on each
    run (journaled, docs/decisions/0030), for voters who have not voted; the
    codes printed by an earlier run stop working."""
    from xuanren.ballots.models import Meeting, MeetingKind, MeetingStatus
    from xuanren.ballots.services import meeting_codes_issue

    base = base_url.rstrip("/")
    lines: list[str] = []
    meeting = demo_recommendation_meeting()
    officer = User.objects.filter(username="officer", is_active=True).first()
    if meeting is not None and officer is not None:
        free = meeting.voters.filter(user=None, participation__isnull=True).order_by("id")
        ids = list(free.values_list("pk", flat=True)[:DEMO_CODES])
        issued = meeting_codes_issue(actor=officer, meeting=meeting, voters=ids) if ids else []
        codes = [c for _v, c in issued]
        url = f"{base}/ballots/{meeting.pk}/vote/"
        lines.append(
            _("投票演示：%(title)s，投票页面 %(url)s") % {"title": meeting.title, "url": url}
        )
        lines.append("  " + _("以 participant 账号登录即可凭本人账号投票；"))
        if codes:
            lines.append(
                "  "
                + _("或不登录，凭一次性投票码投票（每码限投一次）：%(codes)s")
                % {"codes": "  ".join(codes)}
            )
            lines.append(
                "  "
                + _("或扫码打开（投票码在“#”之后，不发送到服务器）：%(url)s")
                % {"url": f"{url}#code={codes[0]}"}
            )
        passphrase = demo_count_key(meeting)
        if passphrase is not None:
            lines.append(
                "  "
                + _("计票密码（演示用；实际会议只显示一次且不保存）：第一段 %(a)s，第二段 %(b)s")
                % {"a": passphrase[0], "b": passphrase[1]}
            )
    voting = demo_decision_meeting()
    if voting is not None:
        lines.append(
            _(
                "表决演示：%(title)s，以 member 账号登录，在“我的选票”%(url)s 凭本人账号投票（手机亦可）"
            )
            % {"title": voting.title, "url": f"{base}/ballots/mine/"}
        )
        lines.append(
            "  " + _("计票台（officer 账号）：%(url)s") % {"url": f"{base}/ballots/{voting.pk}/"}
        )
        passphrase = demo_count_key(voting)
        if passphrase is not None:
            lines.append(
                "  "
                + _("计票密码（演示用；实际会议只显示一次且不保存）：第一段 %(a)s，第二段 %(b)s")
                % {"a": passphrase[0], "b": passphrase[1]}
            )
    decided = (
        Meeting.objects.filter(
            kind=MeetingKind.DECISION, status=MeetingStatus.CLOSED, applied_step__isnull=False
        )
        .order_by("pk")
        .first()
    )
    if decided is not None:
        lines.append(
            _("表决结果演示（电子投票，officer 账号可见）：%(url)s")
            % {"url": f"{base}/ballots/{decided.pk}/result/"}
        )
    return lines


def lan_address() -> str:
    """This machine's address on the local network (what a phone on the same
    Wi-Fi would open), or 127.0.0.1 when there is none. Connecting a UDP
    socket sends nothing; it only makes the kernel pick the outgoing address."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"
