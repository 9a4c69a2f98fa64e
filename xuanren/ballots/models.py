"""Voting meetings (表决、推荐、测评) and their secret ballots.

Secrecy by construction (docs/decisions/0020, 0048): who voted
(`Participation`) and what was voted are two tables with nothing in common but
the meeting. While the vote runs, what was voted exists only sealed to the
meeting's count key (`SealedBallot`), which opens only with the tellers'
passphrase; so even someone reading the database, its row order or its
transaction ids during the vote learns nothing of any content. At the count
the boxes are opened, the plain ballots written in random order in one
transaction (`Ballot`: no voter, no timestamp, a random UUID), the boxes and
the locked key destroyed, and the table compacted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanren.org.models import Post, Unit
from xuanren.people.models import Cadre
from xuanren.procedure.models import Candidate, Case, CaseStep, Committee, CommitteeMembership


class MeetingKind(models.TextChoices):
    DECISION = "decision", _("讨论决定表决")
    RECOMMENDATION = "recommendation", _("民主推荐")
    EVALUATION = "evaluation", _("民主测评")


class MeetingStatus(models.TextChoices):
    SETUP = "setup", _("准备中")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已计票")
    ABANDONED = "abandoned", _("已作废")


class BallotMethod(models.TextChoices):
    ELECTRONIC = "electronic", _("电子投票")
    PAPER = "paper", _("纸质票")


class PaperMode(models.TextChoices):
    SHEETS = "sheets", _("逐张录入")
    COUNTS = "counts", _("按人选录入票数")


class EvaluationScale(models.TextChoices):
    GRADES = "grades", _("优秀／称职／基本称职／不称职")
    SATISFACTION = "satisfaction", _("满意／基本满意／不满意")
    # 0–100 per name and section, for a 年度考核 (decision 0172): the sections
    # are the dimensions, the voters' groups the round's rater groups.
    SCORE = "score", _("百分制评分（0 至 100 分）")


class Meeting(models.Model):
    kind = models.CharField(_("类别"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="ballot_meetings", verbose_name=_("单位")
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ballot_meetings",
        verbose_name=_("选任事项"),
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ballot_meetings",
        verbose_name=_("决定机构"),
    )
    meeting_date = models.DateField(_("会议日期"))
    method = models.CharField(
        _("投票方式"), max_length=12, choices=BallotMethod.choices, default=BallotMethod.ELECTRONIC
    )
    paper_mode = models.CharField(
        _("纸质票录入方式"), max_length=8, choices=PaperMode.choices, default=PaperMode.SHEETS
    )
    sheet_count = models.PositiveIntegerField(_("印制票数"), default=0)
    scale = models.CharField(
        _("测评等次"),
        max_length=12,
        choices=EvaluationScale.choices,
        default=EvaluationScale.GRADES,
    )
    # Recommendation meetings feed the case as a meeting (会议推荐) record.
    record_kind = models.CharField(_("推荐方式"), max_length=8, default="meeting")
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SETUP
    )
    # Why a meeting was abandoned (作废) before its count; empty otherwise.
    abandon_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    # A decision meeting whose result passes more candidates for a post than
    # it has seats: who takes the seats, with the reason, recorded by the
    # teller before the result is applied (docs/decisions/0055):
    # [{"post": id, "candidates": [candidate ids], "reason": "..."}].
    seat_choice = models.JSONField(_("拟任人选确定"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    # Published at close: the tally, the sorted receipts, the sorted ballots
    # (for anyone to recount) and the SHA-256 digest of the sorted ballots.
    result = models.JSONField(_("计票结果"), default=dict, blank=True)
    receipts = models.JSONField(_("回执码"), default=list, blank=True)
    published_ballots = models.JSONField(_("选票内容"), default=list, blank=True)
    ballot_digest = models.CharField(_("选票摘要"), max_length=64, blank=True)
    snapshot = models.JSONField(_("计票时名单"), default=dict, blank=True)
    # The ballot's shape (sections, names, deferred names) frozen when the vote
    # opens, when it can no longer change: a cast reads it with the voter in
    # one statement (decision 0101). Empty for meetings opened before.
    ballot_shape = models.JSONField(_("选票样式"), default=dict, blank=True)
    # The count key (docs/decisions/0048): the public half, and the private
    # half locked under the tellers' passphrase; erased at the count.
    count_public_key = models.BinaryField(_("计票公钥"), max_length=32, blank=True, default=b"")
    count_locked_key = models.BinaryField(_("计票私钥（已加密）"), blank=True, default=b"")
    applied_step = models.ForeignKey(
        CaseStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计入的环节记录"),
    )

    class Meta:
        verbose_name = _("投票会议")
        verbose_name_plural = _("投票会议")
        ordering = ["-meeting_date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def has_count_key(self) -> bool:
        """Ballots are sealed (decision 0048); a meeting opened before sealing
        existed has no key and keeps plain ballots."""
        return bool(bytes(self.count_public_key))


class Section(models.Model):
    """A part of the ballot: for a recommendation one post with its allowed
    number of choices; decision and evaluation ballots have one section."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="sections")
    order = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("名称"), max_length=200)
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    max_choices = models.PositiveSmallIntegerField(_("限选人数"), null=True, blank=True)
    write_ins = models.BooleanField(_("可另推荐人选"), default=False)

    class Meta:
        verbose_name = _("选票栏目")
        verbose_name_plural = _("选票栏目")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="ballot_section_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """A name on the ballot, in the required order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("姓名"), max_length=60)
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    defer_votes = models.PositiveSmallIntegerField(_("缓议票数"), default=0)
    deferred = models.BooleanField(_("缓议"), default=False)

    class Meta:
        verbose_name = _("选票人选")
        verbose_name_plural = _("选票人选")
        ordering = ["meeting", "section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["section", "order"], name="ballot_item_order"),
        ]

    def __str__(self) -> str:
        return self.name


