"""Roles as data: which Django permissions each role's group holds.

Scope (which units) is separate, in Scope; a permission here says what kind of
thing a role may do, the scope says where.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from xuanren.access.models import Role
from xuanren.common.migrating import after_full_migrate

VIEW_RECORDS = [
    "org.view_unit",
    "org.view_post",
    "org.view_quota",
    "people.view_cadre",
]
EDIT_RECORDS = [
    "org.add_unit",
    "org.change_unit",
    "org.add_post",
    "org.change_post",
    "org.add_quota",
    "org.change_quota",
    "people.add_cadre",
    "people.change_cadre",
]

CASES_VIEW = ["procedure.view_case", "procedure.view_committee"]
CASES_RUN = [*CASES_VIEW, "procedure.add_case", "procedure.change_case", "procedure.add_committee"]
# 任前公示 and 举报 (docs/decisions/0015): the case officer publishes notices,
# registers and assigns reports; the discipline commission investigates and
# closes them. Reports name their reporters, so nobody else reads them.
NOTICES_VIEW = ["supervision.view_publicnotice"]
NOTICES_PUBLISH = [*NOTICES_VIEW, "supervision.add_publicnotice"]
REPORTS_HANDLE = ["supervision.view_report", "supervision.add_report", "supervision.assign_report"]
REPORTS_INVESTIGATE = ["supervision.view_report", "supervision.investigate_report"]
# Voting meetings (docs/decisions/0020): the case officer sets them up and is
# the teller by default (attendance, codes, paper entry, close); members and
# participants vote with their own login when they are on a meeting's roster.
BALLOTS_VIEW = ["ballots.view_meeting"]
BALLOTS_RUN = [*BALLOTS_VIEW, "ballots.add_meeting", "ballots.change_meeting"]
BALLOTS_VOTE = ["ballots.cast_ballot"]

# Who does which step (docs/decisions/0061–0065): the owner role of a step
# completes it for the cases assigned to it. Case officers may also serve on
# inspection teams (organization-department staff usually do).
TEAM_SERVE = ["procedure.serve_inspectionteam"]
INTEGRITY_ANSWER = ["procedure.answer_integrityrequest"]
AUDIT_ANSWER = ["procedure.answer_auditrequest"]

# Units propose filling their posts (动议建议, DOMAIN §1, §3 step 1); the
# organization department decides (with procedure.add_case). docs/decisions/0018.
MOTIONS_PROPOSE = ["procedure.add_motionproposal", "procedure.view_motionproposal"]

# 回头看 (docs/decisions/0126): the organization department runs it and assigns
# the rectification tasks; the discipline commission reads the findings.
LOOKBACK_VIEW = ["supervision.view_lookbackrun"]
LOOKBACK_RUN = [*LOOKBACK_VIEW, "supervision.run_lookback"]
# 班子结构要求 (docs/decisions/0143): the organization department sets them for
# the teams of its scope; everyone who reads cadres sees them on the structure page.
TARGETS_EDIT = ["statistics.change_structuretarget"]
# 征询意见 and 一报告两评议 (docs/decisions/0130–0132): the organization
# department issues the rounds and records the appraisals; the discipline
# commission reads them. An opinion's assignee answers it whatever their role.
OPINIONS_VIEW = ["supervision.view_opinionround", "supervision.view_appraisal"]
OPINIONS_MANAGE = [
    *OPINIONS_VIEW,
    "supervision.manage_opinionround",
    "supervision.manage_appraisal",
]
# 年度考核 (docs/decisions/0150–0152): the organization department opens the
# rounds, enters the scores and confirms the grades; the discipline commission
# and the unit HR contact (their own unit) read them.
ASSESSMENT_VIEW = ["assessment.view_assessmentround"]
ASSESSMENT_MANAGE = [*ASSESSMENT_VIEW, "assessment.manage_assessmentround"]

# 后备干部 (docs/decisions/0153): the organization department runs the rounds
# and keeps the list; committee members and the discipline commission read it.
RESERVES_VIEW = ["reserves.view_reserveround"]
RESERVES_MANAGE = [*RESERVES_VIEW, "reserves.manage_reserveround"]

# 诫勉谈话 and 察看期 (docs/decisions/0156): the organization department records
# the talk and the outcome; the discipline commission and the administrator read them.
OBSERVATION_VIEW = ["observation.view_observation"]
OBSERVATION_MANAGE = [
    *OBSERVATION_VIEW,
    "observation.add_observation",
    "observation.change_observation",
]

# 竞聘评分 (docs/decisions/0147): the case officer sets up the panels and
# sub-tests and enters the judges' scores; the supervision panel's sign-off is
# recorded by the case officer or by the discipline commission (who usually
# sits on the panel); those who read cases read the sheet.
COMPETITION_VIEW = ["competition.view_competition"]
COMPETITION_MANAGE = [*COMPETITION_VIEW, "competition.manage_competition"]
COMPETITION_SIGN_OFF = [*COMPETITION_VIEW, "competition.sign_off_competition"]

# 工作方案 (docs/decisions/0183): the organization department draws up the
# plans, records progress and reports; committee members and the discipline
# commission read them.
PLANS_VIEW = ["plans.view_workplan"]
PLANS_MANAGE = [*PLANS_VIEW, "plans.manage_workplan"]
# 轮岗交流 (docs/decisions/0175–0178): the organization department records the
# exchanges and keeps the units' rotation plans; committee members, the
# discipline commission, the administrator and the unit HR contact (their own
# unit, whose 股级 cadres it rotates) read the alerts, exchanges and plans.
ROTATION_VIEW = [
    "rotation.view_rotation_alerts",
    "rotation.view_exchangerecord",
    "rotation.view_rotationplan",
]
ROTATION_MANAGE = [
    *ROTATION_VIEW,
    "rotation.add_exchangerecord",
    "rotation.add_rotationplan",
    "rotation.change_rotationplan",
]
# 超职数消化 and 凡进必考 (docs/decisions/0179–0182): the organization department
# plans the digestion and keeps the entry records and the cleanup register; the
# discipline commission and the administrator read them.
WORKFORCE_VIEW = [
    "workforce.view_digestionplan",
    "workforce.view_entryrecord",
    "workforce.view_cleanupcase",
]
WORKFORCE_MANAGE = [
    *WORKFORCE_VIEW,
    "workforce.manage_digestionplan",
    "workforce.manage_entryrecord",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CASE_OFFICER: [
        *VIEW_RECORDS,
        *EDIT_RECORDS,
        "people.view_full_id_number",
        *CASES_RUN,
        *NOTICES_PUBLISH,
        *REPORTS_HANDLE,
        *BALLOTS_RUN,
        *BALLOTS_VOTE,
        *TEAM_SERVE,
        *LOOKBACK_RUN,
        *TARGETS_EDIT,
        *OPINIONS_MANAGE,
        *ASSESSMENT_MANAGE,
        *RESERVES_MANAGE,
        *OBSERVATION_MANAGE,
        *COMPETITION_MANAGE,
        *ROTATION_MANAGE,
        "competition.sign_off_competition",
        *PLANS_MANAGE,
        *WORKFORCE_MANAGE,
    ],
    Role.COMMITTEE_MEMBER: [
        *VIEW_RECORDS,
        *CASES_VIEW,
        *NOTICES_VIEW,
        *BALLOTS_VOTE,
        *RESERVES_VIEW,
        *COMPETITION_VIEW,
        *PLANS_VIEW,
        *ROTATION_VIEW,
    ],
    Role.DISCIPLINE_COMMISSION: [
        *VIEW_RECORDS,
        "people.view_full_id_number",
        *CASES_VIEW,
        *NOTICES_VIEW,
        *REPORTS_INVESTIGATE,
        "access.view_accessrecord",
        *INTEGRITY_ANSWER,
        *LOOKBACK_VIEW,
        *OPINIONS_VIEW,
        *ASSESSMENT_VIEW,
        *RESERVES_VIEW,
        *OBSERVATION_VIEW,
        *COMPETITION_SIGN_OFF,
        *PLANS_VIEW,
        *ROTATION_VIEW,
        *WORKFORCE_VIEW,
    ],
    Role.AUDIT_OFFICE: ["org.view_unit", "org.view_post", "people.view_cadre", *AUDIT_ANSWER],
    Role.INSPECTION_TEAM: [*VIEW_RECORDS, *TEAM_SERVE],
    Role.UNIT_HR: [
        *VIEW_RECORDS,
        "people.change_cadre",
        "people.add_cadre",
        *MOTIONS_PROPOSE,
        *ASSESSMENT_VIEW,
        *ROTATION_VIEW,
    ],
    Role.PARTICIPANT: [*BALLOTS_VOTE],
    Role.ADMINISTRATOR: [
        *VIEW_RECORDS,
        *EDIT_RECORDS,
        *CASES_RUN,
        *NOTICES_PUBLISH,
        "policy.change_promotionexception",
        "policy.change_rulepack",
        "people.view_full_id_number",
        "journal.view_event",
        "access.add_apitoken",
        "access.view_accessrecord",
        "workdays.manage_calendar",
        *BALLOTS_RUN,
        *TARGETS_EDIT,
        *OBSERVATION_VIEW,
        *COMPETITION_VIEW,
        *ROTATION_VIEW,
        *WORKFORCE_VIEW,
    ],
}


def roles_sync() -> None:
    """Create each role's group and give it exactly the permissions listed."""
    # post_migrate runs app by app; make sure every app's permissions exist.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for code in codes:
            app_label, codename = code.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


@after_full_migrate("xuanren.access")
def sync_roles_after_migrate() -> None:
    roles_sync()
