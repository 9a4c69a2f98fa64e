"""Accounts and what they may reach: users, roles, flags, scopes, login
lockouts, second factors (docs/decisions/0040), and bearer tokens for machine
clients of the API.

Every change of an account goes through a function here, so that it is
checked (administrators only, except a user's own password and second
factor) and journalled in the same transaction. Journal payloads name what
changed, never a password hash or a TOTP secret.

A token is shown once, when it is issued; only its SHA-256 is stored, with an
eight-character prefix so that people can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.models import ApiToken, Role, Scope
from xuanren.access.policy import has_perm, is_unrestricted
from xuanren.common.errors import ErrorCollector, PermissionDenied, ValidationFailed
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
    if not is_unrestricted(actor):
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


@transaction.atomic
def scope_clear(*, actor: Any, user: Any) -> None:
    """Take away `user`'s scope: they then see no records (administrators only)."""
    if not is_unrestricted(actor):
        raise PermissionDenied(_("只有系统管理员可以设置用户的管理范围。"))
    scope = Scope.objects.select_for_update().filter(user=user).first()
    if scope is None:
        return
    before = scope.unit_id
    scope.delete()
    journal_record(
        actor=actor,
        event_type=EventType.USER_SCOPE_CLEARED,
        subject=_user_subject(user),
        payload={"user": user.pk, "before": before},
    )


# ---- accounts (docs/decisions/0040) --------------------------------------------------

User = get_user_model()
ROLE_NAMES = frozenset(str(r) for r in Role)


def _require_account_admin(actor: Any) -> None:
    if not is_unrestricted(actor):
        raise PermissionDenied(_("只有系统管理员可以管理用户账号。如需调整，请联系系统管理员。"))


def _user_subject(user: Any) -> tuple[str, str]:
    return "auth.user", str(user.pk)


def _locked_user(user: Any) -> Any:
    return User.objects.select_for_update().get(pk=user.pk)


def _password_errors(out: ErrorCollector, password: str, user: Any) -> None:
    if not password:
        out.add("password", _("请填写密码。"))
        return
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        for message in exc.messages:
            out.add("password", message)


def _role_groups(roles: Iterable[str], out: ErrorCollector) -> list[Group]:
    names = sorted({str(r) for r in roles})
    unknown = [n for n in names if n not in ROLE_NAMES]
    if unknown:
        out.add(
            "roles",
            _("没有名为“%(names)s”的角色；角色只能从系统定义的角色中选择。")
            % {"names": "、".join(unknown)},
        )
        return []
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) != len(names):
        out.add("roles", _("角色尚未初始化，请先运行数据库迁移。"))
    return groups


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    roles: Iterable[str] = (),
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> Any:
    """A new account with a password and roles (administrators only). Its scope
    is set separately (scope_set); without one it sees no records."""
    _require_account_admin(actor)
    out = ErrorCollector()
    username = (username or "").strip()
    field = User._meta.get_field("username")
    if not username:
        out.add("username", _("请填写用户名。"))
    else:
        try:
            field.run_validators(username)
        except DjangoValidationError as exc:
            for message in exc.messages:
                out.add("username", message)
        if User.objects.filter(username=username).exists():
            out.add("username", _("用户名“%(u)s”已被使用，请换一个。") % {"u": username})
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            out.add("email", _("电子邮箱格式不正确。"))
    user = User(
        username=username,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=email,
        is_staff=bool(is_staff or is_superuser),
        is_superuser=bool(is_superuser),
        is_active=True,
    )
    _password_errors(out, password, user)
    groups = _role_groups(roles, out)
    out.raise_if_any(_("用户信息有误，未创建。"))
    user.set_password(password)
    user.save()
    user.groups.set(groups)
    journal_record(
        actor=actor,
        event_type=EventType.USER_CREATED,
        subject=_user_subject(user),
        payload={
            "username": user.username,
            "roles": sorted(g.name for g in groups),
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
        },
    )
    return user


