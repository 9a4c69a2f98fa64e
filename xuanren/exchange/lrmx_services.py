"""LRMX export and import (DOMAIN §6, docs/decisions/0026 and 0027).

Import runs in two steps. `lrmx_import_preview` reads the upload (one .lrmx
or a ZIP of many), checks every file and compares it with the existing record
of the same ID number, and keeps the upload in an ImportBatch; nothing in the
cadre records changes. `lrmx_import_confirm` then saves each file that passes,
each in its own savepoint: a file either saves completely or not at all.
All writes go through the people services, which check the permission and
the unit scope and journal the change; each imported cadre also gets one
LRMX_IMPORTED event naming the file and its SHA-256.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanren.access.models import AccessKind
from xuanren.access.policy import has_perm, require_perm, require_unit, unit_in_scope
from xuanren.access.records import access_record
from xuanren.common.dates import today
from xuanren.common.errors import (
    Conflict,
    DomainError,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from xuanren.common.uploads import (
    Budget,
    UploadRefused,
    as_file,
    check_size,
    is_zip,
    mb_text,
    open_zip,
    read_bounded,
    read_member,
    sha256_of,
    zip_limits,
)
from xuanren.exchange.lrmx import (
    LrmxFormatError,
    LrmxProblem,
    ResumePeriod,
    record_from_xml,
    record_to_xml,
    render_jianli,
)
from xuanren.exchange.lrmx_records import (
    CATEGORY_TEXT,
    FIELD_ELEMENT,
    GRADE_TEXT,
    LEVEL_TEXT,
    RELATION_TEXT,
    SEX_TEXT,
    STATUS_TEXT,
    EducationPlan,
    ExportContext,
    FamilyPlan,
    ImportPlan,
    RewardPlan,
    check_merged,
    merged_input,
    plan_from_record,
    record_from_cadre,
    resume_of,
    resume_rows,
)
from xuanren.exchange.models import ImportBatch, ImportKind, ImportStatus
from xuanren.journal.models import EventType
from xuanren.journal.services import journal_record
from xuanren.org.models import Unit
from xuanren.people.models import Cadre
from xuanren.people.relatives import ambiguous_relative_message, relative_matches
from xuanren.people.selectors import cadre_get
from xuanren.people.services import (
    CadreInput,
    assessment_set,
    cadre_create,
    cadre_photo_set,
    cadre_update,
    education_add,
    family_member_add,
    resume_entry_add,
    resume_replace,
    reward_punishment_add,
)

#: A background job's progress callback: (stage, files done, total).
Progress = Callable[[str, int, int], None]

#: The limits are settings (xuanren/settings.py, "uploads (issue 10)"):
#: XUANREN_LRMX_MAX_FILE_BYTES for one .lrmx, XUANREN_LRMX_MAX_UPLOAD_BYTES
#: for the upload, the XUANREN_ZIP_* limits for a ZIP, and
#: XUANREN_IMPORT_MAX_STORED_BYTES / XUANREN_IMPORT_RETENTION_DAYS for what a
#: batch keeps and for how long (docs/decisions/0034).


# ---- export -------------------------------------------------------------------------


def lrmx_export(*, actor: Any, pk: int, context: ExportContext | None = None) -> tuple[str, bytes]:
    """(file name, .lrmx bytes) of one cadre in the actor's scope. The file
    carries the full ID number and the photo, so it needs the right to see
    full ID numbers; each export is journaled."""
    cadre = cadre_get(actor=actor, pk=pk)
    require_perm(actor, "people.view_full_id_number")
    ctx = context or ExportContext(age_reference=today(), filled_on=today())
    data = record_to_xml(record_from_cadre(cadre, ctx))
    access_record(
        actor=actor,
        kind=AccessKind.EXPORT,
        subject=cadre,
        label=cadre.name,
        detail={"export": "lrmx", "format": "lrmx", "rows": 1},
    )
    journal_record(
        actor=actor,
        event_type=EventType.DATA_EXPORTED,
        subject=cadre,
        payload={"format": "lrmx", "sha256": hashlib.sha256(data).hexdigest()},
    )
    return f"{cadre.name}.lrmx", data


# ---- reading an upload ----------------------------------------------------------------


def _member_name(info: zipfile.ZipInfo) -> str:
    # ZIPs made on Chinese Windows store GBK names without the UTF-8 flag;
    # zipfile then decodes them as cp437.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _lrmx_members(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    infos = [
        i
        for i in archive.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not i.filename.rsplit("/", 1)[-1].startswith(".")
        and i.filename.lower().endswith(".lrmx")
    ]
    if not infos:
        raise UploadRefused(_("压缩包“%(f)s”中没有 .lrmx 文件。") % {"f": name})
    return infos


def lrmx_file_count(name: str, upload: bytes | IO[bytes]) -> int:
    """How many .lrmx files an upload holds: 1 for a file, the members of a
    ZIP from its directory, checked against the ZIP limits (nothing is
    extracted). Decides whether the upload is checked in the background."""
    handle = as_file(upload)
    head = handle.read(4)
    handle.seek(0)
    if not is_zip(head):
        return 1
    limits = zip_limits(member_bytes=settings.XUANREN_LRMX_MAX_FILE_BYTES)
    count = len(_lrmx_members(open_zip(handle, name=name, limits=limits), name))
    handle.seek(0)
    return count


def read_upload(name: str, upload: bytes | IO[bytes]) -> Iterator[tuple[str, bytes]]:
    """The .lrmx files of an upload, one at a time: the file itself, or each
    .lrmx in a ZIP. The ZIP's directory is checked against the limits before
    anything is extracted, and each member is counted as it is read; a file
    that is not what its name says, or a ZIP inside the ZIP, is refused."""
    file_limit = settings.XUANREN_LRMX_MAX_FILE_BYTES
    handle = as_file(upload)
    head = handle.read(4)
    handle.seek(0)
    if not is_zip(head):
        check_size(
            upload,
            limit=file_limit,
            what=_("任免审批表文件"),
            setting="XUANREN_LRMX_MAX_FILE_BYTES",
        )
        yield name, read_bounded(upload, limit=file_limit, what=_("任免审批表文件"))
        return
    limits = zip_limits(member_bytes=file_limit)
    archive = open_zip(handle, name=name, limits=limits)
    infos = _lrmx_members(archive, name)
    budget = Budget(limits.total_bytes)
    for info in infos:
        member = _member_name(info)
        content = read_member(archive, info, budget=budget, limits=limits)
        if is_zip(content[:4]):
            raise UploadRefused(
                _("压缩包中的“%(f)s”本身是压缩包，不支持压缩包套压缩包。请解压后重新打包上传。")
                % {"f": member}
            )
        yield member, content


# ---- comparing a file with the records ------------------------------------------------


@dataclass
class ChildChanges:
    """The records an import adds or replaces beside the scalar fields."""

    educations: list[EducationPlan] = field(default_factory=list)
    resume: list[ResumePeriod] | None = None  # None: leave the resume as it is
    family: list[FamilyPlan] = field(default_factory=list)
    assessments: list[tuple[int, str]] = field(default_factory=list)
    rewards: list[RewardPlan] = field(default_factory=list)
    photo: bytes | None = None

    def any(self) -> bool:
        return bool(
            self.educations
            or self.resume is not None
            or self.family
            or self.assessments
            or self.rewards
            or self.photo is not None
        )


def child_changes(cadre: Cadre | None, plan: ImportPlan) -> ChildChanges:
    """What of the file's records the cadre lacks. Records the file does not
    mention are kept: a file adds to an archive and never deletes from it,
    except the resume, which is one text in the file and replaced as one."""
    if cadre is None:
        return ChildChanges(
            educations=list(plan.educations),
            resume=list(plan.resume) or None,
            family=list(plan.family),
            assessments=list(plan.assessments),
            rewards=list(plan.rewards),
            photo=plan.photo,
        )
    have_edu = {(e.kind, e.level, e.level_text, e.school, e.major) for e in cadre.educations.all()}
    have_family = {(f.relation, f.name) for f in cadre.family_members.all()}
    grades = {a.year: a.grade for a in cadre.assessments.all()}
    have_rewards = {
        (r.category, r.title, r.decided_on.year, r.decided_on.month)
        for r in cadre.rewards_punishments.all()
    }
    current_resume = resume_of(cadre)
    old_photo = bytes(cadre.photo) if cadre.photo is not None else None
    return ChildChanges(
        educations=[
            e
            for e in plan.educations
            if (e.kind, e.level, e.level_text, e.school, e.major) not in have_edu
        ],
        resume=list(plan.resume) if plan.resume and plan.resume != current_resume else None,
        family=[f for f in plan.family if (f.relation, f.name) not in have_family],
        assessments=[(y, g) for y, g in plan.assessments if grades.get(y) != g],
        rewards=[
            r
            for r in plan.rewards
            if (r.category, r.title, r.decided_on.year, r.decided_on.month) not in have_rewards
        ],
        photo=plan.photo if plan.photo is not None and plan.photo != old_photo else None,
    )


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if name == "sex":
        return SEX_TEXT.get(value, value)
    if name == "political_status":
        return STATUS_TEXT.get(value, value)
    if name == "id_number":
        from xuanren.people.services import mask_id_number

        return mask_id_number(value)
    return str(value)


def _label(name: str) -> str:
    model_field = Cadre._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name))


def _scalar_changes(before: CadreInput | None, after: CadreInput) -> dict[str, Any]:
    """Changed fields of an existing cadre; for a new one, the fields the
    file fills (defaults such as the archive review status are not shown)."""
    if before is None:
        return {
            name: value
            for name, value in after.values().items()
            if name in FIELD_ELEMENT and value not in ("", None)
        }
    old = before.values()
    return {name: value for name, value in after.values().items() if old[name] != value}


def _child_lines(changes: ChildChanges) -> list[str]:
    lines = []
    for e in changes.educations:
        kind = {"full_time": _("全日制教育"), "party_school": _("党校教育")}.get(
            e.kind, _("在职教育")
        )
        lines.append(
            _("新增%(k)s：%(l)s %(s)s%(m)s")
            % {
                "k": kind,
                "l": e.level_text or LEVEL_TEXT.get(e.level, ""),
                "s": e.school,
                "m": e.major,
            }
        )
    if changes.resume is not None:
        lines.append(
            _("简历替换为文件中的 %(n)d 段：") % {"n": len(changes.resume)}
            + "\n"
            + render_jianli(changes.resume).replace("\r\n", "\n")
        )
    for f in changes.family:
        lines.append(_("新增家庭成员：%(r)s %(n)s") % {"r": RELATION_TEXT[f.relation], "n": f.name})
    for year, grade in changes.assessments:
        lines.append(_("年度考核：%(y)d 年 %(g)s") % {"y": year, "g": GRADE_TEXT[grade]})
    for r in changes.rewards:
        lines.append(
            _("新增奖惩：%(d)s %(c)s：%(t)s")
            % {"d": r.decided_on.strftime("%Y.%m"), "c": CATEGORY_TEXT[r.category], "t": r.title}
        )
    if changes.photo is not None:
        lines.append(_("照片：更新为文件中的照片"))
    return lines


@dataclass
class FileCheck:
    """One file read and compared: either problems, or what saving it would do."""

    name: str
    sha256: str
    problems: list[LrmxProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    plan: ImportPlan | None = None
    cadre: Cadre | None = None
    before: CadreInput | None = None
    after: CadreInput | None = None
    scalars: dict[str, Any] = field(default_factory=dict)
    children: ChildChanges = field(default_factory=ChildChanges)

    @property
    def action(self) -> str:
        if self.problems:
            return "error"
        if self.cadre is None:
            return "create"
        return "update" if self.scalars or self.children.any() else "unchanged"

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": self.name,
            "sha256": self.sha256,
            "action": self.action,
            "errors": [{"element": p.element, "message": p.message} for p in self.problems],
            "warnings": self.warnings,
            "cadre": self.cadre.pk if self.cadre is not None else None,
            "cadre_name": self.after.name if self.after is not None else "",
            "unit": self.cadre.unit.name if self.cadre is not None else "",
            "changes": [],
            "records": [],
        }
        if not self.problems and self.after is not None:
            row["changes"] = [
                {
                    "field": name,
                    "label": _label(name),
                    "old": _shown(name, getattr(self.before, name))
                    if self.before is not None
                    else "",
                    "new": _shown(name, value),
                }
                for name, value in self.scalars.items()
            ]
            row["records"] = _child_lines(self.children)
        return row


def check_file(actor: Any, name: str, content: bytes, *, seen: dict[str, str]) -> FileCheck:
    """Read one file and compare it with the record of its ID number. `seen`
    maps ID numbers to the earlier file of the same upload that has them."""
    check = FileCheck(name=name, sha256=hashlib.sha256(content).hexdigest())
    try:
        plan = plan_from_record(record_from_xml(content))
    except LrmxFormatError as exc:
        check.problems = exc.problems
        return check
    check.plan = plan
    check.warnings = plan.warnings
    if plan.id_number in seen:
        check.problems = [
            LrmxProblem(
                "ShenFenZheng",
                _("与同批文件“%(f)s”的公民身份号码相同，同一干部请只上传一个文件。")
                % {"f": seen[plan.id_number]},
            )
        ]
        return check
    seen[plan.id_number] = name
    cadre = (
        Cadre.objects.select_related("unit")
        .prefetch_related(
            "educations", "resume_entries", "family_members", "assessments", "rewards_punishments"
        )
        .filter(id_number=plan.id_number)
        .first()
    )
    if cadre is not None:
        if not (has_perm(actor, "people.change_cadre") and unit_in_scope(actor, cadre.unit)):
            check.problems = [
                LrmxProblem(
                    "ShenFenZheng",
                    _("该公民身份号码的干部已在“%(u)s”建档，不在您的管理范围内，不能导入修改。")
                    % {"u": cadre.unit.name},
                )
            ]
            return check
        check.cadre = cadre
        check.before = CadreInput.from_cadre(cadre)
    elif not has_perm(actor, "people.add_cadre"):
        check.problems = [LrmxProblem("ShenFenZheng", _("您没有新建干部记录的权限。"))]
        return check
    check.after = merged_input(check.before, plan)
    check.problems = check_merged(check.after, plan, today())
    if not check.problems:
        check.scalars = _scalar_changes(check.before, check.after)
        check.children = child_changes(cadre, plan)
        check.warnings = [*check.warnings, *_relative_warnings(cadre, check.children.family)]
    return check


def _relative_warnings(cadre: Cadre | None, family: list[FamilyPlan]) -> list[str]:
    """A warning for each new family member that matches several cadres:
    saving links those matching one (decision 0083), not these."""
    exclude = cadre.pk if cadre is not None else None
    out = []
    for member in family:
        matches = relative_matches(member.name, member.birth_date, exclude=exclude)
        if len(matches) > 1:
            out.append(ambiguous_relative_message(member.name, len(matches)))
    return out


def _require_importer(actor: Any) -> None:
    if not (has_perm(actor, "people.add_cadre") or has_perm(actor, "people.change_cadre")):
        raise PermissionDenied(
            _("您没有导入干部信息的权限。如需办理，请联系系统管理员分配相应角色。")
        )


def _stored(content: bytes) -> str:
    """What a batch keeps of a file for confirming: compressed, base64."""
    return base64.b64encode(zlib.compress(content, 6)).decode()


def _content(item: dict[str, Any]) -> bytes:
    raw = base64.b64decode(item["content"])
    return zlib.decompress(raw) if item.get("z") else raw


def _expires(batch: ImportBatch) -> dt.datetime:
    return batch.created_at + dt.timedelta(days=settings.XUANREN_IMPORT_RETENTION_DAYS)


def batch_expired(batch: ImportBatch) -> bool:
    return timezone.now() >= _expires(batch)


def lrmx_import_preview(
    *,
    actor: Any,
    upload_name: str,
    data: bytes | IO[bytes],
    progress: Progress | None = None,
    total: int = 0,
) -> ImportBatch:
    """Check an upload and keep what confirming needs; saves nothing else.

    The permission first, then the upload's declared size, then the ZIP's
    limits, before a byte of content is read. Files are read and checked one
    at a time; the batch keeps only the files that passed, compressed, up to
    XUANREN_IMPORT_MAX_STORED_BYTES, and nothing of a refused upload.
    The checks only read, outside any transaction (so a background job's
    `progress(stage, files done, total)` reports are seen at once); the
    batch is written in one short transaction at the end."""
    _require_importer(actor)
    check_size(
        data,
        limit=settings.XUANREN_LRMX_MAX_UPLOAD_BYTES,
        what=_("上传文件"),
        setting="XUANREN_LRMX_MAX_UPLOAD_BYTES",
    )
    stored_limit = settings.XUANREN_IMPORT_MAX_STORED_BYTES
    seen: dict[str, str] = {}
    files: list[dict[str, Any]] = []
    preview: list[dict[str, Any]] = []
    stored = 0
    for name, content in read_upload(upload_name, data):
        check = check_file(actor, name, content, seen=seen)
        preview.append(check.as_dict())
        if check.problems:
            # A file with errors cannot be saved: nothing of it is kept.
            if progress is not None:
                progress("checking", len(preview), max(total, len(preview)))
            continue
        kept = _stored(content)
        stored += len(kept)
        if stored > stored_limit:
            raise UploadRefused(
                _(
                    "本批可导入的文件压缩后超过 %(m)s MB（设置项 XUANREN_IMPORT_MAX_STORED_BYTES），"
                    "未保存任何内容。请分批导入。"
                )
                % {"m": mb_text(stored_limit)}
            )
        files.append({"name": name, "sha256": check.sha256, "z": 1, "content": kept})
        if progress is not None:
            progress("checking", len(preview), max(total, len(preview)))
    return _batch_create(
        upload_name=upload_name, data=data, files=files, preview=preview, actor=actor
    )


@transaction.atomic
def _batch_create(
    *,
    upload_name: str,
    data: bytes | IO[bytes],
    files: list[dict[str, Any]],
    preview: list[dict[str, Any]],
    actor: Any,
) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=ImportKind.LRMX,
        upload_name=upload_name[:255],
        upload_sha256=sha256_of(data),
        files=files,
        preview=preview,
        created_by=actor,
    )


def batch_get(*, actor: Any, pk: int) -> ImportBatch:
    """A batch of the actor's own (uploads hold whole personal records)."""
    _require_importer(actor)
    batch = ImportBatch.objects.select_related("target_unit").filter(pk=pk).first()
    if batch is None or (batch.created_by_id != actor.pk and not actor.is_superuser):
        raise NotFound(_("未找到该导入批次，或不是您上传的。"))
    return batch