class Voter(models.Model):
    """Someone entitled to vote (应到/应参加): a committee member on the meeting
    date, or a participant with their group."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="voters")
    name = models.CharField(_("姓名"), max_length=60)
    group = models.CharField(_("参加人员类别"), max_length=20, blank=True)
    membership = models.ForeignKey(
        CommitteeMembership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ballot_rolls",
    )
    # HMAC-SHA-256 of the one-time code; the code itself is never stored.
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    present = models.BooleanField(_("到会"), default=False)

    class Meta:
        verbose_name = _("投票人")
        verbose_name_plural = _("投票人")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name


class Recusal(models.Model):
    """A voter who leaves the vote on one name (回避)."""

    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="recusals")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="recusals")
    reason = models.CharField(_("回避原因"), max_length=200)

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [
            models.UniqueConstraint(fields=["voter", "item"], name="ballot_recusal_unique"),
        ]


class Participation(models.Model):
    """That a voter has voted — never what. One per voter: a second cast is
    refused by the database."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="participations")
    voter = models.OneToOneField(Voter, on_delete=models.PROTECT, related_name="participation")

    class Meta:
        verbose_name = _("投票登记")
        verbose_name_plural = _("投票登记")


class Ballot(models.Model):
    """What was voted — never by whom. No voter, no time, no sequence. For an
    electronic meeting these rows exist only from the count on, written in
    random order in one transaction from the opened `SealedBallot`s."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="ballots")
    group = models.CharField(_("参加人员类别"), max_length=20, blank=True)
    content = models.JSONField(_("选票内容"))
    valid = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        permissions = [("cast_ballot", _("可以凭本人账号投票"))]


class SealedBallot(models.Model):
    """A ballot as cast: sealed to the meeting's count key, padded to one
    length, under a random id. No voter, no time, no group in the clear; the
    box says nothing without the tellers' passphrase. Opened and destroyed at
    the count, when the plain `Ballot` rows are written in random order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="sealed_ballots")
    box = models.BinaryField(_("密封选票"))

    class Meta:
        verbose_name = _("密封选票")
        verbose_name_plural = _("密封选票")


class Receipt(models.Model):
    """Proof that a ballot is in the box; says nothing of which one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="receipt_rows")
    code = models.CharField(_("回执码"), max_length=16)
    # The journal's entry for the cast (decision 0101): HMAC under the journal
    # key of the meeting and the code. Blank on receipts of casts journalled
    # one chained event each, before that decision.
    mac = models.CharField(_("日志校验码"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("回执")
        verbose_name_plural = _("回执")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "code"], name="ballot_receipt_unique"),
        ]


class PaperEntry(models.Model):
    """One teller's reading of one paper sheet (`serial`), or of the whole
    count (`serial` empty, counts mode). Each is entered by two different
    tellers; a third person's resolution settles a mismatch."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="paper_entries")
    serial = models.CharField(_("票号"), max_length=20, blank=True)
    teller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(_("录入内容"))
    resolution = models.BooleanField(_("复核认定"), default=False)
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("纸质票录入")
        verbose_name_plural = _("纸质票录入")
        ordering = ["meeting", "serial", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "serial", "teller", "resolution"], name="paper_entry_once"
            ),
        ]
