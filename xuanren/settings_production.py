"""Production settings: everything hardened, nothing generated.

Use: DJANGO_SETTINGS_MODULE=xuanren.settings_production, with SECRET_KEY,
DATABASE_URL and XUANREN_ALLOWED_HOSTS set in the environment (start-up
fails with a Chinese message naming the one missing). TLS ends at the
reverse proxy, which sets X-Forwarded-Proto.
"""

import os

from django.core.exceptions import ImproperlyConfigured

# ---- required environment (issue 10, item 11): refuse to start without it ----
# Without these the base settings would quietly fall back to a generated key,
# a local SQLite file and loopback hosts; in production that is a fault.
_REQUIRED_ENV = {
    "SECRET_KEY": "生产环境必须通过环境变量 SECRET_KEY 提供密钥（至少 50 个随机字符）。",
    "DATABASE_URL": (
        "生产环境必须通过环境变量 DATABASE_URL 指定数据库"
        "（如 postgres://用户@主机:5432/库名），不会默认使用本地 SQLite 文件。"
    ),
    "XUANREN_ALLOWED_HOSTS": (
        "生产环境必须通过环境变量 XUANREN_ALLOWED_HOSTS 列出本系统的域名（逗号分隔）。"
    ),
}
for _name, _message in _REQUIRED_ENV.items():
    if not os.environ.get(_name, "").strip():
        raise ImproperlyConfigured(_message)
# ---- end of required environment ----

if not (os.environ.get("XUANREN_JOURNAL_KEY") or os.environ.get("XUANREN_JOURNAL_KEY_FILE")):
    raise ImproperlyConfigured(
        "生产环境必须提供日志链密钥：设置环境变量 XUANREN_JOURNAL_KEY（密钥本身，至少 32 个字符），"
        "或 XUANREN_JOURNAL_KEY_FILE（存放密钥的文件路径，放在数据库之外）。"
    )

from xuanren.settings import *  # noqa: E402, F403

DEBUG = False
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 8 * 3600
LOGGING["root"]["level"] = os.environ.get("XUANREN_LOG_LEVEL", "INFO")  # type: ignore[index]  # noqa: F405