@transaction.atomic
def user_profile_set(*, actor: Any, user: Any, first_name: str, last_name: str, email: str) -> Any:
    """Name and e-mail address (administrators only); unchanged values add no event."""
    _require_account_admin(actor)
    user = _locked_user(user)
    out = ErrorCollector()
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            out.add("email", _("电子邮箱格式不正确。"))
    out.raise_if_any(_("用户信息有误，未保存。"))
    after = {
        "first_name": (first_name or "").strip(),
        "last_name": (last_name or "").strip(),
        "email": email,
    }
    before = {k: getattr(user, k) for k in after}
    if before == after:
        return user
    for key, value in after.items():
        setattr(user, key, value)
    user.save(update_fields=list(after))
    journal_record(
        actor=actor,
        event_type=EventType.USER_PROFILE_SET,
        subject=_user_subject(user),
        payload={"before": before, "after": after},
    )
    return user


@transaction.atomic
def user_password_set(
    *, actor: Any, user: Any, password: str, old_password: str | None = None
) -> Any:
    """Set a password: an administrator for anyone (a reset), or a user for
    themselves, who must give the current one. The journal says who set whose
    password, never the password or its hash."""
    by_self = _is_self(actor, user)
    if not by_self:
        _require_account_admin(actor)
    user = _locked_user(user)
    out = ErrorCollector()
    if by_self and not is_unrestricted(actor) and not user.check_password(old_password or ""):
        out.add("old_password", _("当前密码不正确，请重新输入。"))
    _password_errors(out, password, user)
    out.raise_if_any(_("密码未修改。"))
    user.set_password(password)
    user.save(update_fields=["password"])
    journal_record(
        actor=actor,
        event_type=EventType.USER_PASSWORD_SET,
        subject=_user_subject(user),
        payload={"user": user.pk, "by_self": by_self},
    )
    return user


@transaction.atomic
def user_active_set(*, actor: Any, user: Any, active: bool) -> Any:
    """Activate or deactivate an account (administrators only). Accounts are
    never deleted: the journal and the records name them."""
    _require_account_admin(actor)
    if _is_self(actor, user) and not active:
        raise PermissionDenied(_("不能停用自己的账号；请由另一位系统管理员办理。"))
    user = _locked_user(user)
    if user.is_active == bool(active):
        return user
    user.is_active = bool(active)
    user.save(update_fields=["is_active"])
    journal_record(
        actor=actor,
        event_type=EventType.USER_ACTIVE_SET,
        subject=_user_subject(user),
        payload={"user": user.pk, "active": user.is_active},
    )
    return user


@transaction.atomic
def user_flags_set(*, actor: Any, user: Any, is_staff: bool, is_superuser: bool) -> Any:
    """The staff (may open /admin/) and superuser (unrestricted) flags; a
    superuser is always staff. Administrators cannot demote themselves."""
    _require_account_admin(actor)
    is_staff = bool(is_staff or is_superuser)
    if _is_self(actor, user) and not is_superuser:
        raise PermissionDenied(_("不能取消自己的系统管理员身份；请由另一位系统管理员办理。"))
    user = _locked_user(user)
    before = {"is_staff": user.is_staff, "is_superuser": user.is_superuser}
    after = {"is_staff": is_staff, "is_superuser": bool(is_superuser)}
    if before == after:
        return user
    user.is_staff, user.is_superuser = after["is_staff"], after["is_superuser"]
    user.save(update_fields=["is_staff", "is_superuser"])
    journal_record(
        actor=actor,
        event_type=EventType.USER_FLAGS_SET,
        subject=_user_subject(user),
        payload={"user": user.pk, "before": before, "after": after},
    )
    return user