def batch_needs_unit(batch: ImportBatch) -> bool:
    return any(row["action"] == "create" for row in batch.preview)


def _apply(actor: Any, check: FileCheck, unit: Unit | None, batch: ImportBatch) -> Cadre | None:
    """Save one checked file (inside the caller's savepoint)."""
    plan, after = check.plan, check.after
    assert plan is not None and after is not None
    created = check.cadre is None
    if check.cadre is None:
        if unit is None:
            raise ValidationFailed(_("请选择新建干部所在单位。"))
        cadre = cadre_create(actor=actor, unit=unit, data=after)
    else:
        cadre = check.cadre
        if check.scalars:
            cadre = cadre_update(actor=actor, cadre=cadre, changes=check.scalars)
    changes = check.children
    for e in changes.educations:
        education_add(
            actor=actor,
            cadre=cadre,
            kind=e.kind,
            level=e.level,
            school=e.school,
            degree=e.degree,
            major=e.major,
            level_text=e.level_text,
        )
    if changes.resume is not None:
        rows = resume_rows(changes.resume)
        if created:
            for start, end, text, note in rows:
                resume_entry_add(
                    actor=actor, cadre=cadre, start_date=start, end_date=end, text=text, note=note
                )
        else:
            resume_replace(actor=actor, cadre=cadre, entries=rows)
    for f in changes.family:
        family_member_add(
            actor=actor,
            cadre=cadre,
            relation=f.relation,
            name=f.name,
            birth_date=f.birth_date,
            political_status=f.political_status,
            work_unit_and_post=f.work_unit_and_post,
        )
    for year, grade in changes.assessments:
        assessment_set(actor=actor, cadre=cadre, year=year, grade=grade)
    for r in changes.rewards:
        reward_punishment_add(
            actor=actor,
            cadre=cadre,
            kind=r.kind,
            category=r.category,
            title=r.title,
            decided_on=r.decided_on,
        )
    if changes.photo is not None:
        cadre_photo_set(actor=actor, cadre=cadre, photo=changes.photo)
    if not created and not check.scalars and not changes.any():
        return cadre
    journal_record(
        actor=actor,
        event_type=EventType.LRMX_IMPORTED,
        subject=cadre,
        payload={
            "file": check.name,
            "sha256": check.sha256,
            "batch": batch.pk,
            "action": "created" if created else "updated",
            "fields": sorted(check.scalars),
        },
    )
    return cadre


