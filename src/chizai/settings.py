"""Django settings for chizai, read from the environment only (see docs/deploy.md).

Two tiers share this one file:
- embedded (default): SQLite, local files and a generated secret key under CHIZAI_HOME;
- production (CHIZAI_PRODUCTION=1): PostgreSQL via CHIZAI_DATABASE_URL, S3-compatible
  storage via CHIZAI_STORAGE=s3, an explicit secret key, secure cookies and HSTS.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from chizai.conf.env import env_bool, env_int, env_list, env_path, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
CHIZAI_HOME = env_path("CHIZAI_HOME", "./var")
PRODUCTION = env_bool("CHIZAI_PRODUCTION", False)
DEBUG = env_bool("CHIZAI_DEBUG", False)


def _private_path(path: Path, mode: int, *, folder: bool) -> None:
    """Create ``path`` with ``mode`` from the start, and narrow it if it is wider (ours only).

    The embedded database and the stored files are as sensitive as their backups: no other
    account on the host may read them. SQLite creates its -wal and -shm files with the mode
    of the database file, so a database made 0600 here keeps its companions 0600 too.
    """
    if folder:
        path.mkdir(mode=mode, parents=True, exist_ok=True)
    elif not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, mode))
    stat = path.stat()
    if stat.st_uid == os.getuid() and stat.st_mode & 0o777 & ~mode:
        path.chmod(stat.st_mode & 0o777 & mode)


# Owner only; in production 0711 so the web server can still reach the static files
# (docs/deploy.md) without being able to list the folder.
_private_path(CHIZAI_HOME, 0o711 if PRODUCTION else 0o700, folder=True)


def _embedded_secret_key() -> str:
    """A per-installation key kept beside the embedded database, created on first use."""
    path = CHIZAI_HOME / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    CHIZAI_HOME.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


SECRET_KEY = env_secret("CHIZAI_SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "CHIZAI_SECRET_KEY (or CHIZAI_SECRET_KEY_FILE) must be set when CHIZAI_PRODUCTION=1. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    SECRET_KEY = _embedded_secret_key()
# Retired secret keys, whitespace-separated: sessions and audit checkpoints sealed under them stay valid.
SECRET_KEY_FALLBACKS = (env_secret("CHIZAI_SECRET_KEY_FALLBACKS") or "").split()

ALLOWED_HOSTS = env_list("CHIZAI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CHIZAI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the OpenAPI page's assets from the site itself: offline, and under the CSP
    "chizai.core",
    "chizai.register",
    "chizai.review",
    "chizai.disclosure",
    "chizai.deals",
    "chizai.advisers",
    "chizai.succession",
]

MIDDLEWARE = [
    "chizai.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "chizai.core.middleware.OnceOnlyFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chizai.core.middleware.SecurityHeadersMiddleware",
    "chizai.core.middleware.DatabaseUnavailableMiddleware",
    "chizai.core.middleware.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "chizai.urls"
WSGI_APPLICATION = "chizai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chizai.core.context.chizai_context",
            ],
            "builtins": ["chizai.core.templatetags.forms_once"],
        },
    }
]


def _database() -> dict:
    url = env_str("CHIZAI_DATABASE_URL")
    if url:
        import dj_database_url

        config = dj_database_url.parse(url, conn_max_age=env_int("CHIZAI_DB_CONN_MAX_AGE", 60))
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                "CHIZAI_DATABASE_URL must be a postgres:// URL (the embedded default is SQLite)."
            )
        from importlib.util import find_spec

        if find_spec("psycopg") is None:
            raise ImproperlyConfigured(
                "CHIZAI_DATABASE_URL=postgres://… needs the postgres extra (psycopg is not "
                "installed): pip install 'chizai[postgres]' (or '.[prod]' for a server)."
            )
        config.setdefault("OPTIONS", {})["connect_timeout"] = env_int("CHIZAI_DB_CONNECT_TIMEOUT", 5)
        return dict(config)  # a plain dict like the SQLite branch
    for name in ("chizai.sqlite3", "chizai.sqlite3-wal", "chizai.sqlite3-shm"):
        if name == "chizai.sqlite3" or (CHIZAI_HOME / name).exists():
            _private_path(CHIZAI_HOME / name, 0o600, folder=False)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": CHIZAI_HOME / "chizai.sqlite3",
        # IMMEDIATE takes the write lock at BEGIN, so a worker and the web server
        # wait for each other instead of failing with "database is locked" mid-transaction.
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (per user name and per client address).
CHIZAI_LOGIN_MAX_FAILURES = env_int("CHIZAI_LOGIN_MAX_FAILURES", 5)
CHIZAI_LOGIN_LOCKOUT_SECONDS = env_int("CHIZAI_LOGIN_LOCKOUT_SECONDS", 900)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("CHIZAI_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = CHIZAI_HOME / "static"
MEDIA_ROOT = CHIZAI_HOME / "files"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

# Stored files (ciphertext) and their folders, owner only, like the database.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
if MEDIA_ROOT.is_dir():
    _private_path(MEDIA_ROOT, 0o700, folder=True)

STORAGE_KIND = env_str("CHIZAI_STORAGE", "local")
# Both backends answer an outage with chizai.core.storage.StorageUnavailable (a 503 page).
if STORAGE_KIND == "s3":
    # imported here so the local tier neither loads nor needs boto3 (the s3 extra)
    from chizai.core.storage_s3 import s3_options_from_env

    _default_storage = {"BACKEND": "chizai.core.storage_s3.S3Storage", "OPTIONS": s3_options_from_env()}
elif STORAGE_KIND == "local":
    _default_storage = {"BACKEND": "chizai.core.storage.LocalStorage", "OPTIONS": {"location": MEDIA_ROOT}}
else:
    raise ImproperlyConfigured(f"CHIZAI_STORAGE must be 'local' or 's3', got {STORAGE_KIND!r}.")
# After a failed S3 call, answer at once for this long instead of waiting on the storage again;
# the processes of a host share that memory through a file in this folder.
CHIZAI_S3_COOLDOWN_SECONDS = env_int("CHIZAI_S3_COOLDOWN_SECONDS", 10)
CHIZAI_STORAGE_STATE_DIR = CHIZAI_HOME / "run"

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Background jobs: the Job table is the queue (chizai.core.jobs); `chizai worker` polls it this often
# when idle (on PostgreSQL a NOTIFY wakes it sooner).
CHIZAI_WORKER_POLL_SECONDS = float(env_str("CHIZAI_WORKER_POLL_SECONDS", "1"))
# A job whose worker stops sending heartbeats for this long is handed to another worker.
CHIZAI_JOB_LEASE_SECONDS = env_int("CHIZAI_JOB_LEASE_SECONDS", 300)
CHIZAI_JOB_MAX_ATTEMPTS = env_int("CHIZAI_JOB_MAX_ATTEMPTS", 4)

EMAIL_BACKEND = env_str("CHIZAI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("CHIZAI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CHIZAI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CHIZAI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_secret("CHIZAI_EMAIL_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("CHIZAI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("CHIZAI_FROM_EMAIL", "chizai@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "chizai.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("CHIZAI_SSL_REDIRECT", True)
    # load balancers and systemd probes ask over plain HTTP on the loopback
    SECURE_REDIRECT_EXEMPT = [r"^healthz(?:/|$)"]
    SECURE_HSTS_SECONDS = env_int("CHIZAI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CHIZAI_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("CHIZAI_HSTS_PRELOAD", True)
    if env_bool("CHIZAI_BEHIND_PROXY", True):
        # nginx terminates TLS and sets X-Forwarded-Proto (see docs/deploy.md).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CHIZAI_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
