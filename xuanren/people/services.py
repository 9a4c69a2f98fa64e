"""Writes to cadre records. Every function: permission and scope check,
validation (nothing saved while any error remains), the write, a journal event,
all in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xuanren.access.policy import is_unrestricted, require_unit
from xuanren.common.dates import today
from xuanren.common.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    PermissionDenied,
    ValidationFailed,
)
from xuanren.common.stale import check_version
from xuanren.journal.models import EventType
from xuanren.journal.services import cadre_fp_payload, journal_record
from xuanren.org.counts import count_add, counts_add
from xuanren.org.models import LEVEL_RANK, Post, Unit
from xuanren.people.models import (
    EDUCATION_RANK,
    FINDING_CATEGORIES,
    Assessment,
    AssessmentGrade,
    Cadre,
    CadreStatus,
    Education,
    EducationKind,
    EducationLevel,
    FamilyMember,
    RecordCategory,
    RecordKind,
    Relation,
    ResumeEntry,
    RewardPunishment,
    Tenure,
    TenureMethod,
    Training,
    TrainingClass,
    TrainingClassParticipant,
)
from xuanren.people.relatives import ambiguous_relative_message, relative_matches
from xuanren.people.validation import (
    TRAINING_MAX_HOURS,
    CadreFacts,
    check_id_number,
    max_concurrent,
    validate_cadre,
    validate_period,
    validate_tenure_dates,
    validate_training,
)
from xuanren.policy.kept import kept_facts_refresh
from xuanren.reminders.kept import reminders_refresh


def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三丰 → zsf (non-Han characters dropped)."""
    # Imported on first use: its phrase dictionary is most of a second of CPU
    # that every `xuanren` process paid at start-up (docs/decisions/0142).
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower()[:30]


