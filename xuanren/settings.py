"""Settings for xuanren, read from the environment.

DATABASE_URL   default: SQLite file var/xuanren.sqlite3
XUANREN_PG_OPTIONS  PostgreSQL session settings (default: -c random_page_cost=1.1)
SECRET_KEY     default (local use only): generated once into var/secret_key
XUANREN_DEBUG  "1" turns on debug pages (local development only)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XUANREN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """A key generated once per checkout, so local sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = os.environ.get("XUANREN_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("XUANREN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    # runserver (the demo) leaves static files to WhiteNoise, behind the same
    # security middleware as in production (nosniff on every file).
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "xuanren.common",
    "xuanren.journal",
    "xuanren.access",
    "xuanren.org",
    "xuanren.people",
    "xuanren.policy",
    "xuanren.workdays",
    "xuanren.procedure",
    "xuanren.supervision",
    "xuanren.assessment",
    "xuanren.reserves",
    "xuanren.observation",
    "xuanren.plans",
    "xuanren.rotation",
    "xuanren.workforce",
    "xuanren.reminders",
    "xuanren.statistics",
    "xuanren.ballots",
    "xuanren.competition",
    "xuanren.documents",
    "xuanren.exchange",
    "xuanren.synth",
    "xuanren.web",
    "xuanren.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "xuanren.common.headers.SecurityHeadersMiddleware",
    # Refuses an oversized body from its Content-Length before anything
    # (CSRF, sessions) reads it; after the headers, so a 413 carries them.
    "xuanren.common.uploads.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xuanren.common.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "xuanren.urls"
WSGI_APPLICATION = "xuanren.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'xuanren.sqlite3'}",
        conn_max_age=int(os.environ.get("XUANREN_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the demo server read while a seed or a test writes;
    # secure_delete overwrites deleted rows, so opened ballot boxes do not
    # linger in free pages (docs/decisions/0048).
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The planner's cost of a random page read, for data in memory or on SSD
    # (PostgreSQL's default 4 is for spinning disks): with it, short index
    # probes beat hashing a whole table (docs/decisions/0193).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", os.environ.get("XUANREN_PG_OPTIONS", "-c random_page_cost=1.1")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "xuanren" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Locally (demo, tests) WhiteNoise serves straight from the apps' static
# folders; production runs collectstatic and turns this off.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XUANREN_LOG_LEVEL", "WARNING")},
}

# ---- web headers: CSP, caching, permissions (issue 10) ----
# A strict Content-Security-Policy (django-csp 4): scripts and styles only from
# our own static files, no inline code at all (templates carry none; htmx is
# told not to inject its indicator <style> and never to eval), nothing framed,
# forms post only to us. Docs: docs/security.md, decision 0044.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Every response the application makes is `Cache-Control: no-store, private`
# (xuanren.common.headers); static files keep WhiteNoise's caching.
# Features no page uses, refused to every origin ("" turns the header off).
XUANREN_PERMISSIONS_POLICY = os.environ.get(
    "XUANREN_PERMISSIONS_POLICY",
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()",
)

# ---- uploads (issue 10) ----
# Limits on every upload (docs/security.md, docs/decisions/0033-0036).
# Each refusal names the limit and its setting; the values come from the
# environment, in bytes, rows, columns, files.
_UPLOAD_MB = 1024 * 1024


def _upload_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# The whole request body, from Content-Length, before anything reads it.
XUANREN_UPLOAD_MAX_BYTES = _upload_int("XUANREN_UPLOAD_MAX_BYTES", 120 * _UPLOAD_MB)
# Non-file form fields held in memory; uploaded files over this go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = _upload_int("XUANREN_DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * _UPLOAD_MB)
FILE_UPLOAD_MAX_MEMORY_SIZE = _upload_int("XUANREN_FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * _UPLOAD_MB)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# XLSX import.
XUANREN_XLSX_MAX_UPLOAD_BYTES = _upload_int("XUANREN_XLSX_MAX_UPLOAD_BYTES", 20 * _UPLOAD_MB)
XUANREN_XLSX_MAX_ROWS = _upload_int("XUANREN_XLSX_MAX_ROWS", 200_000)
XUANREN_XLSX_MAX_COLUMNS = _upload_int("XUANREN_XLSX_MAX_COLUMNS", 100)
XUANREN_XLSX_MAX_SHARED_STRINGS = _upload_int("XUANREN_XLSX_MAX_SHARED_STRINGS", 2_000_000)
XUANREN_XLSX_MAX_UNCOMPRESSED_BYTES = _upload_int(
    "XUANREN_XLSX_MAX_UNCOMPRESSED_BYTES", 250 * _UPLOAD_MB
)
# ZIP archives (LRMX batches; XLSX is a ZIP too).
XUANREN_ZIP_MAX_MEMBERS = _upload_int("XUANREN_ZIP_MAX_MEMBERS", 2000)
XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES = _upload_int(
    "XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES", 500 * _UPLOAD_MB
)
XUANREN_ZIP_MAX_RATIO = _upload_int("XUANREN_ZIP_MAX_RATIO", 100)
# LRMX import: one .lrmx file, and the upload (a file or a ZIP of files).
XUANREN_LRMX_MAX_FILE_BYTES = _upload_int("XUANREN_LRMX_MAX_FILE_BYTES", 5 * _UPLOAD_MB)
XUANREN_LRMX_MAX_UPLOAD_BYTES = _upload_int("XUANREN_LRMX_MAX_UPLOAD_BYTES", 100 * _UPLOAD_MB)
# What an LRMX import batch may keep for confirming (compressed), and for how long.
XUANREN_IMPORT_MAX_STORED_BYTES = _upload_int("XUANREN_IMPORT_MAX_STORED_BYTES", 50 * _UPLOAD_MB)
XUANREN_IMPORT_RETENTION_DAYS = _upload_int("XUANREN_IMPORT_RETENTION_DAYS", 7)
# Background work (docs/decisions/0099, 0100): a workbook with more data rows
# than this is imported by `xuanren worker`, with a progress page; smaller ones
# in the request. A running job whose worker has not reported for this many
# seconds is shown as interrupted and may be retried.
XUANREN_XLSX_BACKGROUND_ROWS = _upload_int("XUANREN_XLSX_BACKGROUND_ROWS", 2000)
XUANREN_JOB_STALE_SECONDS = _upload_int("XUANREN_JOB_STALE_SECONDS", 600)
# The same for the other long jobs (docs/decisions/0104): an LRMX upload (or
# confirm) of more files than this, a case's ZIP of more approval forms, an
# XLSX export of more rows.
XUANREN_LRMX_BACKGROUND_FILES = _upload_int("XUANREN_LRMX_BACKGROUND_FILES", 50)
XUANREN_FORMS_BACKGROUND_COUNT = _upload_int("XUANREN_FORMS_BACKGROUND_COUNT", 10)
XUANREN_EXPORT_BACKGROUND_ROWS = _upload_int("XUANREN_EXPORT_BACKGROUND_ROWS", 5000)
# 智能选人 (decision 0112): when a screening considers more candidates than
# this, the exclusion counts (one aggregate, about 16 µs a candidate: 16 s for
# a million) run as a background job the user starts; a finished count is shown
# for XUANREN_SCREENING_COUNTS_MAX_AGE seconds, then counted again on request.
XUANREN_SCREENING_BACKGROUND_CANDIDATES = _upload_int(
    "XUANREN_SCREENING_BACKGROUND_CANDIDATES", 50_000
)
XUANREN_SCREENING_COUNTS_MAX_AGE = _upload_int("XUANREN_SCREENING_COUNTS_MAX_AGE", 3600)
# Django's Tasks API (the django-tasks backport) on the database backend:
# tasks are rows; `xuanren worker` claims them (FOR UPDATE SKIP LOCKED on PostgreSQL).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# ---- retention (issue 13, decision 0096): what `xuanren cleanup` deletes ----
# Import batches: XUANREN_IMPORT_RETENTION_DAYS above. Sessions: once expired
# (their age is SESSION_COOKIE_AGE). Login records (axes' login and failed
# login logs): after XUANREN_LOGIN_LOG_RETENTION_DAYS, never under 180 (network
# logs are kept at least six months). The journal and the access record
# (查阅记录) are audit records and are never deleted.
XUANREN_LOGIN_LOG_RETENTION_DAYS = _upload_int("XUANREN_LOGIN_LOG_RETENTION_DAYS", 365)
# Rule pack (TOML) uploads in the admin.
XUANREN_RULEPACK_MAX_BYTES = _upload_int("XUANREN_RULEPACK_MAX_BYTES", 1 * _UPLOAD_MB)

# ---- accounts, login protection and the access record (issue 10) ----
# docs/decisions/0040-0043. Login goes through django-axes (lockout per
# account and per address), an optional TOTP second factor (django-otp), and
# the access record of who viewed sensitive personal data.
# Before the xuanren apps, so that xuanren.access.admin can replace their admin pages.
_AT = INSTALLED_APPS.index("ninja") + 1
INSTALLED_APPS[_AT:_AT] = ["axes", "django_otp", "django_otp.plugins.otp_totp"]
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt from a locked address, then while the account is locked out.
    "xuanren.access.throttle.AddressLockoutBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE = [
    *MIDDLEWARE,
    "django_otp.middleware.OTPMiddleware",
    "xuanren.access.middleware.AccessContextMiddleware",
    "xuanren.access.middleware.SecondFactorMiddleware",
    # Last, as axes asks: turns a lockout into the Chinese lockout page (429).
    "axes.middleware.AxesMiddleware",
]
#: Failed logins before a lockout, and how long it lasts (minutes).
AXES_FAILURE_LIMIT = int(os.environ.get("XUANREN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("XUANREN_LOGIN_LOCKOUT_MINUTES", "30")) / 60
# Locked out per account (whatever the address) by axes, and per address
# (whatever the accounts tried) by its own higher count of axes' failure log
# (xuanren/access/throttle.py): a guesser can neither hammer one account nor
# sweep many, and a few typos behind one shared gateway lock nobody else out.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# axes.W006 warns when no lockout is keyed on the address, lest rotating
# user agents or cookies escape it: ours is keyed on the account, and the
# address has its own limit in access/throttle.py (tests/access/test_lockout.py).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
XUANREN_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("XUANREN_LOGIN_ADDRESS_FAILURE_LIMIT", "20")
)
# Not reset by a success: a guesser with one valid account cannot clear the
# address counter by logging in between guesses; failures expire after the lockout time.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "xuanren.access.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "xuanren.access.context.axes_client_address"
AXES_ENABLE_ADMIN = False  # our own read-only admin with a journalled unlock action
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "token", "code"]
#: Roles that must use the TOTP second factor (comma-separated role names,
#: e.g. "case_officer,administrator" in production); empty: optional for all.
XUANREN_REQUIRE_2FA_ROLES = [
    r.strip() for r in os.environ.get("XUANREN_REQUIRE_2FA_ROLES", "").split(",") if r.strip()
]
OTP_TOTP_ISSUER = os.environ.get("XUANREN_OTP_ISSUER", "选任 xuanren")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# ---- journal as evidence (issue 10) ----
# The chain's HMAC key lives outside the database: XUANREN_JOURNAL_KEY (the key
# itself) or XUANREN_JOURNAL_KEY_FILE (a file holding it). Without either, a
# key is generated once into var/journal_key (local, demo and tests only; the
# production settings refuse to start without one). Each committed head is
# appended to the anchor file XUANREN_JOURNAL_ANCHOR (decision 0038).
JOURNAL_KEY_MIN_LENGTH = 32


def _journal_key() -> bytes:
    from django.core.exceptions import ImproperlyConfigured

    given = os.environ.get("XUANREN_JOURNAL_KEY", "")
    key_file = os.environ.get("XUANREN_JOURNAL_KEY_FILE", "")
    if not given and key_file:
        try:
            given = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"无法读取日志链密钥文件 XUANREN_JOURNAL_KEY_FILE={key_file}：{exc}。"
                "请检查路径和权限。"
            ) from exc
    if given:
        if len(given) < JOURNAL_KEY_MIN_LENGTH:
            raise ImproperlyConfigured(
                f"日志链密钥太短（{len(given)} 个字符），至少需要 {JOURNAL_KEY_MIN_LENGTH} 个字符。"
                "可用 `python -c 'import secrets; print(secrets.token_urlsafe(48))'` 生成。"
            )
        return given.encode("utf-8")
    path = VAR_DIR / "journal_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


JOURNAL_KEY = _journal_key()
JOURNAL_ANCHOR: Path | None = Path(
    os.environ.get("XUANREN_JOURNAL_ANCHOR") or VAR_DIR / "journal.anchor"
)

# 一报告两评议 (docs/decisions/0132): a newly promoted cadre whose 不认同 votes
# are more than this share of the participants is flagged for a look at the
# appointment. Neither the seed nor DOMAIN.md gives the figure; one third is
# the usual practice. (numerator, denominator), compared in integers.
XUANREN_APPRAISAL_DISAGREE_FLAG = (1, 3)

# 年度考核 (docs/decisions/0150–0151): the defaults a new round copies; each
# round keeps its own figures as data. No document of the county gives them.
# Weights are whole percentages, each set summing to 100.
XUANREN_ASSESSMENT_GROUP_WEIGHTS = {"superior": 40, "peer": 30, "public": 30}
XUANREN_ASSESSMENT_DIMENSION_WEIGHTS = {
    "virtue": 20,
    "ability": 20,
    "diligence": 15,
    "achievement": 30,
    "integrity": 15,
}
# Score lines (out of 100): a composite on a line takes the higher grade.
XUANREN_ASSESSMENT_BANDS = {"excellent": 90, "competent": 75, "basically_competent": 60}
# 优秀 may be confirmed for at most this percentage of the cadres assessed in a
# round, rounded down (7 assessed at 15% → 1). Decision 0151.
XUANREN_ASSESSMENT_EXCELLENT_SHARE = 15
# 后备干部 (docs/decisions/0154): the list is reviewed (调整充实) this many
# months after it was fixed or last reviewed. The district's practice is
# "每隔二年" (DOMAIN §3); no document fixes it for every department.
XUANREN_RESERVE_REVIEW_MONTHS = 24
# 竞聘评分 (docs/decisions/0148): with at least this many judges scoring a
# candidate in a sub-test, the highest and the lowest score are dropped before
# the mean ("去掉一个最高分、一个最低分"). No document the department works
# from gives the number; five is the usual practice (three scores remain).
# Copied into each competition when it is set up, so a later change of the
# setting never moves a running or signed sheet.
XUANREN_COMPETITION_TRIM_MIN_JUDGES = 5
# 工作方案 (docs/decisions/0185): a task or a report due appears in 待办 this
# many days before its deadline, and stays there, overdue, until it is done.
XUANREN_PLAN_REMINDER_DAYS = 7
