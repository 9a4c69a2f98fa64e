"""The journal: an append-only, hash-chained record of every state change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    UNIT_CREATED = "unit.created", _("新建单位")
    UNIT_UPDATED = "unit.updated", _("修改单位")
    POST_CREATED = "post.created", _("新建职位")
    POST_UPDATED = "post.updated", _("修改职位")
    QUOTA_SET = "quota.set", _("核定职数")
    UNIT_COUNTS_RECOUNTED = "org.counts_recounted", _("重算单位计数")
    SCREENING_FACTS_RECOUNTED = "policy.facts_recounted", _("重算干部选任筛选事实")
    CADRE_CREATED = "cadre.created", _("新建干部")
    CADRE_UPDATED = "cadre.updated", _("修改干部信息")
    CADRE_RECORD_ADDED = "cadre.record_added", _("新增干部子记录")
    CADRE_RECORD_REMOVED = "cadre.record_removed", _("删除干部子记录")
    CADRE_RECORD_CHANGED = "cadre.record_changed", _("修改干部子记录")
    TRAINING_CLASS_CREATED = "people.training_class_created", _("新建培训班次")
    TRAINING_CLASS_ENROLLED = "people.training_class_enrolled", _("登记班次学员")
    TRAINING_CLASS_UNENROLLED = "people.training_class_unenrolled", _("移出班次学员")
    TENURE_STARTED = "tenure.started", _("任职")
    TENURE_ENDED = "tenure.ended", _("免职")
    USER_SCOPE_SET = "access.scope_set", _("设置用户范围")
    ROLE_ASSIGNED = "access.role_assigned", _("分配角色")
    API_TOKEN_ISSUED = "access.token_issued", _("签发接口令牌")
    API_TOKEN_REVOKED = "access.token_revoked", _("撤销接口令牌")
    SEED_LOADED = "synth.seed_loaded", _("载入生成数据")
    RULE_PACK_LOADED = "policy.pack_loaded", _("载入规则包")
    POST_PACKS_SET = "policy.post_packs_set", _("设置职位适用规则包")
    EXCEPTION_REQUESTED = "policy.exception_requested", _("申请破格提拔")
    EXCEPTION_DECIDED = "policy.exception_decided", _("审批破格提拔")
    PROCEDURE_TEMPLATE_LOADED = "procedure.template_loaded", _("载入程序模板")
    COMMITTEE_CREATED = "procedure.committee_created", _("新建决定机构")
    COMMITTEE_MEMBER_ADDED = "procedure.committee_member_added", _("增加决定机构成员")
    CASE_OPENED = "procedure.case_opened", _("选任事项立项")
    STEP_COMPLETED = "procedure.step_completed", _("完成环节")
    STEP_CORRECTED = "procedure.step_corrected", _("更正环节记录")
    CASE_TERMINATED = "procedure.case_terminated", _("终止选任事项")
    CASE_WITHDRAWN = "procedure.case_withdrawn", _("撤回选任事项")
    CANDIDATE_ADDED = "procedure.candidate_added", _("列入人选")
    CANDIDATE_STATUS_SET = "procedure.candidate_status_set", _("人选状态变更")
    ATTACHMENT_ADDED = "procedure.attachment_added", _("上传附件")
    CALENDAR_DAY_SET = "workdays.day_set", _("调整工作日历")
    CALENDAR_DAY_CLEARED = "workdays.day_cleared", _("撤销工作日历调整")
    CALENDAR_YEAR_MARKED = "workdays.year_marked", _("标记放假安排录入情况")
    NOTICE_PUBLISHED = "supervision.notice_published", _("发布任前公示")
    REPORT_RECEIVED = "supervision.report_received", _("受理举报")
    REPORT_ASSIGNED = "supervision.report_assigned", _("分派举报")
    REPORT_INVESTIGATING = "supervision.report_investigating", _("调查核实举报")
    REPORT_CLOSED = "supervision.report_closed", _("举报办结")
    # The standing reporting and consultation channel (docs/decisions/0127).
    REPORT_LINKED = "supervision.report_linked", _("关联举报咨询的干部和事项")
    REPORT_REPLIED = "supervision.report_replied", _("答复举报咨询人")
    MOTION_PROPOSED = "procedure.motion_proposed", _("提出动议建议")
    MOTION_PROPOSAL_DECIDED = "procedure.motion_proposal_decided", _("处理动议建议")
    MEETING_CREATED = "ballots.meeting_created", _("新建投票会议")
    MEETING_UPDATED = "ballots.meeting_updated", _("修改投票会议")
    MEETING_OPENED = "ballots.meeting_opened", _("开始投票")
    VOTER_CODES_ISSUED = "ballots.codes_issued", _("发放投票码")
    ATTENDANCE_RECORDED = "ballots.attendance_recorded", _("登记到会")
    BALLOT_CAST = "ballots.cast", _("投票")
    PAPER_ENTRY_RECORDED = "ballots.paper_entry", _("录入纸质票")
    PAPER_ENTRY_RESOLVED = "ballots.paper_resolved", _("处理录入不一致")
    MEETING_CLOSED = "ballots.meeting_closed", _("结束投票并计票")
    RESULT_APPLIED = "ballots.result_applied", _("投票结果计入事项")
    DOCUMENT_GENERATED = "documents.generated", _("生成文书")
    LRMX_IMPORTED = "exchange.lrmx_imported", _("导入任免审批表")
    XLSX_IMPORTED = "exchange.xlsx_imported", _("导入表格")
    DATA_EXPORTED = "exchange.exported", _("导出数据")
    COUNT_KEY_MADE = "ballots.count_key_made", _("生成计票密钥")
    IMPORTS_PURGED = "exchange.imports_purged", _("清理过期导入批次")
    # Every kind of background job, not only imports (docs/decisions/0115):
    # the payload's `kind` says which (an export, the forms ZIP, an import).
    IMPORT_JOB_STARTED = "exchange.job_started", _("提交后台任务")
    IMPORT_JOB_CANCELLED = "exchange.job_cancelled", _("取消后台任务")
    IMPORT_JOB_RETRIED = "exchange.job_retried", _("重新执行后台任务")
    # accounts (issue 10, docs/decisions/0040)
    USER_CREATED = "access.user_created", _("新建用户")
    USER_PROFILE_SET = "access.user_profile_set", _("修改用户信息")
    USER_PASSWORD_SET = "access.user_password_set", _("设置用户密码")
    USER_ACTIVE_SET = "access.user_active_set", _("启用或停用用户")
    USER_FLAGS_SET = "access.user_flags_set", _("设置管理员标志")
    USER_SCOPE_CLEARED = "access.scope_cleared", _("取消用户范围")
    USER_UNLOCKED = "access.user_unlocked", _("解除登录锁定")
    OTP_ENROLLED = "access.otp_enrolled", _("启用双因素认证")
    OTP_REMOVED = "access.otp_removed", _("移除双因素认证")
    CADRES_BASELINED = "journal.cadres_baselined", _("记录干部信息指纹基线")
    # who does which step (issue 11, docs/decisions/0061–0065)
    TEAM_MEMBER_ADDED = "procedure.team_member_added", _("指派考察组成员")
    TEAM_MEMBER_REMOVED = "procedure.team_member_removed", _("调整出考察组")
    INSPECTION_MATERIAL_ADDED = "procedure.inspection_material_added", _("上传考察材料")
    INSPECTION_SIGNED = "procedure.inspection_signed", _("考察组成员署名")
    INTEGRITY_REQUESTED = "procedure.integrity_requested", _("书面征求廉政意见")
    AUDIT_REQUESTED = "procedure.audit_requested", _("委托经济责任审计")
    # 回头看 (issue 14, docs/decisions/0124–0126)
    LOOKBACK_RUN = "supervision.lookback_run", _("开展回头看")
    RECTIFICATION_ASSIGNED = "supervision.rectification_assigned", _("分派整改任务")
    RECTIFICATION_CLOSED = "supervision.rectification_closed", _("整改完成")
    LOOKBACK_FILED = "supervision.lookback_filed", _("回头看报告报送备案")
    LOOKBACK_ACKNOWLEDGED = "supervision.lookback_acknowledged", _("记录备案回执")
    # structure targets edited (docs/decisions/0143)
    STRUCTURE_TARGET_ADDED = "statistics.target_added", _("新增班子结构要求")
    STRUCTURE_TARGET_CHANGED = "statistics.target_changed", _("修改班子结构要求")
    STRUCTURE_TARGET_RETIRED = "statistics.target_retired", _("停止执行班子结构要求")
    OPINION_ROUND_CREATED = "supervision.opinion_round_created", _("发出征询意见书")
    OPINION_RECIPIENTS_ADDED = "supervision.opinion_recipients_added", _("登记征询对象")
    OPINION_REPLY_RECORDED = "supervision.opinion_reply_recorded", _("登记征询意见回复")
    OPINION_RECORDED = "supervision.opinion_recorded", _("登记征询意见")
    OPINION_ASSIGNED = "supervision.opinion_assigned", _("分派征询意见")
    OPINION_ANSWERED = "supervision.opinion_answered", _("答复征询意见")
    APPRAISAL_CREATED = "supervision.appraisal_created", _("开展一报告两评议")
    APPRAISAL_RECORDED = "supervision.appraisal_recorded", _("登记一报告两评议结果")
    # 年度考核 (docs/decisions/0150–0152)
    ASSESSMENT_ROUND_CREATED = "assessment.round_created", _("开展年度考核")
    ASSESSMENT_WEIGHTS_SET = "assessment.weights_set", _("设置年度考核权重")
    ASSESSMENT_SCORES_RECORDED = "assessment.scores_recorded", _("登记年度考核评分")
    ASSESSMENT_REPORT_RECORDED = "assessment.report_recorded", _("登记述职报告")
    ASSESSMENT_GRADE_CONFIRMED = "assessment.grade_confirmed", _("确定年度考核等次")
    # 后备干部 三荐双考 (docs/decisions/0153–0155)
    RESERVE_ROUND_CREATED = "reserves.round_created", _("开展后备干部选拔")
    RESERVE_NOMINATED = "reserves.nominated", _("登记后备干部推荐")
    RESERVE_TEST_RECORDED = "reserves.test_recorded", _("登记后备干部测试成绩")
    RESERVE_INSPECTION_RECORDED = "reserves.inspection_recorded", _("登记后备干部考察结果")
    RESERVE_MEMBER_LISTED = "reserves.member_listed", _("列入后备干部名单")
    RESERVE_LIST_FIXED = "reserves.list_fixed", _("确定后备干部名单")
    RESERVE_MEMBER_LEFT = "reserves.member_left", _("退出后备干部名单")
    RESERVE_REVIEWED = "reserves.reviewed", _("调整后备干部名单")
    RESERVE_SUBJECTS_SET = "reserves.subjects_set", _("设置后备干部测试科目")
    # the poor-performance track (issue 15, docs/decisions/0156)
    OBSERVATION_OPENED = "observation.opened", _("诫勉谈话并开始察看期")
    OBSERVATION_CLOSED = "observation.closed", _("察看期满作出结论")
    OBSERVATION_CORRECTED = "observation.corrected", _("更正诫勉谈话或察看结论")
    # 竞聘评分 (docs/decisions/0147–0149)
    COMPETITION_CREATED = "competition.created", _("建立竞聘评分")
    COMPETITION_WEIGHTS_SET = "competition.weights_set", _("设置竞聘测试项目及权重")
    COMPETITION_MEMBER_ADDED = "competition.member_added", _("增加竞聘小组成员")
    COMPETITION_MEMBER_REMOVED = "competition.member_removed", _("移出竞聘小组成员")
    COMPETITION_SCORES_ENTERED = "competition.scores_entered", _("录入竞聘评分")
    COMPETITION_SIGNED_OFF = "competition.signed_off", _("竞聘监督小组签字确认")


class JournalHead(models.Model):
    """One row that holds the chain's tip; writers lock it so the chain stays a
    single line even when many transactions append at once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("日志链头")


class Event(models.Model):
    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    event_type = models.CharField(_("事件类型"), max_length=40, choices=EventType.choices)
    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.CharField(_("对象编号"), max_length=60)
    payload = models.JSONField(_("内容"), default=dict)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)
    # 1: plain SHA-256 (written before the key existed); 2: HMAC under the
    # journal key. Events already stored keep 1 (decision 0037).
    version = models.PositiveSmallIntegerField(_("链版本"), default=1)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.id} {self.event_type} {self.subject_type}:{self.subject_id}"
