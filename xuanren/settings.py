"""Settings for xuanren, read from the environment.

DATABASE_URL   default: SQLite file var/xuanren.sqlite3
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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "xuanren.journal",
    "xuanren.access",
    "xuanren.org",
    "xuanren.people",
    "xuanren.policy",
    "xuanren.workdays",
    "xuanren.procedure",
    "xuanren.supervision",
    "xuanren.ballots",
    "xuanren.documents",
    "xuanren.exchange",
    "xuanren.synth",
    "xuanren.web",
    "xuanren.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
    # WAL lets the demo server read while a seed or a test writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

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