@transaction.atomic
def user_roles_set(*, actor: Any, user: Any, roles: Iterable[str]) -> Any:
    """Exactly these roles (groups) for `user` (administrators only); only the
    roles of roles.py exist, and no permission is given to a user directly."""
    _require_account_admin(actor)
    user = _locked_user(user)
    out = ErrorCollector()
    groups = _role_groups(roles, out)
    out.raise_if_any(_("角色有误，未修改。"))
    before = sorted(user.groups.values_list("name", flat=True))
    after = sorted(g.name for g in groups)
    if before == after and not user.user_permissions.exists():
        return user
    user.groups.set(groups)
    user.user_permissions.clear()
    journal_record(
        actor=actor,
        event_type=EventType.ROLE_ASSIGNED,
        subject=_user_subject(user),
        payload={"user": user.pk, "before": before, "after": after},
    )
    return user


@transaction.atomic
def login_unlock(*, actor: Any, username: str = "", address: str = "") -> int:
    """Clear the failed logins that lock an account or an address out
    (administrators only); returns how many records were cleared."""
    from axes.utils import reset

    _require_account_admin(actor)
    username = (username or "").strip()
    address = (address or "").strip()
    if not username and not address:
        raise ValidationFailed(_("请填写要解除锁定的用户名或地址。"))
    cleared = 0
    if username:
        cleared += reset(username=username)
    if address:
        from axes.models import AccessFailureLog

        cleared += reset(ip=address)
        # The address's own count (access/throttle.py) is axes' failure log.
        cleared += AccessFailureLog.objects.filter(ip_address=address).delete()[0]
    user = User.objects.filter(username=username).first() if username else None
    journal_record(
        actor=actor,
        event_type=EventType.USER_UNLOCKED,
        subject=_user_subject(user) if user is not None else ("axes.address", address or username),
        payload={"username": username, "address": address, "cleared": cleared},
    )
    return cleared


# ---- second factor (TOTP, docs/decisions/0042) ------------------------------------


def _totp() -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice


def second_factor_required(user: Any) -> bool:
    """Is `user` in a role that must use a second factor (XUANREN_REQUIRE_2FA_ROLES)?"""
    from django.conf import settings

    roles = list(getattr(settings, "XUANREN_REQUIRE_2FA_ROLES", []))
    return bool(roles) and user.groups.filter(name__in=roles).exists()


def otp_enrolled(user: Any) -> bool:
    """Has `user` a confirmed authenticator?"""
    return bool(_totp().objects.filter(user=user, confirmed=True).exists())


@transaction.atomic
def otp_enroll_begin(*, actor: Any) -> Any:
    """A new, not yet confirmed authenticator for the actor themself (replacing
    an earlier unconfirmed one). It counts only once confirmed with a code,
    and only that confirmation is journalled."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("请先登录。"))
    device_model = _totp()
    if otp_enrolled(actor):
        raise ValidationFailed(
            _("您已启用双因素认证。如需更换手机，请先移除当前的认证器，或请系统管理员重置。")
        )
    device_model.objects.filter(user=actor, confirmed=False).delete()
    return device_model.objects.create(user=actor, name=_("手机认证器"), confirmed=False)


def otp_pending_device(*, actor: Any) -> Any | None:
    """The actor's unconfirmed authenticator being set up, if any."""
    if not getattr(actor, "is_authenticated", False):
        return None
    return _totp().objects.filter(user=actor, confirmed=False).order_by("-pk").first()


def otp_enroll_confirm(*, actor: Any, token: str) -> Any:
    """Confirm the pending authenticator with a code it shows; journalled
    (which user, which device, never its secret). The code is checked outside
    the transaction, so that a wrong one still counts for the device's
    throttling instead of being rolled back with the refusal."""
    device = otp_pending_device(actor=actor)
    if device is None:
        raise ValidationFailed(_("没有正在设置的认证器，请先点击“开始设置”。"))
    token = (token or "").strip()
    if not (token.isdigit() and len(token) == device.digits) or not device.verify_token(token):
        raise ValidationFailed(_("验证码不正确或已过期，请输入认证器上当前显示的 6 位数字。"))
    return _otp_confirm(actor=actor, device=device)