def _error_rows(exc: DomainError) -> list[dict[str, str]]:
    if not exc.errors:
        return [{"element": "", "message": exc.message}]
    return [
        {"element": FIELD_ELEMENT.get(e.field, e.field), "message": e.message} for e in exc.errors
    ]


@transaction.atomic
def lrmx_import_confirm(
    *, actor: Any, batch: ImportBatch, unit: Unit | None, progress: Progress | None = None
) -> ImportBatch:
    """Save every file of a previewed batch that passes its checks again (the
    records may have changed since the preview); new cadres go to `unit`.
    Each file saves completely or not at all; the result lists each file.
    `progress("writing", files done, total)` after each file (a background
    job; inside this transaction, so a cancel raised there rolls it all back)."""
    _require_importer(actor)
    batch = ImportBatch.objects.select_for_update().get(pk=batch_get(actor=actor, pk=batch.pk).pk)
    confirm_precheck(actor=actor, batch=batch, unit=unit)
    results: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    # Only files without errors are kept (in preview order); the others are
    # reported as they were previewed. Batches from before issue 10 kept all.
    kept_all = len(batch.files) == len(batch.preview)
    kept = iter(batch.files)
    total = len(batch.preview)
    for done, previewed in enumerate(batch.preview, start=1):
        if progress is not None and done > 1:
            progress("writing", done - 1, total)
        if previewed["action"] == "error" and not kept_all:
            results.append({**previewed, "saved": False})
            continue
        item = next(kept, None)
        if item is None:
            break
        content = _content(item)
        check = check_file(actor, item["name"], content, seen=seen)
        row = check.as_dict()
        if check.problems:
            results.append({**row, "saved": False})
            continue
        try:
            with transaction.atomic():
                cadre = _apply(actor, check, unit, batch)
        except DomainError as exc:
            results.append({**row, "saved": False, "errors": _error_rows(exc)})
            continue
        results.append({**row, "saved": True, "cadre": cadre.pk if cadre else None})
    if progress is not None:
        progress("writing", total, total)
    batch.status = ImportStatus.CONFIRMED
    batch.target_unit = unit
    batch.result = results
    batch.confirmed_at = timezone.now()
    batch.files = []  # saved: the records and the journal keep them now
    batch.save(update_fields=["status", "target_unit", "result", "confirmed_at", "files"])
    return batch


