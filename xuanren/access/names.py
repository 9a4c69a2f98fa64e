"""How a person is named wherever they are shown (docs/decisions/0057).

An account carries the person's real name in Django's own fields: 姓 in
`last_name`, 名 in `first_name`. A Chinese name is written surname first with
no space (王建国); a name in Latin letters as its owner writes it (Anna Smith).
Only an account without a name falls back to its login name.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK") for ch in text)


def real_name(first_name: str, last_name: str) -> str:
    """The full name from its two parts ("" when there is none)."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if _is_cjk(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def display_name(user: Any) -> str:
    """The person's real name; the login name only for an account without one;
    "" for no user. Works on any object with Django's user name fields."""
    if user is None:
        return ""
    name = real_name(getattr(user, "first_name", ""), getattr(user, "last_name", ""))
    if name:
        return name
    get_username = getattr(user, "get_username", None)
    return str(get_username() if callable(get_username) else getattr(user, "username", ""))


#: Two-character surnames (复姓) a full name may start with.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "令狐",
        "慕容",
        "司徒",
        "夏侯",
        "尉迟",
        "公孙",
        "长孙",
        "宇文",
        "端木",
        "申屠",
    ]
)


def split_name(full_name: str) -> tuple[str, str]:
    """A Chinese full name as (姓, 名): a compound surname when the name starts
    with one and has a given name after it, else the first character."""
    name = (full_name or "").strip()
    if not name or not _is_cjk(name):
        return "", name
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[:2], name[2:]
    return name[:1], name[1:]