@transaction.atomic
def _otp_confirm(*, actor: Any, device: Any) -> Any:
    _totp().objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    journal_record(
        actor=actor,
        event_type=EventType.OTP_ENROLLED,
        subject=_user_subject(actor),
        payload={"user": actor.pk, "device": device.pk},
    )
    return device


def otp_verify(*, user: Any, token: str) -> Any | None:
    """The user's confirmed authenticator that accepts `token`, or None. The
    device throttles repeated wrong codes itself (growing delays)."""
    token = (token or "").strip()
    if not token.isdigit():
        return None
    for device in _totp().objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def otp_reset(*, actor: Any, user: Any) -> int:
    """Remove every authenticator of `user`: an administrator (a lost phone),
    or the user themself unless their role requires a second factor.
    Returns how many were removed; journalled when any was confirmed."""
    if _is_self(actor, user) and not is_unrestricted(actor):
        if second_factor_required(user):
            raise PermissionDenied(
                _("您的角色必须使用双因素认证，不能自行移除；更换手机请联系系统管理员重置。")
            )
    else:
        _require_account_admin(actor)
    devices = _totp().objects.filter(user=user)
    confirmed = devices.filter(confirmed=True).count()
    removed, _detail = devices.delete()
    if confirmed:
        journal_record(
            actor=actor,
            event_type=EventType.OTP_REMOVED,
            subject=_user_subject(user),
            payload={"user": user.pk, "devices": confirmed},
        )
    return int(removed)


# ---- who an account belongs to (docs/decisions/0057) ---------------------------------


@transaction.atomic
def user_person_set(
    *,
    actor: Any,
    user: Any,
    cadre: Any = None,
    memberships: Iterable[Any] = (),
) -> Any:
    """Link `user` to the person they are on record (administrators only): their
    cadre record (or none), and the committee memberships they hold, which then
    name this account (CommitteeMembership.user). A cadre or a membership
    belongs to one account only; a membership of another cadre is refused.
    Memberships not listed keep their link. Journalled as a profile change;
    unchanged links add no event."""
    from xuanren.access.models import AccountPerson
    from xuanren.procedure.models import CommitteeMembership

    _require_account_admin(actor)
    user = _locked_user(user)
    out = ErrorCollector()
    memberships = list(memberships)
    if cadre is not None:
        other = AccountPerson.objects.filter(cadre=cadre).exclude(user=user).first()
        if other is not None:
            out.add(
                "cadre",
                _("干部“%(c)s”已对应另一个账号，一名干部只能对应一个账号。") % {"c": cadre.name},
            )
    locked = list(
        CommitteeMembership.objects.select_for_update().filter(pk__in=[m.pk for m in memberships])
    )
    for membership in locked:
        if membership.user_id is not None and membership.user_id != user.pk:
            out.add(
                "memberships",
                _("决定机构成员“%(m)s”已对应另一个账号。") % {"m": membership.name},
            )
        if cadre is not None and membership.cadre_id not in (None, cadre.pk):
            out.add(
                "memberships",
                _("决定机构成员“%(m)s”对应的干部与所选干部不是同一人，请核对。")
                % {"m": membership.name},
            )
    out.raise_if_any(_("账号对应人员有误，未保存。"))
    person = AccountPerson.objects.select_for_update().filter(user=user).first()
    before_cadre = person.cadre_id if person is not None else None
    after_cadre = cadre.pk if cadre is not None else None
    added = [m for m in locked if m.user_id != user.pk]
    if before_cadre == after_cadre and not added:
        return user
    if person is None:
        AccountPerson.objects.create(user=user, cadre=cadre)
    elif before_cadre != after_cadre:
        person.cadre = cadre
        person.save(update_fields=["cadre"])
    for membership in added:
        membership.user = user
        membership.save(update_fields=["user"])
    journal_record(
        actor=actor,
        event_type=EventType.USER_PROFILE_SET,
        subject=_user_subject(user),
        payload={
            "before": {"cadre": before_cadre},
            "after": {"cadre": after_cadre},
            "memberships": sorted(m.pk for m in added),
        },
    )
    return user