@dataclass
class CadreInput:
    """The scalar fields of a cadre as forms and the API submit them."""

    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str
    political_status: str
    ethnicity: str = "汉族"
    native_place: str = ""
    birthplace: str = ""
    party_join_date: dt.date | None = None
    party_full_date: dt.date | None = None
    work_start_date: dt.date | None = None
    health: str = "健康"
    professional_title: str = ""
    identity: str = ""
    specialty: str = ""
    current_post_title: str = ""
    level: str = ""
    level_since: dt.date | None = None
    rank: str = ""
    rank_since: dt.date | None = None
    grassroots_months: int | None = None
    personal_matters_status: str = "not_reported"
    archive_review_status: str = "not_reviewed"
    warnings: list[FieldError] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_cadre(cls, cadre: Cadre) -> CadreInput:
        return cls(**{f.name: getattr(cadre, f.name) for f in fields(cls) if f.name != "warnings"})

    def values(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("warnings")
        return data


def _choice_errors(data: CadreInput, out: ErrorCollector) -> None:
    from xuanren.org.models import Level
    from xuanren.people.models import (
        ArchiveReviewStatus,
        CadreIdentity,
        PersonalMattersStatus,
        PoliticalStatus,
    )

    checks = [
        ("political_status", PoliticalStatus.values, _("请选择政治面貌。")),
        ("personal_matters_status", PersonalMattersStatus.values, _("个人有关事项报告状态无效。")),
        ("archive_review_status", ArchiveReviewStatus.values, _("档案审核状态无效。")),
    ]
    for name, allowed, message in checks:
        if getattr(data, name) not in allowed:
            out.add(name, message)
    if data.level and data.level not in Level.values:
        out.add("level", _("职务层次无效。"))
    if data.identity and data.identity not in CadreIdentity.values:
        out.add("identity", _("身份无效。"))


def _validated(data: CadreInput, *, exclude_pk: int | None = None) -> CadreInput:
    """Return `data` with the ID number compacted, or raise with every error."""
    facts = CadreFacts(
        name=data.name,
        sex=data.sex,
        birth_date=data.birth_date,
        id_number=data.id_number,
        political_status=data.political_status,
        party_join_date=data.party_join_date,
        party_full_date=data.party_full_date,
        work_start_date=data.work_start_date,
        level_since=data.level_since,
    )
    out = validate_cadre(facts, today=today())
    _choice_errors(data, out)
    number = check_id_number(data.id_number, birth_date=None, sex=None, out=ErrorCollector())
    dup = Cadre.objects.filter(id_number=number)
    if exclude_pk is not None:
        dup = dup.exclude(pk=exclude_pk)
    if number and dup.exists():
        out.add("id_number", _("公民身份号码 %(n)s 已有干部记录，请勿重复录入。") % {"n": number})
    out.raise_if_any(_("干部信息有误，未保存。请按提示修改后重新提交。"))
    return replace(data, name=data.name.strip(), id_number=number, warnings=out.warnings)


#: The cadre's fields its kept reminders depend on (decision 0195): the
#: retirement date (birth date, sex, level, identity), the level limit
#: (level, level_since), whether it applies (status) and its scope (unit).
REMINDER_FIELDS = frozenset(
    {"birth_date", "sex", "level", "level_since", "identity", "status", "unit"}
)


@transaction.atomic
def cadre_create(*, actor: Any, unit: Unit, data: CadreInput) -> Cadre:
    require_unit(actor, "people.add_cadre", unit)
    clean = _validated(data)
    cadre = Cadre(unit=unit, name_initials=name_initials(clean.name), **clean.values())
    try:
        with transaction.atomic():
            cadre.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(_("保存失败：公民身份号码刚被他人录入，请刷新后核对。")) from exc
    if cadre.status == CadreStatus.ACTIVE:
        count_add(unit.pk, cadres=1)
    reminders_refresh([cadre.pk])  # decision 0195
    payload = clean.values()
    payload["id_number"] = mask_id_number(clean.id_number)
    payload["unit"] = unit.pk
    payload["cadre_fp"] = cadre_fp_payload([cadre])
    journal_record(actor=actor, event_type=EventType.CADRE_CREATED, subject=cadre, payload=payload)
    _link_relatives_to(actor, [cadre.pk])
    cadre.warnings = clean.warnings  # type: ignore[attr-defined]
    return cadre


@transaction.atomic
def cadre_update(
    *,
    actor: Any,
    cadre: Cadre,
    changes: dict[str, Any],
    unit: Unit | None = None,
    expected_version: int | None = None,
) -> Cadre:
    """Change some scalar fields (and optionally the unit); the whole record is
    validated again, so an update can never leave it inconsistent.

    `expected_version` is the version the editor saw (a web form's hidden
    field, an API client's If-Match); when someone saved in between, StaleWrite
    says who changed what. None is for internal callers that read the row under
    this same lock (imports, the decision stage)."""
    # of=self: lock the cadre's row only, not its unit's (decision 0138).
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)
    require_unit(actor, "people.change_cadre", cadre.unit)
    if unit is not None and unit.pk != cadre.unit_id:
        require_unit(actor, "people.change_cadre", unit)
    check_version(cadre, expected_version)
    current = CadreInput.from_cadre(cadre)
    unknown = set(changes) - {f.name for f in fields(CadreInput)} - {"warnings"}
    if unknown:
        raise ValidationFailed(
            _("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))},
            errors=[FieldError(f, _("不可修改的字段。")) for f in sorted(unknown)],
        )
    clean = _validated(replace(current, **changes), exclude_pk=cadre.pk)
    before = current.values()
    after = clean.values()
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if unit is not None and unit.pk != cadre.unit_id:
        diff["unit"] = [cadre.unit_id, unit.pk]
        if cadre.status == CadreStatus.ACTIVE:
            counts_add({(cadre.unit_id, ""): (-1, 0, 0, 0), (unit.pk, ""): (1, 0, 0, 0)})
        cadre.unit = unit
    cadre.warnings = clean.warnings  # type: ignore[attr-defined]
    if not diff:
        return cadre
    for name, value in after.items():
        setattr(cadre, name, value)
    cadre.name_initials = name_initials(clean.name)
    cadre.version += 1
    cadre.save()
    if REMINDER_FIELDS & set(diff):
        reminders_refresh([cadre.pk])  # decision 0195
    if "id_number" in diff:
        diff["id_number"] = [
            mask_id_number(before["id_number"]),
            mask_id_number(after["id_number"]),
        ]
    journal_record(
        actor=actor,
        event_type=EventType.CADRE_UPDATED,
        subject=cadre,
        payload={"changes": diff, "cadre_fp": cadre_fp_payload([cadre])},
    )
    return cadre


def mask_id_number(number: str) -> str:
    """330421********123X: region and last four digits only, as lists show it."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# ---- records hanging off a cadre ---------------------------------------------


def _record_added(actor: Any, cadre: Cadre, record: Any, payload: dict[str, Any]) -> None:
    journal_record(
        actor=actor,
        event_type=EventType.CADRE_RECORD_ADDED,
        subject=cadre,
        payload={"record": record._meta.model_name, "id": record.pk, **payload},
    )


def _locked_cadre(actor: Any, cadre: Cadre) -> Cadre:
    # of=self: lock the cadre's row only. Locking its unit's row as well (what a
    # join under FOR UPDATE does) deadlocked a cadre added to the same unit at
    # once, whose foreign key check takes a share lock on it (decision 0138).
    locked = Cadre.objects.select_for_update(of=("self",)).select_related("unit").get(pk=cadre.pk)
    require_unit(actor, "people.change_cadre", locked.unit)
    return locked


def _refresh_education(cadre: Cadre) -> None:
    cadre.education_level, cadre.education_rank, cadre.education_since = highest_education(
        list(Education.objects.filter(cadre=cadre).values_list("level", "end_date"))
    )
    cadre.version += 1
    cadre.save(
        update_fields=[
            "education_level",
            "education_rank",
            "education_since",
            "updated_at",
            "version",
        ]
    )


def highest_education(
    rows: list[tuple[str, dt.date | None]],
) -> tuple[str, int, dt.date | None]:
    """(level, rank, since) of the highest of (level, graduation date) rows:
    since is the earliest graduation at that rank, None if any is undated."""
    best = max((lv for lv, _end in rows), key=lambda lv: EDUCATION_RANK.get(lv, 0), default="")
    rank = EDUCATION_RANK.get(best, 0)
    ends = [end for lv, end in rows if EDUCATION_RANK.get(lv, 0) == rank]
    if rank == 0 or not ends or None in ends:
        return best, rank, None
    return best, rank, min(e for e in ends if e is not None)


@transaction.atomic
def education_add(
    *,
    actor: Any,
    cadre: Cadre,
    kind: EducationKind | str,
    level: EducationLevel | str,
    school: str,
    degree: str = "none",
    major: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    level_text: str = "",
) -> Education:
    """`level` "" with `level_text` records a 学历 as written that is none of
    the levels (it then counts for no qualification rule); `level_text` beside
    a level keeps the form's wording (a party school's "中央党校大学")."""
    cadre = _locked_cadre(actor, cadre)
    out = ErrorCollector()
    level_text = level_text.strip()
    if kind not in EducationKind.values:
        out.add("kind", _("请选择全日制教育、在职教育或党校教育。"))
    if level not in EducationLevel.values and not (level == "" and level_text):
        out.add("level", _("请选择学历。"))
    if len(level_text) > 40:
        out.add("level_text", _("学历原文过长（最多 40 个字）。"))
    if not school.strip():
        out.add("school", _("请填写毕业院校。"))
    if start_date is not None:
        validate_period(start=start_date, end=end_date, out=out)
        if start_date <= cadre.birth_date:
            out.add("start_date", _("入学时间应晚于出生日期。"))
    out.raise_if_any(_("学历信息有误，未保存。"))
    record = Education.objects.create(
        cadre=cadre,
        kind=kind,
        level=level,
        level_text=level_text,
        degree=degree,
        school=school.strip(),
        major=major,
        start_date=start_date,
        end_date=end_date,
    )
    _refresh_education(cadre)
    _record_added(
        actor,
        cadre,
        record,
        {
            "kind": kind,
            "level": level,
            "level_text": level_text,
            "school": record.school,
            "cadre_fp": cadre_fp_payload([cadre]),
        },
    )
    return record


@transaction.atomic
def resume_entry_add(
    *,
    actor: Any,
    cadre: Cadre,
    start_date: dt.date,
    end_date: dt.date | None,
    text: str,
    note: str = "",
) -> ResumeEntry:
    cadre = _locked_cadre(actor, cadre)
    out = ErrorCollector()
    validate_period(start=start_date, end=end_date, out=out, strict=False)
    if start_date is not None and start_date <= cadre.birth_date:
        out.add("start_date", _("简历起始年月应晚于出生日期。"))
    if not text.strip():
        out.add("text", _("请填写单位及职务。"))
    out.raise_if_any(_("简历信息有误，未保存。"))
    record = ResumeEntry.objects.create(
        cadre=cadre, start_date=start_date, end_date=end_date, text=text.strip(), note=note
    )
    _record_added(actor, cadre, record, {"start": start_date, "end": end_date, "text": record.text})
    return record


@transaction.atomic
def tenure_start(
    *,
    actor: Any,
    cadre: Cadre,
    post: Post,
    start_date: dt.date,
    end_date: dt.date | None = None,
    document_number: str = "",
    method: TenureMethod | str = TenureMethod.APPOINTED,
    probation_until: dt.date | None = None,
) -> Tenure:
    """Record that `cadre` holds `post` from `start_date` (to `end_date` for a
    past tenure), on probation until `probation_until` where one applies.
    Refused when the post would be held by more people at once than it has
    seats."""
    cadre = _locked_cadre(actor, cadre)
    # Lock the post: two officers filling its last seat at once must not both win.
    post = Post.objects.select_for_update(of=("self",)).select_related("unit").get(pk=post.pk)
    require_unit(actor, "people.change_cadre", post.unit)
    out = ErrorCollector()
    validate_tenure_dates(
        start=start_date,
        end=end_date,
        birth_date=cadre.birth_date,
        work_start_date=cadre.work_start_date,
        out=out,
    )
    if method not in TenureMethod.values:
        out.add("method", _("请选择任职方式。"))
    if probation_until is not None and start_date is not None and probation_until <= start_date:
        out.add("probation_until", _("试用期截止日期应晚于任职日期。"))
    if start_date is not None and not out.errors:
        periods = list(Tenure.objects.filter(post=post).values_list("start_date", "end_date"))
        own = Tenure.objects.filter(post=post, cadre=cadre).values_list("start_date", "end_date")
        if max_concurrent([*own, (start_date, end_date)]) > 1:
            out.add("start_date", _("该干部在这段时间已担任此职务，任职时间重叠。"))
        elif max_concurrent([*periods, (start_date, end_date)]) > post.seats:
            out.add(
                "start_date",
                _(
                    "“%(p)s”共 %(n)d 个职位，这段时间内已满员；请先办理原任职人员的免职，或核对任职时间。"
                )
                % {"p": str(post), "n": post.seats},
            )
    out.raise_if_any(_("任职信息有误，未保存。"))
    tenure = Tenure.objects.create(
        cadre=cadre,
        post=post,
        start_date=start_date,
        end_date=end_date,
        document_number=document_number,
        method=method,
        probation_until=probation_until,
    )
    if end_date is None and post.counts_against_quota:
        count_add(post.unit_id, post.level, filled=1)
    if end_date is None:
        cadre.current_post_title = f"{post.unit.short_name or post.unit.name}{post.title}"
        if LEVEL_RANK.get(post.level, 0) > LEVEL_RANK.get(cadre.level, 0):
            cadre.level = post.level
            cadre.level_since = start_date
        cadre.version += 1
        cadre.save(
            update_fields=["current_post_title", "level", "level_since", "updated_at", "version"]
        )
    journal_record(
        actor=actor,
        event_type=EventType.TENURE_STARTED,
        subject=tenure,
        payload={
            "cadre": cadre.pk,
            "post": post.pk,
            "start": start_date,
            "end": end_date,
            "document_number": document_number,
            "method": method,
            "probation_until": probation_until,
            "cadre_fp": cadre_fp_payload([cadre]),
        },
    )
    reminders_refresh([cadre.pk])  # decision 0195
    return tenure


@transaction.atomic
def tenure_end(
    *, actor: Any, tenure: Tenure, end_date: dt.date, document_number: str = ""
) -> Tenure:
    # The holder's row first, as every writer of a cadre's records takes it
    # (its kept reminders are replaced below, decision 0195), then the tenure's.
    holder = Tenure.objects.filter(pk=tenure.pk).values_list("cadre_id", flat=True)
    list(Cadre.objects.select_for_update(of=("self",)).filter(pk__in=holder).values_list("pk"))
    tenure = (
        Tenure.objects.select_for_update(of=("self",))
        .select_related("cadre", "post__unit")
        .get(pk=tenure.pk)
    )
    require_unit(actor, "people.change_cadre", tenure.post.unit)
    out = ErrorCollector()
    if tenure.end_date is not None:
        out.add("end_date", _("该任职已于 %(d)s 结束。") % {"d": tenure.end_date.isoformat()})
    elif end_date <= tenure.start_date:
        out.add(
            "end_date",
            _("免职时间应晚于任职时间（%(s)s）。") % {"s": tenure.start_date.isoformat()},
        )
    out.raise_if_any(_("免职信息有误，未保存。"))
    tenure.end_date = end_date
    tenure.save(update_fields=["end_date"])
    if tenure.post.counts_against_quota:
        count_add(tenure.post.unit_id, tenure.post.level, filled=-1)
    journal_record(
        actor=actor,
        event_type=EventType.TENURE_ENDED,
        subject=tenure,
        payload={
            "cadre": tenure.cadre_id,
            "post": tenure.post_id,
            "end": end_date,
            "document_number": document_number,
        },
    )
    reminders_refresh([tenure.cadre_id])  # decision 0195
    return tenure


@transaction.atomic
def family_member_add(
    *,
    actor: Any,
    cadre: Cadre,
    relation: Relation | str,
    name: str,
    birth_date: dt.date | None = None,
    political_status: str = "",
    work_unit_and_post: str = "",
    related_cadre: Cadre | None = None,
    emigrated: bool = False,
) -> FamilyMember:
    """Add a family member. Without `related_cadre`, the member is linked to
    the one cadre record of the same name and birth date (decision 0083), so
    that recusal is detected; when several match, none is linked and
    `record.warnings` says so."""
    cadre = _locked_cadre(actor, cadre)
    out = ErrorCollector()
    if relation not in Relation.values:
        out.add("relation", _("请选择称谓。"))
    if not name.strip():
        out.add("name", _("请填写家庭成员姓名。"))
    if related_cadre is not None and related_cadre.pk == cadre.pk:
        out.add("related_cadre", _("家庭成员不能关联到本人。"))
    if birth_date is not None and birth_date > today():
        out.add("birth_date", _("出生日期不能晚于今天。"))
    out.raise_if_any(_("家庭成员信息有误，未保存。"))
    warnings: list[str] = []
    linked_by = "given" if related_cadre is not None else ""
    if related_cadre is None:
        matches = relative_matches(name.strip(), birth_date, exclude=cadre.pk)
        if len(matches) == 1:
            related_cadre, linked_by = matches[0], "name_birth"
        elif matches:
            warnings.append(ambiguous_relative_message(name.strip(), len(matches)))
    record = FamilyMember.objects.create(
        cadre=cadre,
        relation=relation,
        name=name.strip(),
        birth_date=birth_date,
        political_status=political_status,
        work_unit_and_post=work_unit_and_post,
        related_cadre=related_cadre,
        emigrated=emigrated,
    )
    kept_facts_refresh([cadre.pk])
    _record_added(
        actor,
        cadre,
        record,
        {
            "relation": relation,
            "name": record.name,
            "related_cadre": related_cadre and related_cadre.pk,
            "linked_by": linked_by,
        },
    )
    record.warnings = warnings  # type: ignore[attr-defined]
    return record


def _link_relatives_to(actor: Any, cadre_ids: list[int]) -> list[FamilyMember]:
    """Link the unlinked family records that name one of these new cadres
    (same name and birth date, decision 0083) when it is the only cadre they
    match; each link is journaled on the cadre whose family record it is."""
    wanted = set(cadre_ids)
    linked = []
    ids = sorted(wanted)
    for start in range(0, len(ids), 1000):
        names = set(
            Cadre.objects.filter(pk__in=ids[start : start + 1000]).values_list("name", flat=True)
        )
        rows = (
            FamilyMember.objects.select_for_update()
            .filter(related_cadre__isnull=True, birth_date__isnull=False, name__in=names)
            .order_by("pk")
        )
        for member in rows:
            matches = relative_matches(member.name, member.birth_date, exclude=member.cadre_id)
            if len(matches) != 1 or matches[0].pk not in wanted:
                continue
            _link_member(actor, member, matches[0])
            linked.append(member)
    return linked


def _link_member(actor: Any, member: FamilyMember, cadre: Cadre) -> None:
    """Save the link of an unlinked family record, journaled on the cadre
    whose family record it is (decision 0083)."""
    member.related_cadre = cadre
    member.save(update_fields=["related_cadre"])
    journal_record(
        actor=actor,
        event_type=EventType.CADRE_UPDATED,
        subject=("people.cadre", str(member.cadre_id)),
        payload={
            "record": "familymember",
            "id": member.pk,
            "related_cadre": [None, cadre.pk],
            "linked_by": "name_birth",
        },
    )


@transaction.atomic
def relatives_link_new_cadres(*, actor: Any, cadre_ids: list[int]) -> list[FamilyMember]:
    """For bulk imports that create cadres without cadre_create: link the
    family records that name them (as cadre_create does for one)."""
    return _link_relatives_to(actor, cadre_ids)


@dataclass
class RelativesLinkResult:
    """What relatives_link_existing did (or, in a dry run, would do): how
    many unlinked family records it linked, how many match several cadres
    (left alone, one warning each) and how many match none."""

    linked: int = 0
    ambiguous: int = 0
    none: int = 0
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def relatives_link_existing(*, actor: Any, dry_run: bool = False) -> RelativesLinkResult:
    """Link every unlinked family record already in the database to the one
    cadre of the same name and birth date (decision 0083, the rule of
    family_member_add), each link journaled as `_link_relatives_to` does. It
    reads every unit, so only a system administrator may run it. An existing
    link is never moved; a second run finds nothing new. `dry_run` counts
    without writing anything."""
    if not is_unrestricted(actor):
        raise PermissionDenied(
            _("只有系统管理员可以批量关联家庭成员与干部记录。如需办理，请联系系统管理员。")
        )
    result = RelativesLinkResult()
    unlinked = FamilyMember.objects.filter(related_cadre__isnull=True)
    total = unlinked.count()
    # Only a record with a birth date and a cadre's name can match at all.
    rows = unlinked.filter(
        birth_date__isnull=False, name__in=Cadre.objects.values("name")
    ).select_related("cadre")
    if not dry_run:
        rows = rows.select_for_update(of=("self",))
    last = 0
    while batch := list(rows.filter(pk__gt=last).order_by("pk")[:2000]):
        last = batch[-1].pk
        for member in batch:
            _link_existing(actor, member, result, dry_run=dry_run)
    result.none = total - result.linked - result.ambiguous
    return result


def _link_existing(
    actor: Any, member: FamilyMember, result: RelativesLinkResult, *, dry_run: bool
) -> None:
    """Count one unlinked family record that may match, and link it unless
    `dry_run`; one that matches no cadre is counted by the caller."""
    matches = relative_matches(member.name, member.birth_date, exclude=member.cadre_id)
    if len(matches) == 1:
        result.linked += 1
        if not dry_run:
            _link_member(actor, member, matches[0])
    elif matches:
        result.ambiguous += 1
        result.warnings.append(
            _("干部 %(cadre)s（编号 %(id)d）：%(message)s")
            % {
                "cadre": member.cadre.name,
                "id": member.cadre_id,
                "message": ambiguous_relative_message(member.name, len(matches)),
            }
        )


@transaction.atomic
def assessment_set(
    *, actor: Any, cadre: Cadre, year: int, grade: AssessmentGrade | str
) -> Assessment:
    cadre = _locked_cadre(actor, cadre)
    out = ErrorCollector()
    if grade not in AssessmentGrade.values:
        out.add("grade", _("请选择考核结果。"))
    if not (cadre.birth_date.year < year <= today().year):
        out.add("year", _("考核年度 %(y)d 无效。") % {"y": year})
    out.raise_if_any(_("考核信息有误，未保存。"))
    record, _created = Assessment.objects.update_or_create(
        cadre=cadre, year=year, defaults={"grade": grade}
    )
    kept_facts_refresh([cadre.pk])
    _record_added(actor, cadre, record, {"year": year, "grade": grade})
    return record


@transaction.atomic
def reward_punishment_add(
    *,
    actor: Any,
    cadre: Cadre,
    kind: RecordKind | str,
    category: RecordCategory | str,
    title: str,
    decided_on: dt.date,
    effect_until: dt.date | None = None,
    document: str = "",
) -> RewardPunishment:
    cadre = _locked_cadre(actor, cadre)
    out = ErrorCollector()
    if kind not in RecordKind.values:
        out.add("kind", _("请选择奖励、惩处或认定。"))
    if category not in RecordCategory.values:
        out.add("category", _("请选择种类。"))
    elif (category in FINDING_CATEGORIES) != (kind == RecordKind.FINDING):
        out.add(
            "category",
            _(
                "认定类事项（违反政治纪律和政治规矩、群众公认度不高、跑官要官拉票贿选）须以“认定”类别记录，其他种类不得记为认定。"
            ),
        )
    if not title.strip():
        out.add("title", _("请填写名称。"))
    validate_period(
        start=decided_on,
        end=effect_until,
        out=out,
        start_field="decided_on",
        end_field="effect_until",
        strict=False,
        today=today(),
    )
    out.raise_if_any(_("奖惩信息有误，未保存。"))
    record = RewardPunishment.objects.create(
        cadre=cadre,
        kind=kind,
        category=category,
        title=title.strip(),
        decided_on=decided_on,
        effect_until=effect_until,
        document=document,
    )
    kept_facts_refresh([cadre.pk])
    _record_added(
        actor,
        cadre,
        record,
        {"kind": kind, "category": category, "title": record.title, "effect_until": effect_until},
    )
    return record


def _training_errors(cadre: Cadre, *, year: int, hours: int, title: str) -> ErrorCollector:
    return validate_training(
        birth_year=cadre.birth_date.year, year=year, hours=hours, title=title, today=today()
    )


@transaction.atomic
def training_add(*, actor: Any, cadre: Cadre, year: int, hours: int, title: str) -> Training:
    """One training row (year, hours, title) of a cadre; the national training
    rule sums these rows over its window."""
    cadre = _locked_cadre(actor, cadre)
    out = _training_errors(cadre, year=year, hours=hours, title=title)
    out.raise_if_any(_("培训信息有误，未保存。"))
    record = Training.objects.create(cadre=cadre, year=year, hours=hours, title=title.strip())
    _record_added(actor, cadre, record, {"year": year, "hours": hours, "title": record.title})
    return record


@transaction.atomic
def training_change(
    *, actor: Any, training: Training, year: int, hours: int, title: str
) -> Training:
    """Correct a training row; the journal keeps each changed value before and after."""
    cadre = _locked_cadre(actor, training.cadre)
    record = Training.objects.select_for_update().get(pk=training.pk, cadre=cadre)
    out = _training_errors(cadre, year=year, hours=hours, title=title)
    out.raise_if_any(_("培训信息有误，未保存。"))
    after = {"year": year, "hours": hours, "title": title.strip()}
    changes = {k: [getattr(record, k), v] for k, v in after.items() if getattr(record, k) != v}
    if not changes:
        return record
    for name, (_before, value) in changes.items():
        setattr(record, name, value)
    record.save(update_fields=list(changes))
    journal_record(
        actor=actor,
        event_type=EventType.CADRE_RECORD_CHANGED,
        subject=cadre,
        payload={"record": "training", "id": record.pk, "changes": changes},
    )
    return record


@transaction.atomic
def training_remove(*, actor: Any, training: Training) -> None:
    """Remove a training row entered by mistake; the journal keeps what it said."""
    cadre = _locked_cadre(actor, training.cadre)
    record = Training.objects.select_for_update().get(pk=training.pk, cadre=cadre)
    journal_record(
        actor=actor,
        event_type=EventType.CADRE_RECORD_REMOVED,
        subject=cadre,
        payload={
            "record": "training",
            "id": record.pk,
            "year": record.year,
            "hours": record.hours,
            "title": record.title,
        },
    )
    record.delete()


# ---- whole-record replacements (LRMX import) ------------------------------------------


@transaction.atomic
def cadre_photo_set(*, actor: Any, cadre: Cadre, photo: bytes | None) -> Cadre:
    """Replace the photo (JPEG or PNG bytes; None removes it). The journal keeps
    digests, not the picture."""
    import hashlib

    cadre = _locked_cadre(actor, cadre)
    before = bytes(cadre.photo) if cadre.photo is not None else None
    if before == photo:
        return cadre
    cadre.photo = photo
    cadre.version += 1
    cadre.save(update_fields=["photo", "updated_at", "version"])

    def digest(data: bytes | None) -> str:
        return hashlib.sha256(data).hexdigest() if data is not None else ""

    journal_record(
        actor=actor,
        event_type=EventType.CADRE_UPDATED,
        subject=cadre,
        payload={"changes": {"photo": [digest(before), digest(photo)]}},
    )
    return cadre


@transaction.atomic
def resume_replace(
    *, actor: Any, cadre: Cadre, entries: list[tuple[dt.date, dt.date | None, str, str]]
) -> list[ResumeEntry]:
    """Replace the whole 简历 with `entries` (start, end, text, note): an LRMX
    file carries the resume as one text, so an import replaces it as one.
    Each removed and added line is journaled."""
    cadre = _locked_cadre(actor, cadre)
    out = ErrorCollector()
    for index, (start, end, text, _note) in enumerate(entries, start=1):
        line = ErrorCollector()
        validate_period(start=start, end=end, out=line, strict=False)
        if start is not None and start <= cadre.birth_date:
            line.add("start_date", _("简历起始年月应晚于出生日期。"))
        if not text.strip():
            line.add("text", _("请填写单位及职务。"))
        for error in line.errors:
            out.add(f"resume[{index}].{error.field}", error.message)
    out.raise_if_any(_("简历信息有误，未保存。"))
    for old in ResumeEntry.objects.filter(cadre=cadre).order_by("pk"):
        journal_record(
            actor=actor,
            event_type=EventType.CADRE_RECORD_REMOVED,
            subject=cadre,
            payload={"record": "resumeentry", "id": old.pk, "text": old.text},
        )
        old.delete()
    records = []
    for start, end, text, note in entries:
        record = ResumeEntry.objects.create(
            cadre=cadre, start_date=start, end_date=end, text=text.strip(), note=note
        )
        _record_added(actor, cadre, record, {"start": start, "end": end, "text": record.text})
        records.append(record)
    return records


# ---- training classes (培训班次) ---------------------------------------------------


@transaction.atomic
def training_class_create(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    organiser: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: int,
) -> TrainingClass:
    """Record a class held by `organiser`; `unit` (in the actor's scope) keeps it."""
    require_unit(actor, "people.change_cadre", unit)
    out = ErrorCollector()
    if not name.strip():
        out.add("name", _("请填写班次名称。"))
    elif len(name.strip()) > 120:
        out.add("name", _("班次名称过长（最多 120 个字）。"))
    if not organiser.strip():
        out.add("organiser", _("请填写主办单位。"))
    elif len(organiser.strip()) > 120:
        out.add("organiser", _("主办单位名称过长（最多 120 个字）。"))
    if end_date < start_date:
        out.add("end_date", _("结业日期不能早于开班日期。"))
    if hours <= 0 or hours > TRAINING_MAX_HOURS:
        out.add(
            "hours",
            _("班次学时应为 1 至 %(n)d 之间的整数。") % {"n": TRAINING_MAX_HOURS},
        )
    out.raise_if_any(_("培训班次信息有误，未保存。"))
    record = TrainingClass.objects.create(
        unit=unit,
        name=name.strip(),
        organiser=organiser.strip(),
        start_date=start_date,
        end_date=end_date,
        hours=hours,
    )
    journal_record(
        actor=actor,
        event_type=EventType.TRAINING_CLASS_CREATED,
        subject=record,
        payload={"name": record.name, "organiser": record.organiser, "hours": hours,
                 "start": start_date, "end": end_date},
    )  # fmt: skip
    return record


@transaction.atomic
def training_class_enrol(
    *, actor: Any, training_class: TrainingClass, cadre: Cadre
) -> TrainingClassParticipant:
    """Record that `cadre` completed the class: the participant and the cadre's
    Training row (the class's hours, for the year the class ends), in one step.
    The class must have ended: a row is a training taken, never one planned."""
    require_unit(actor, "people.change_cadre", training_class.unit)
    cadre = _locked_cadre(actor, cadre)
    klass = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if klass.end_date > today():
        raise ValidationFailed(
            _("班次“%(n)s”于 %(d)s 结业，结业后才能登记学员的培训学时。")
            % {"n": klass.name, "d": klass.end_date.isoformat()}
        )
    if TrainingClassParticipant.objects.filter(training_class=klass, cadre=cadre).exists():
        raise Conflict(_("%(c)s 已是该班次的学员。") % {"c": cadre.name})
    row = training_add(
        actor=actor, cadre=cadre, year=klass.end_date.year, hours=klass.hours, title=klass.name
    )
    participant = TrainingClassParticipant.objects.create(
        training_class=klass, cadre=cadre, training=row
    )
    journal_record(
        actor=actor,
        event_type=EventType.TRAINING_CLASS_ENROLLED,
        subject=klass,
        payload={"cadre": cadre.pk, "training": row.pk, "hours": klass.hours},
    )
    return participant


@transaction.atomic
def training_class_unenrol(*, actor: Any, participant: TrainingClassParticipant) -> None:
    """Take a cadre off a class, and the Training row the enrolment wrote with them."""
    klass = participant.training_class
    require_unit(actor, "people.change_cadre", klass.unit)
    found = TrainingClassParticipant.objects.select_for_update().get(pk=participant.pk)
    row = found.training
    cadre_id = found.cadre_id
    found.delete()
    if row is not None:
        training_remove(actor=actor, training=row)
    else:
        # The row was removed by hand already; the cadre's scope is still checked.
        _locked_cadre(actor, Cadre.objects.get(pk=cadre_id))
    journal_record(
        actor=actor,
        event_type=EventType.TRAINING_CLASS_UNENROLLED,
        subject=klass,
        payload={"cadre": cadre_id, "training": row.pk if row is not None else None},
    )
