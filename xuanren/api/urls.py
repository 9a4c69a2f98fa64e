"""The JSON API under /api/v1/ (OpenAPI at openapi.json, docs at docs)."""

from ninja import NinjaAPI

from xuanren.api import (
    assessments,
    assignments,
    ballots,
    case_actions,
    cases,
    channel,
    competition,
    documents,
    jobs,
    lookback,
    lrmx,
    observations,
    opinions,
    org,
    people,
    plans,
    policy,
    postings,
    reserves,
    rotation,
    selection_stats,
    structure,
    structure_targets,
    workforce,
    xlsx,
)
from xuanren.api.auth import API_AUTH
from xuanren.api.errors import register_error_handlers

api = NinjaAPI(
    title="xuanren API",
    version="1",
    description="选任 — 单位、职位、职数、干部信息、任职资格与选任事项接口。浏览器使用登录会话（需 CSRF），"
    "其他系统使用 Authorization: Bearer 接口令牌。",
    urls_namespace="api",
    auth=API_AUTH,
)
register_error_handlers(api)
api.add_router("", org.router)
api.add_router("", people.router)
api.add_router("", policy.router)
api.add_router("", cases.router)
api.add_router("", case_actions.router)
api.add_router("", ballots.router)
api.add_router("", documents.router)
api.add_router("", lrmx.router)
api.add_router("", xlsx.router)
api.add_router("", jobs.router)
api.add_router("", assignments.router)
api.add_router("", structure.router)
api.add_router("", structure_targets.router)
api.add_router("", selection_stats.router)
api.add_router("", lookback.router)
api.add_router("", opinions.router)
api.add_router("", channel.router)
api.add_router("", assessments.router)
api.add_router("", reserves.router)
api.add_router("", observations.router)
api.add_router("", postings.router)
api.add_router("", competition.router)
api.add_router("", plans.router)
api.add_router("", rotation.router)
api.add_router("", workforce.router)