def confirm_precheck(*, actor: Any, batch: ImportBatch, unit: Unit | None) -> None:
    """What confirming refuses before it saves anything: a batch already
    confirmed or cancelled, or past its retention, or a missing or out-of-scope
    unit for new cadres."""
    if batch.status != ImportStatus.PREVIEWED:
        raise Conflict(_("该批次已%(s)s，不能再次导入。") % {"s": batch.get_status_display()})
    if batch_expired(batch):
        raise Conflict(
            _("该批次已超过保留期限（%(d)d 天），不能再导入。请重新上传文件。")
            % {"d": settings.XUANREN_IMPORT_RETENTION_DAYS}
        )
    if unit is not None:
        require_unit(actor, "people.add_cadre", unit)
    elif batch_needs_unit(batch):
        raise ValidationFailed(
            _("请选择新建干部所在单位。"),
            errors=[FieldError("unit", _("本批有新建的干部，请选择其所在单位。"))],
        )


@transaction.atomic
def import_batches_purge(
    *, actor: Any = None, now: dt.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete the import batches older than XUANREN_IMPORT_RETENTION_DAYS
    (every status: previews, results and kept files alike) and journal one
    system event with the counts, never the contents. `actor` None is the
    system (the purge and cleanup commands). `dry_run`: count only, change
    nothing."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.XUANREN_IMPORT_RETENTION_DAYS)
    expired = ImportBatch.objects.filter(created_at__lte=cutoff)
    counts = dict.fromkeys(ImportStatus.values, 0)
    for status in expired.values_list("status", flat=True).iterator():
        counts[status] += 1
    deleted = sum(counts.values())
    if dry_run:
        return {"deleted": deleted, **counts}
    if deleted:
        expired.delete()
    journal_record(
        actor=actor,
        event_type=EventType.IMPORTS_PURGED,
        subject=("exchange.importbatch", "purge"),
        payload={
            "deleted": deleted,
            "by_status": counts,
            "retention_days": settings.XUANREN_IMPORT_RETENTION_DAYS,
            "cutoff": cutoff.isoformat(),
        },
    )
    return {"deleted": deleted, **counts}


@transaction.atomic
def lrmx_import_cancel(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch_get(actor=actor, pk=batch.pk).pk)
    if batch.status != ImportStatus.PREVIEWED:
        raise Conflict(_("该批次已%(s)s，不能取消。") % {"s": batch.get_status_display()})
    batch.status = ImportStatus.CANCELLED
    batch.files = []  # the personal data of an abandoned upload is not kept
    batch.save(update_fields=["status", "files"])
    return batch
