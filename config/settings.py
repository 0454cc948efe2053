"""Settings for Chengguan: one module, driven by the environment.

Development defaults (SQLite, DEBUG on) let `make run` work on a bare machine; production
sets DJANGO_ENV=production, which turns DEBUG off and refuses to start without the
secrets and hosts it needs (see docs/operations.md).
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "django_tasks_db",
    "chengguan.core",
    "chengguan.org",
    "chengguan.accounts",
    "chengguan.cases",
    "chengguan.open311",
    "chengguan.intake",
    "chengguan.workforce",
    "chengguan.powers",
    "chengguan.penalties",
    "chengguan.kpi",
    "chengguan.portal",
    "chengguan.mobile",
    "chengguan.web",
    "chengguan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chengguan.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Searched before the apps, so our admin/base_site.html overrides Django's.
        "DIRS": [BASE_DIR / "chengguan" / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chengguan.web.context_processors.platform",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or any) via DATABASE_URL.
if PRODUCTION and not env("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in production")
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'chengguan.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60") or 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work while a writer commits; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue instead of failing half-way with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Tests on a file, not in memory: with an in-memory database the browser tests' live
    # server shares the test's one connection across threads, and a query from each at once
    # fails at random ("bad parameter or other API misuse"). pytest-xdist suffixes the name.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Authentication, passwords, lock-out, sessions.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chengguan.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "30") or 30))
# Lock the account, not the address: a whole district office often shares one NAT address,
# and locking it would stop everyone there (axes.W006 asks for address locking; see above).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SESSION_COOKIE_AGE = int(env("SESSION_IDLE_MINUTES", "30") or 30) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Security headers; production adds HTTPS-only cookies and HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Language and time: UI in simplified Chinese by default, English available; store UTC,
# show Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploaded photos: local disk by default; S3-compatible object storage (AWS S3, MinIO, OSS,
# COS …) when CHENGGUAN_S3_BUCKET is set (`uv sync --extra s3`; credentials from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). Files stay private: pages serve them through
# views that check who may see them.
S3_BUCKET = env("CHENGGUAN_S3_BUCKET", "")
DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("CHENGGUAN_S3_ENDPOINT_URL") or None,
            "region_name": env("CHENGGUAN_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# make run serves with waitress; in development WhiteNoise finds static files in the apps.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Platform settings.
PERSONAL_DATA_KEY = env("CHENGGUAN_PERSONAL_DATA_KEY")
if not PERSONAL_DATA_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("CHENGGUAN_PERSONAL_DATA_KEY must be set in production")
    PERSONAL_DATA_KEY = base64.b64encode(
        hashlib.sha256(b"chengguan-dev-personal-data:" + SECRET_KEY.encode()).digest()
    ).decode()

# Work-order exchange (docs/exchange.md): the partners listed in CHENGGUAN_EXCHANGE_PARTNERS
# take webhooks and get callbacks. Each has a shared HMAC secret (both directions) and a
# callback URL; an empty URL means callbacks are recorded but not sent. Production enables
# no partner unless told, and refuses to start with an enabled partner that has no secret;
# development enables both with fixed, public dev-only secrets.
EXCHANGE_PARTNERS = env_list("CHENGGUAN_EXCHANGE_PARTNERS", "" if PRODUCTION else "12345,110")
if unknown := set(EXCHANGE_PARTNERS) - {"12345", "110"}:
    raise ImproperlyConfigured(f"CHENGGUAN_EXCHANGE_PARTNERS: unknown partner {sorted(unknown)}")
EXCHANGE = {}
for _partner in ("12345", "110"):
    _secret = env(f"CHENGGUAN_EXCHANGE_{_partner}_SECRET", "")
    if not _secret and _partner in EXCHANGE_PARTNERS:
        if PRODUCTION:
            raise ImproperlyConfigured(
                f"CHENGGUAN_EXCHANGE_{_partner}_SECRET must be set in production "
                f"while {_partner} is in CHENGGUAN_EXCHANGE_PARTNERS"
            )
        _secret = f"dev-only-exchange-{_partner}-secret"  # development and tests only
    if PRODUCTION and _secret and len(_secret) < 32:
        raise ImproperlyConfigured(f"CHENGGUAN_EXCHANGE_{_partner}_SECRET: at least 32 characters")
    _callback_url = env(f"CHENGGUAN_EXCHANGE_{_partner}_CALLBACK_URL", "")
    if _callback_url and not _callback_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"CHENGGUAN_EXCHANGE_{_partner}_CALLBACK_URL must be http(s)")
    EXCHANGE[_partner] = {
        "enabled": _partner in EXCHANGE_PARTNERS,
        "secret": _secret,
        "callback_url": _callback_url,
    }

# The bank's payment confirmations (penalties): a shared HMAC secret, as for the exchange.
PAYMENT_SECRET = env("CHENGGUAN_PAYMENT_SECRET", "")
if PRODUCTION and PAYMENT_SECRET and len(PAYMENT_SECRET) < 32:
    raise ImproperlyConfigured("CHENGGUAN_PAYMENT_SECRET: at least 32 characters")
if not PAYMENT_SECRET and not PRODUCTION:
    PAYMENT_SECRET = "dev-only-payment-secret"  # development and tests only

# A cache shared by every worker (rate limits count across processes): Redis when
# CHENGGUAN_CACHE_URL is set (redis://host:6379/0), else per-process memory.
CACHE_URL = env("CHENGGUAN_CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

CHENGGUAN = {
    "CITY_CODE": env("CHENGGUAN_CITY_CODE", "4101"),
    # Grid planning: target size per grid (seed clause 二十七: 一千户三千人) and tolerance.
    "GRID_TARGET_HOUSEHOLDS": 1000,
    "GRID_TARGET_POPULATION": 3000,
    "GRID_TOLERANCE": float(env("CHENGGUAN_GRID_TOLERANCE", "0.3") or 0.3),
    # How often a process checks whether grids or the calendar changed elsewhere.
    "CACHE_CHECK_SECONDS": float(env("CHENGGUAN_CACHE_CHECK_SECONDS", "2") or 2),
    # Map tiles: empty means no base layer (intranets); e.g. an internal tile server URL.
    "MAP_TILE_URL": env("CHENGGUAN_MAP_TILE_URL", ""),
    "MAP_TILE_ATTRIBUTION": env("CHENGGUAN_MAP_TILE_ATTRIBUTION", ""),
    # Deadlines: warn at this share of the limit; escalate (督办, one level up) when a case
    # is overdue by this share of its limit.
    "DEADLINE_WARNING_SHARE": float(env("CHENGGUAN_DEADLINE_WARNING_SHARE", "0.8") or 0.8),
    "ESCALATE_OVERDUE_SHARE": float(env("CHENGGUAN_ESCALATE_OVERDUE_SHARE", "0.5") or 0.5),
    # Outward notices (SMS, WeCom …): a class with send(recipient, text); the default logs.
    "NOTIFY_BACKEND": env("CHENGGUAN_NOTIFY_BACKEND", "chengguan.core.notify.LoggingBackend"),
    # Photo uploads: the largest file accepted (bytes).
    "UPLOAD_MAX_BYTES": int(env("CHENGGUAN_UPLOAD_MAX_BYTES", "10000000") or 10_000_000),
    # Personal data: base64 of a 32-byte key for reporters' phone numbers (AES-GCM and the
    # blind index are derived from it). Production must set it; development derives one.
    "PERSONAL_DATA_KEY": PERSONAL_DATA_KEY,
    # Where citizens reach the public pages (links in text messages).
    "PUBLIC_BASE_URL": env("CHENGGUAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
    # Duplicates: a report this close in space and time to an open case of the same
    # category is offered to the operator as a duplicate.
    "DUPLICATE_RADIUS_M": float(env("CHENGGUAN_DUPLICATE_RADIUS_M", "50") or 50),
    "DUPLICATE_WINDOW_HOURS": float(env("CHENGGUAN_DUPLICATE_WINDOW_HOURS", "72") or 72),
    # Public POSTs (citizen reports, ratings): at most N per window per IP and per phone.
    "RATE_LIMIT_PER_IP": env("CHENGGUAN_RATE_LIMIT_PER_IP", "20/3600"),
    "RATE_LIMIT_PER_PHONE": env("CHENGGUAN_RATE_LIMIT_PER_PHONE", "5/3600"),
    # Addresses or networks of reverse proxies whose X-Forwarded-For is believed (rate limits).
    "TRUSTED_PROXIES": env_list("CHENGGUAN_TRUSTED_PROXIES"),
    # Workforce (seed clauses 十–十三): staffing per 10,000 residents, front-line share,
    # street postings before rotation, warning before a certificate expires.
    "STAFFING_FLOOR_PER_10K": float(env("CHENGGUAN_STAFFING_FLOOR_PER_10K", "3") or 3),
    "STAFFING_CEILING_PER_10K": float(env("CHENGGUAN_STAFFING_CEILING_PER_10K", "7") or 7),
    "FRONT_LINE_SHARE_MIN": float(env("CHENGGUAN_FRONT_LINE_SHARE_MIN", "0.8") or 0.8),
    "ROTATION_YEARS": float(env("CHENGGUAN_ROTATION_YEARS", "5") or 5),
    "CERTIFICATE_WARNING_DAYS": int(env("CHENGGUAN_CERTIFICATE_WARNING_DAYS", "90") or 90),
    # Penalties: where parties pay fines (罚缴分离: a designated bank's non-tax account).
    "PAYMENT_BANK_NAME": env("CHENGGUAN_PAYMENT_BANK_NAME", "中国工商银行郑州分行营业部"),
    "PAYMENT_BANK_ACCOUNT": env("CHENGGUAN_PAYMENT_BANK_ACCOUNT", "非税收入汇缴结算户（演示）"),
    # The bank's and e-payment system's confirmations are HMAC-signed with this secret
    # (docs/penalties.md); production without it refuses confirmations.
    "PAYMENT_SECRET": PAYMENT_SECRET,
    # Evaluation (docs/evaluation.md): grade bands ("A:90,B:75,C:60,D:40", below the last E)
    # and the weights of the satisfaction sources.
    "EVALUATION_GRADES": env("CHENGGUAN_EVALUATION_GRADES", "A:90,B:75,C:60,D:40"),
    "SATISFACTION_WEIGHTS": env(
        "CHENGGUAN_SATISFACTION_WEIGHTS", "ratings:50,survey:30,third_party:20"
    ),
    # Stored files whose SHA-256 the ledger holds, re-hashed by `manage.py ledger_verify`.
    "LEDGER_FILE_CHECKS": ["chengguan.penalties.selectors.ledgered_files_check"],
    # Consumers of committed events (`tick` relays the outbox to each, at least once).
    "OUTBOX_CONSUMERS": [
        "chengguan.cases.consumers.reporters_inform",
        "chengguan.intake.consumers.callbacks_enqueue",
    ],
    # Work-order exchange with the 12345 hotline platform and 110 (docs/exchange.md).
    "EXCHANGE": EXCHANGE,
    # What `manage.py tick` runs, in order; each is idempotent.
    "TICK_SWEEPS": [
        "chengguan.cases.sweeps.sweep",
        "chengguan.core.services.outbox_relay",
        "chengguan.intake.sweeps.callbacks_send",
        "chengguan.kpi.rollups.rollups_sweep",
        "chengguan.kpi.evaluation.evaluation_sweep",
    ],
}
