"""Bearer tokens for machine clients of the API.

A token is shown once, when it is issued; only its SHA-256 is stored, with an
eight-character prefix so that people can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.models import ApiToken, Scope
from xuanren.access.policy import has_perm
from xuanren.common.errors import ErrorCollector, PermissionDenied
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record

TOKEN_PREFIX = "xr_"
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 60
PREFIX_LENGTH = ApiToken._meta.get_field("prefix").max_length or 8


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _is_self(actor: Any, user: Any) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.pk == user.pk
    )


def _may_manage_tokens_of(actor: Any, user: Any) -> bool:
    return _is_self(actor, user) or has_perm(actor, "access.add_apitoken")


@transaction.atomic
def api_token_issue(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the record and the plaintext token,
    which is never stored and cannot be shown again."""
    if not _may_manage_tokens_of(actor, user):
        raise PermissionDenied(_("您只能为自己签发接口令牌；为他人签发需要系统管理员权限。"))
    out = ErrorCollector()
    name = (name or "").strip()
    if not name:
        out.add("name", _("请填写令牌名称，例如用途或调用系统的名称。"))
    elif len(name) > NAME_MAX_LENGTH:
        out.add("name", _("令牌名称过长（最多 %(n)d 个字）。") % {"n": NAME_MAX_LENGTH})
    if not user.is_active:
        out.add("user", _("该用户已停用，不能为其签发接口令牌。"))
    out.raise_if_any(_("接口令牌信息有误，未签发。"))
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=token_hash(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
    )
    journal_record(
        actor=actor,
        event_type=EventType.API_TOKEN_ISSUED,
        subject=token,
        payload={"user": user.pk, "name": name, "prefix": token.prefix},
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not _may_manage_tokens_of(actor, token.user):
        raise PermissionDenied(_("您只能撤销自己的接口令牌；撤销他人的令牌需要系统管理员权限。"))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    journal_record(
        actor=actor,
        event_type=EventType.API_TOKEN_REVOKED,
        subject=token,
        payload={"user": token.user_id, "name": token.name, "prefix": token.prefix},
    )
    return token


def api_token_user(*, token: str) -> Any | None:
    """The active user a presented token belongs to, or None when the token is
    unknown, revoked or its user is inactive (one indexed query)."""
    if not token:
        return None
    record = (
        ApiToken.objects.filter(
            token_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    return record.user if record is not None else None


@transaction.atomic
def scope_set(*, actor: Any, user: Any, unit: Any) -> Scope:
    """Give `user` the unit subtree they work in (administrators only)."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_superuser):
        raise PermissionDenied(_("只有系统管理员可以设置用户的管理范围。"))
    scope = Scope.objects.select_for_update().filter(user=user).first()
    before = scope.unit_id if scope else None
    if scope is None:
        scope = Scope.objects.create(user=user, unit=unit)
    else:
        scope.unit = unit
        scope.save(update_fields=["unit"])
    journal_record(
        actor=actor,
        event_type=EventType.USER_SCOPE_SET,
        subject=scope,
        payload={"user": user.pk, "unit": unit.pk, "before": before},
    )
    return scope
