"""One settings module, driven by DANGBO_* environment variables (DESIGN.md: Stack)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("DANGBO_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """DANGBO_SECRET_KEY, or a key generated once and kept in var/secret_key."""
    if os.environ.get("DANGBO_SECRET_KEY"):
        return os.environ["DANGBO_SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DANGBO_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DANGBO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # Second factor (accounts.twofactor): django-otp's core and its TOTP device; the recovery
    # codes are dangbo's own device (accounts.models.RecoveryCodes), their hashes salted.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "ninja",
    "dangbo.core",
    "dangbo.reference",
    "dangbo.accounts",
    "dangbo.audit",
    "dangbo.jobs",
    "dangbo.orgs",
    "dangbo.members",
    "dangbo.candidates",
    "dangbo.discipline",
    "dangbo.meetings",
    "dangbo.dues",
    "dangbo.ratings",
    "dangbo.restructuring",
    "dangbo.imports",
    "dangbo.stats",
    "dangbo.exchange",
    "dangbo.demo",
    "dangbo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP, Permissions-Policy, Cache-Control: no-store on every answer but static files (core.headers)
    "dangbo.core.headers.SecurityHeadersMiddleware",
    "dangbo.audit.middleware.RequestLogMiddleware",  # makes the request id; one JSON line each
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangbo.jobs.middleware.SingleWriterMiddleware",  # SQLite: writes answered at once during a long one
    "dangbo.audit.middleware.AuditContextMiddleware",
    "dangbo.accounts.middleware.ScopeMiddleware",
    "dangbo.accounts.middleware.HashingBusyMiddleware",  # 503 when password hashing is saturated
    "dangbo.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor given
    "dangbo.accounts.middleware.SessionLifetimeMiddleware",
    "dangbo.accounts.middleware.SecondFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Lockout after repeated failed sign-ins (django-axes, accounts.lockout; docs/operators.md
# "Sign-in lockout"). Two counters, each over the last DANGBO_LOCKOUT_MINUTES:
#  - a user name from one address: DANGBO_LOCKOUT_FAILURES failures lock that pair only, so an
#    attacker elsewhere cannot lock `quantri` out of the office;
#  - one address across every user name (password spraying): DANGBO_LOCKOUT_ADDRESS_FAILURES,
#    generous because an office signs in from one address behind NAT.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("DANGBO_LOCKOUT_FAILURES", 5))
DANGBO_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("DANGBO_LOCKOUT_ADDRESS_FAILURES", 50))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DANGBO_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "dangbo.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "dangbo.accounts.lockout.lockout_response"
# models.W040: the covering indexes (INCLUDE) of members exist on PostgreSQL only; on SQLite
# Django builds them without the included columns, which is what we want (docs/architecture.md).
# security.W021 (`check --deploy`, SECURE_HSTS_PRELOAD): the browsers' HSTS preload list is for
# public domains submitted to it; an installation serves a closed intranet under a local name or
# address that cannot be listed, and a preload entry is hard to take back. HSTS itself is on with
# DANGBO_HTTPS=1.
SILENCED_SYSTEM_CHECKS = ["models.W040", "security.W021"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a TLS reverse proxy: DANGBO_TRUSTED_PROXY is its address; `dangbo serve` (waitress) then
# puts the client's address in REMOTE_ADDR and the scheme in wsgi.url_scheme, from that proxy's
# X-Forwarded-For/-Proto only (dangbo.server.waitress_options), so the audit trail and the lockout
# read REMOTE_ADDR. DANGBO_BEHIND_PROXY (deprecated: it believes X-Forwarded-For from anyone) is
# kept for installations not yet moved, and ignored once DANGBO_TRUSTED_PROXY is set.
DANGBO_TRUSTED_PROXY = os.environ.get("DANGBO_TRUSTED_PROXY", "").strip()
DANGBO_BEHIND_PROXY = _env_bool("DANGBO_BEHIND_PROXY") and not DANGBO_TRUSTED_PROXY
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if DANGBO_BEHIND_PROXY else ["REMOTE_ADDR"]
)

# Second factor (accounts.twofactor, docs/operators.md "Two-step verification"). Required of
# administrators, officers, leaders and secretaries when DANGBO_REQUIRE_2FA is on (the default;
# `dangbo demo` turns it off and says so); members may enrol. The code is asked after the password.
DANGBO_REQUIRE_2FA = _env_bool("DANGBO_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = os.environ.get("DANGBO_2FA_ISSUER", "dangbo")
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes, wait 2^(n-1) seconds before the next is checked
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# API keys: requests per minute per key, and per client address (programs of one office share it).
DANGBO_API_RATE_PER_MINUTE = int(os.environ.get("DANGBO_API_RATE_PER_MINUTE", 120))
DANGBO_API_ADDRESS_RATE_PER_MINUTE = int(os.environ.get("DANGBO_API_ADDRESS_RATE_PER_MINUTE", 600))
# The counters of the API's rate limit live in this process's memory (waitress serves with
# threads in one process); several processes would each count on their own.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dangbo"}}

ROOT_URLCONF = "dangbo.urls"
WSGI_APPLICATION = "dangbo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Form widgets rendered by Jinja2 (Django's own widget templates for it): the template engine
# rendered every <option> of a form's selects through an include, a fifth of the member search
# page's CPU (issue 24).
FORM_RENDERER = "django.forms.renderers.Jinja2"


def _database() -> dj_database_url.DBConfig:
    url = os.environ.get("DANGBO_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dangbo.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60 if url.startswith("postgres") else 0)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: PostgreSQL compiles a query whose estimated cost passes
        # jit_above_cost, and for a page's query that is most of its time (the province's
        # dashboard at 500,000 members: 608 ms of JIT in an 800 ms query). An operator's own
        # "options" in the URL come after, so they can turn it back on.
        given = config.get("OPTIONS", {}).get("options", "")
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "options": f"-c jit=off {given}".strip()}
        config["OPTIONS"].update(prepared_statements(os.environ.get("DANGBO_DB_PREPARE", "")))
        pool = postgres_pool(os.environ.get("DANGBO_DB_POOL_SIZE", ""))
        if pool:
            # Django's pool (psycopg_pool) hands each request a connection and takes it back:
            # persistent connections (CONN_MAX_AGE) are refused beside it.
            config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": pool}
            config["CONN_MAX_AGE"] = 0
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers work while one writer writes; IMMEDIATE takes the write
            # lock at BEGIN so concurrent writers wait (busy timeout) instead of failing. A
            # bulk load (the demo's one transaction) grows the WAL to the database's size: the
            # size limit gives that disk back once the WAL has been checkpointed. Reads go through
            # a memory map of the file's first GiB rather than a copy per page read: a province's
            # statistical forms, which read every member, took 15 % less time
            # (bench/results/statforms.md); the pages are the operating system's cache, shared.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA journal_size_limit=67108864; PRAGMA mmap_size=1073741824;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


def prepared_statements(threshold: str) -> dict:
    """Server-side binding, and each query prepared on its connection after ``threshold`` runs
    (DANGBO_DB_PREPARE, default 5; 0: neither, the parameters merged into the text as psycopg2
    did). A page's small queries (the signed-in user, their roles, one member) cost PostgreSQL
    more to parse and plan than to run: prepared, the member profile's share of the server fell
    from 12 to 4 ms (issue 24). PostgreSQL keeps planning a prepared query afresh while a plan for
    its parameters is cheaper than the generic one (plan_cache_mode auto)."""
    threshold = threshold.strip() or "5"
    try:
        runs = int(threshold)
    except ValueError:
        raise ImproperlyConfigured(
            f"DANGBO_DB_PREPARE phải là một số nguyên (0: tắt), không phải «{threshold}»."
        ) from None
    if runs < 0:
        raise ImproperlyConfigured(
            f"DANGBO_DB_PREPARE phải là một số nguyên không âm, không phải «{threshold}»."
        )
    if runs == 0:
        return {}
    return {"server_side_binding": True, "prepare_threshold": runs}


def postgres_pool(size: str) -> dict | None:
    """The connection pool of each server process on PostgreSQL, from DANGBO_DB_POOL_SIZE (its
    largest number of connections; empty or 0: no pool, one persistent connection per thread).
    Each process of `dangbo serve --workers` has its own pool: size × processes stays under
    PostgreSQL's max_connections (docs/operators.md, "Phục vụ nhiều tiến trình")."""
    size = size.strip()
    if not size:
        return None
    try:
        max_size = int(size)
    except ValueError:
        raise ImproperlyConfigured(
            f"DANGBO_DB_POOL_SIZE phải là một số nguyên, không phải {size!r}."
        ) from None
    if max_size < 0:
        raise ImproperlyConfigured("DANGBO_DB_POOL_SIZE không được âm.")
    if max_size == 0:
        return None
    # min_size: connections kept open while idle; timeout: seconds a request waits for one
    return {"min_size": min(2, max_size), "max_size": max_size, "timeout": 10}


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id with measured parameters; at most DANGBO_HASH_CONCURRENCY hashes at once per process
# (default: half the cores, at least one, so pages keep a core), a request waiting at most
# DANGBO_HASH_WAIT_SECONDS for a slot before a 503 (accounts.hashers, docs/operators.md).
PASSWORD_HASHERS = [
    "dangbo.accounts.hashers.BoundedArgon2PasswordHasher",
    "dangbo.accounts.hashers.BoundedPBKDF2PasswordHasher",
]
DANGBO_HASH_CONCURRENCY = int(os.environ.get("DANGBO_HASH_CONCURRENCY", 0)) or max(
    1, (os.cpu_count() or 2) // 2
)
DANGBO_HASH_WAIT_SECONDS = float(os.environ.get("DANGBO_HASH_WAIT_SECONDS", 3))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Vietnamese passwords that are guessed first (accounts/common_passwords_vi.txt), a maximum
    # length, and a hook that revokes the user's API keys whenever their password changes.
    {"NAME": "dangbo.accounts.passwords.VietnameseCommonPasswordValidator"},
    {"NAME": "dangbo.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "dangbo.accounts.passwords.RevokeApiKeysOnChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
# Sessions end after DANGBO_SESSION_IDLE_MINUTES without a request, and when the browser closes.
# A request renews the period only when it was last renewed a while ago (a tenth of it, at most
# 5 minutes: accounts.middleware.SessionLifetimeMiddleware), so a page view does not write the
# session: the period ends between that while and the full period after the last request.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("DANGBO_SESSION_IDLE_MINUTES", 60))
# ... and DANGBO_SESSION_MAX_HOURS after signing in, however active (accounts.middleware).
DANGBO_SESSION_MAX_HOURS = float(os.environ.get("DANGBO_SESSION_MAX_HOURS", 10))
SESSION_SAVE_EVERY_REQUEST = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Sessions in files, not in the one-writer database: renewing a session must not wait while
    # the worker applies a restructuring plan (jobs.middleware).
    SESSION_ENGINE = "django.contrib.sessions.backends.file"
    SESSION_FILE_PATH = str(VAR_DIR / "sessions")
    Path(SESSION_FILE_PATH).mkdir(parents=True, exist_ok=True)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if _env_bool("DANGBO_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    if not DANGBO_TRUSTED_PROXY:  # without it, any client's X-Forwarded-Proto (check dangbo.W002)
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from the apps; the folder need only exist
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Background jobs' result files (dangbo.jobs), kept for their owner until purged.
    "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "jobs"},
    },
    # Documents posted for a cell's meeting (dangbo.meetings), served only through the scoped view.
    "meetings": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "meetings"},
    },
    # Files uploaded for import (dangbo.imports), kept while their rows are staged, then deleted.
    "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "imports", "file_permissions_mode": 0o600},
    },
}
# Processes that count a full recount's runs on PostgreSQL (stats.tallies.parallel; docs/operators.md):
# unset, the machine's cores (at most 4); 1 counts in the asking process alone.
DANGBO_RECOUNT_WORKERS = (
    int(os.environ["DANGBO_RECOUNT_WORKERS"]) if os.environ.get("DANGBO_RECOUNT_WORKERS") else None
)
# Days a finished job and its file are kept (`dangbo jobs purge`, run daily from cron: docs/operators.md).
DANGBO_JOB_KEEP_DAYS = int(os.environ.get("DANGBO_JOB_KEEP_DAYS", "7"))
# The key of the audit trail's hash chain (dangbo.audit.chain, docs/operators.md): DANGBO_AUDIT_KEY,
# or a file generated once. Production keeps it off the database host and out of its backups.
DANGBO_AUDIT_KEY = os.environ.get("DANGBO_AUDIT_KEY", "")
DANGBO_AUDIT_KEY_FILE = Path(os.environ.get("DANGBO_AUDIT_KEY_FILE") or VAR_DIR / "audit_key")
# A serving process seals the rows its requests wrote every DANGBO_AUDIT_SEAL_SECONDS, in a thread
# of its own (dangbo.audit.sealer); requests never wait for the sealing lock.
DANGBO_AUDIT_SEAL_SECONDS = float(os.environ.get("DANGBO_AUDIT_SEAL_SECONDS", 2))
# Report packages between levels (dangbo.exchange, docs/exchange.md): this installation's signing key
# (a file created once, mode 0600), the largest package accepted, and the name put in its packages.
DANGBO_EXCHANGE_KEY_FILE = Path(
    os.environ.get("DANGBO_EXCHANGE_KEY_FILE") or VAR_DIR / "keys" / "exchange_ed25519"
)
DANGBO_EXCHANGE_MAX_MB = float(os.environ.get("DANGBO_EXCHANGE_MAX_MB", "10"))
DANGBO_INSTALLATION_NAME = os.environ.get("DANGBO_INSTALLATION_NAME", "")
# Uploads (dangbo.core.uploads): a request's body, a spreadsheet unpacked, rows of a sheet or CSV.
DANGBO_UPLOAD_MAX_MB = int(os.environ.get("DANGBO_UPLOAD_MAX_MB", "20"))
DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB = int(os.environ.get("DANGBO_UPLOAD_MAX_UNCOMPRESSED_MB", "50"))
DANGBO_UPLOAD_MAX_ROWS = int(os.environ.get("DANGBO_UPLOAD_MAX_ROWS", "50000"))
# Imports of registers (dangbo.imports.reading, issue 22): a province's member book is larger than a plan.
DANGBO_IMPORT_MAX_MB = int(os.environ.get("DANGBO_IMPORT_MAX_MB", "100"))
DANGBO_IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("DANGBO_IMPORT_MAX_UNCOMPRESSED_MB", "1500"))
DANGBO_IMPORT_MAX_ROWS = int(os.environ.get("DANGBO_IMPORT_MAX_ROWS", "300000"))
FILE_UPLOAD_HANDLERS = [
    "dangbo.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Above this many rows a list of people is exported only with a stated purpose, as a background
# job, audited with its row count and purpose (members.exports; docs/security.md).
DANGBO_EXPORT_PURPOSE_ROWS = int(os.environ.get("DANGBO_EXPORT_PURPOSE_ROWS", "5000"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# One JSON object per line on the console (dangbo.core.logs, docs/operators.md "Logs"):
# a line per request (dangbo.requests) and per background job (dangbo.jobs) at INFO, whatever
# DANGBO_LOG_LEVEL says for the rest; DANGBO_LOG_FORMAT=text for plain lines when reading by eye.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dangbo.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if os.environ.get("DANGBO_LOG_FORMAT") == "text" else "json",
        }
    },
    "loggers": {
        "dangbo.requests": {"level": os.environ.get("DANGBO_REQUEST_LOG_LEVEL", "INFO")},
        "dangbo.jobs": {"level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DANGBO_LOG_LEVEL", "WARNING")},
}
