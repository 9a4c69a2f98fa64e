"""Django admin for administrators: a read-only window on the records.

Records change only through the services (validation, scope checks and a
journal event in one transaction), so the admin pages of domain models do not
add, change or delete. The journal is read-only by nature. A user's scope is
the one thing administrators set here, and that change is journaled too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xuanren.access.models import ApiToken, Scope
from xuanren.access.records import LookRecordedAdmin, cadre_look_record
from xuanren.access.services import scope_set
from xuanren.exchange.jobs import job_event_summary
from xuanren.journal.models import Event
from xuanren.org.models import Post, Quota, Unit
from xuanren.people.models import (
    Assessment,
    Cadre,
    Education,
    FamilyMember,
    ResumeEntry,
    RewardPunishment,
    Tenure,
    Training,
)
from xuanren.people.services import mask_id_number


class ReadOnlyAdmin(admin.ModelAdmin):
    """View permission only, whatever the user's other permissions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _register(model: type[models.Model], model_admin: type[admin.ModelAdmin]) -> None:
    """Register unless another app's admin module already did."""
    if not admin.site.is_registered(model):
        admin.site.register(model, model_admin)


class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "level", "parent", "depth", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "short_name", "code"]
    ordering = ["path"]


class PostAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "unit",
        "level",
        "is_principal",
        "is_party_government_principal",
        "seats",
        "counts_against_quota",
    ]
    list_filter = ["level", "category", "is_principal", "is_party_government_principal"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]


class QuotaAdmin(ReadOnlyAdmin):
    list_display = ["unit", "level", "approved", "source"]
    list_filter = ["level"]
    search_fields = ["unit__name"]
    list_select_related = ["unit"]


class EducationInline(ReadOnlyInline):
    model = Education


class ResumeInline(ReadOnlyInline):
    model = ResumeEntry


class TenureInline(ReadOnlyInline):
    model = Tenure
    fk_name = "cadre"


class FamilyInline(ReadOnlyInline):
    model = FamilyMember
    fk_name = "cadre"


class AssessmentInline(ReadOnlyInline):
    model = Assessment


class RewardPunishmentInline(ReadOnlyInline):
    model = RewardPunishment


class TrainingInline(ReadOnlyInline):
    model = Training


class CadreAdmin(LookRecordedAdmin, ReadOnlyAdmin):
    list_display = ["name", "sex", "birth_date", "unit", "current_post_title", "level", "status"]
    list_filter = ["sex", "level", "status", "political_status", "education_level"]
    search_fields = ["name", "name_initials"]
    list_select_related = ["unit"]
    exclude = ["id_number", "photo"]
    readonly_fields = ["masked_id_number"]
    inlines = [
        EducationInline,
        ResumeInline,
        TenureInline,
        FamilyInline,
        AssessmentInline,
        RewardPunishmentInline,
        TrainingInline,
    ]

    @admin.display(description=_("公民身份号码"))
    def masked_id_number(self, obj: Cadre) -> str:
        return mask_id_number(obj.id_number)

    def record_look(self, request: HttpRequest, obj: Cadre) -> None:
        # The page lists the family: on the access record (docs/decisions/0041).
        cadre_look_record(actor=request.user, cadre=obj, full_id_number=False)


class EventAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "occurred_at",
        "actor_label",
        "event_type",
        "what",
        "subject_type",
        "subject_id",
    ]
    list_filter = ["event_type", "subject_type"]
    search_fields = ["subject_id", "actor_label"]
    date_hierarchy = "occurred_at"

    @admin.display(description=_("摘要"))
    def what(self, obj: Event) -> str:
        # A background job's event names its kind (an export is not an import).
        return job_event_summary(obj.event_type, obj.payload)


class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "revoked_at"]
    exclude = ["token_hash"]


class ScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "unit"]
    search_fields = ["user__username", "unit__name"]
    raw_id_fields = ["unit"]
    list_select_related = ["user", "unit"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Scope, form: Any, change: bool) -> None:
        # Through the service, so the change is permission-checked and journalled.
        scope_set(actor=request.user, user=obj.user, unit=obj.unit)


_register(Unit, UnitAdmin)
_register(Post, PostAdmin)
_register(Quota, QuotaAdmin)
_register(Cadre, CadreAdmin)
_register(Event, EventAdmin)
_register(ApiToken, ApiTokenAdmin)
_register(Scope, ScopeAdmin)
