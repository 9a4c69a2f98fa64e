"""Who may see what: a user's jurisdiction (scope) and machine tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Unit
from xuanren.people.models import Cadre


class Role(models.TextChoices):
    """DOMAIN §1. Each role is a Django group of the same name (see roles.py)."""

    CASE_OFFICER = "case_officer", _("组织部干部科")
    COMMITTEE_MEMBER = "committee_member", _("党委（党组）成员")
    DISCIPLINE_COMMISSION = "discipline_commission", _("纪委监委")
    AUDIT_OFFICE = "audit_office", _("审计局")
    INSPECTION_TEAM = "inspection_team", _("考察组")
    UNIT_HR = "unit_hr", _("单位人事联络员")
    PARTICIPANT = "participant", _("推荐测评参与人")
    ADMINISTRATOR = "administrator", _("系统管理员")


class Scope(models.Model):
    """The subtree of units a user works in. A county's case officer has the
    county; a unit's HR contact has their unit; a user without a scope sees
    no records at all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="scope",
        verbose_name=_("用户"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("管辖单位")
    )

    class Meta:
        verbose_name = _("用户范围")
        verbose_name_plural = _("用户范围")

    def __str__(self) -> str:
        return f"{self.user_id}→{self.unit_id}"


class AccountPerson(models.Model):
    """Who an account belongs to, where the person is on record: their cadre
    record (docs/decisions/0057). The person's real name is on the account
    itself (姓 last_name, 名 first_name, see names.py); a committee member's
    account is linked from their membership (CommitteeMembership.user).
    Changed only through access.services.user_person_set."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="person",
        verbose_name=_("用户"),
    )
    cadre = models.OneToOneField(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("对应干部"),
    )

    class Meta:
        verbose_name = _("账号对应人员")
        verbose_name_plural = _("账号对应人员")

    def __str__(self) -> str:
        return f"{self.user_id}→{self.cadre_id}"


class ApiToken(models.Model):
    """A bearer token for machine clients; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("名称"), max_length=60)
    token_hash = models.CharField(_("令牌哈希"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AccessKind(models.TextChoices):
    """What kind of sensitive personal data was looked at (docs/decisions/0041)."""

    CADRE = "cadre", _("干部详情（身份证号码、家庭成员）")
    REPORT = "report", _("举报（举报人姓名）")
    EXPORT = "export", _("导出数据")
    DOCUMENT = "document", _("生成文书")


class AppendOnlyError(RuntimeError):
    """The access record is never changed or deleted (a programming error)."""


class AccessRecordQuerySet(models.QuerySet["AccessRecord"]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("The access record is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The access record is append-only.")

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise AppendOnlyError("The access record is append-only.")


class AccessRecord(models.Model):
    """查阅记录: who looked at sensitive personal data, when, from where.
    Append-only: written with one INSERT and never updated or deleted
    through the ORM (save refuses an existing row, delete refuses always)."""

    at = models.DateTimeField(_("时间"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("查阅人"),
    )
    username = models.CharField(_("查阅人用户名"), max_length=150)
    kind = models.CharField(_("查阅类别"), max_length=20, choices=AccessKind.choices)
    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.CharField(_("对象编号"), max_length=60)
    subject_label = models.CharField(_("查阅对象"), max_length=200)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    path = models.CharField(_("访问路径"), max_length=500, blank=True)
    address = models.CharField(_("访问地址"), max_length=64, blank=True)

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("查阅记录")
        verbose_name_plural = _("查阅记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="access_rec_subject"),
            models.Index(fields=["username", "at"], name="access_rec_viewer"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.subject_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The access record is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The access record is append-only.")
