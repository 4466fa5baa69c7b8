"""Kiln's one settings module.

Two kinds of deployment read the same file (docs/architecture.md, "Settings"):

* **embedded** (the default, no variables set): SQLite, a file-system Celery broker and cache
  that work across local processes, private local file storage, the Stripe stand-in.
* **production** (``KILN_ENV=production``): PostgreSQL, Redis, S3 and Stripe, each required;
  a missing variable stops start-up with its name.

Outside production each service is still picked up when its variable is set, which is how the
tests run against the machine's real PostgreSQL and Redis.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from marketplace.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_int,
    env_list,
    env_optional,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KILN_VAR_DIR", str(BASE_DIR / "var")))

KILN_ENV = env_str("KILN_ENV", "embedded")
if KILN_ENV not in {"embedded", "production"}:
    raise ImproperlyConfiguredEnv(f"KILN_ENV={KILN_ENV!r}; use 'embedded' or 'production'.")
PRODUCTION = KILN_ENV == "production"


def _required_in_production(name: str) -> str | None:
    return env_str(name) if PRODUCTION else env_optional(name)


# --- Core -----------------------------------------------------------------------------------
SECRET_KEY = (
    env_str("SECRET_KEY")
    if PRODUCTION
    # A fixed key is fine for the embedded default: it only ever serves loopback.
    else env_str("SECRET_KEY", "embedded-only-insecure-key-do-not-use-in-production-kiln-0001")
)
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfiguredEnv("Environment variable ALLOWED_HOSTS is required but not set.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "marketplace.accounts",
    "marketplace.gallery",
    "marketplace.recipes",
    "marketplace.commerce",
    "marketplace.api",
    "blueprints",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

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

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["marketplace.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "gallery:index"
LOGOUT_REDIRECT_URL = "gallery:index"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Database -------------------------------------------------------------------------------
def _database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfiguredEnv(
            f"DATABASE_URL scheme {parsed.scheme!r} is not supported; use postgres://."
        )
    options: dict[str, object] = {}
    query = parse_qs(parsed.query)
    if "sslmode" in query:
        options["sslmode"] = query["sslmode"][0]
    if env_bool("DATABASE_POOL", default=PRODUCTION):
        # Django's psycopg pool: persistent connections without a pool leaked under load.
        options["pool"] = {"min_size": 2, "max_size": env_int("DATABASE_POOL_MAX", 8, minimum=1)}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
        "TEST": {"NAME": env_optional("DATABASE_TEST_NAME") or None},
    }


DATABASE_URL = _required_in_production("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": _database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "kiln.sqlite3",
            # WAL lets the web process read while the worker writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
        }
    }
USES_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# --- Cache and broker -----------------------------------------------------------------------
REDIS_URL = _required_in_production("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
else:
    # File cache and file-system broker: shared by the web and worker processes of one machine.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
BROKER_FOLDER = VAR_DIR / "broker"

# --- Celery (the web side's app; the render worker configures its own in renderworker) -----
from marketplace.celery_config import celery_settings  # noqa: E402

CELERY = celery_settings(broker_url=CELERY_BROKER_URL, broker_folder=BROKER_FOLDER)


# --- Files ----------------------------------------------------------------------------------
S3_BUCKET = _required_in_production("S3_BUCKET")
MEDIA_ROOT = VAR_DIR / "media"
PUBLIC_MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The embedded default keeps its database, files and broker here; create it up front.
for _folder in (VAR_DIR, STATIC_ROOT):
    _folder.mkdir(parents=True, exist_ok=True)

if S3_BUCKET:
    _s3_options = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env_str("S3_ENDPOINT_URL") if PRODUCTION else env_optional("S3_ENDPOINT_URL"),
        "access_key": env_str("S3_ACCESS_KEY_ID"),
        "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
        "region_name": env_str("S3_REGION", "us-east-1"),
        "signature_version": "s3v4",
        "addressing_style": "path",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": env_int("DOWNLOAD_URL_TTL", 300, minimum=10),
        "file_overwrite": False,
    }
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3_options, "location": "private"}},
        "public": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3_options,
                "location": "public",
                "default_acl": "public-read",
                "querystring_auth": False,
                "custom_domain": env_optional("PUBLIC_MEDIA_DOMAIN"),
            },
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    STORAGES = {
        # Private: originals, model files, Blueprint files. No URL: served only through signed
        # download views.
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT / "private"), "base_url": None},
        },
        # Public derivatives (metadata-free WebP).
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT / "public"), "base_url": PUBLIC_MEDIA_URL},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
SERVE_PUBLIC_MEDIA = not S3_BUCKET

# --- Uploads --------------------------------------------------------------------------------
MAX_IMAGE_BYTES = env_int("MAX_IMAGE_BYTES", 25 * 1024 * 1024, minimum=1024)
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 50_000_000, minimum=64 * 64)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Commerce -------------------------------------------------------------------------------
PLATFORM_FEE_PERCENT = env_int("PLATFORM_FEE_PERCENT", 20, minimum=0)
DEFAULT_CURRENCY = "usd"
STRIPE_SECRET_KEY = _required_in_production("STRIPE_SECRET_KEY") or "sk_test_kiln_standin"
STRIPE_WEBHOOK_SECRET = _required_in_production("STRIPE_WEBHOOK_SECRET") or "whsec_kiln_standin_platform"
STRIPE_CONNECT_WEBHOOK_SECRET = (
    _required_in_production("STRIPE_CONNECT_WEBHOOK_SECRET") or "whsec_kiln_standin_connect"
)
# Where the official stripe library sends requests; unset means api.stripe.com.
STRIPE_API_BASE = None if PRODUCTION else env_str("STRIPE_API_BASE", "http://127.0.0.1:12111")

# --- Render worker --------------------------------------------------------------------------
RENDER_MODELS_DIR = Path(env_str("RENDER_MODELS_DIR", str(VAR_DIR / "models")))
# The precision profile jobs ask for; empty lets each worker pick (cuda-comfy on CUDA, else cpu-fp32).
RENDER_PROFILE = env_str("RENDER_PROFILE", "")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["marketplace.api.permissions.TokenScopePermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "marketplace.api.throttling.TokenRateThrottle",
        "marketplace.api.throttling.AddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE_TOKEN", "600/min"),
        "address": env_str("API_RATE_ADDRESS", "300/min"),
    },
    "EXCEPTION_HANDLER": "marketplace.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # How many proxies in front of Kiln append to X-Forwarded-For; 0 trusts only the socket
    # address, so clients cannot spoof their way around the per-address throttle.
    "NUM_PROXIES": env_int("TRUSTED_PROXY_COUNT", 0, minimum=0),
}
# Anonymous first pages of the gallery API may be served from memory for this long.
API_ANONYMOUS_CACHE_SECONDS = env_int("API_ANONYMOUS_CACHE_SECONDS", 5 if PRODUCTION else 0, minimum=0)

SPECTACULAR_SETTINGS = {
    "TITLE": "Kiln API",
    "DESCRIPTION": "Browse, sell and buy AI-art Recipes and verified ComfyUI Blueprints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the installed sidecar package: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Email ----------------------------------------------------------------------------------
_EMAIL_HOST = _required_in_production("EMAIL_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_optional("EMAIL_HOST_USER"),
                "password": env_optional("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            },
        }
        if _EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kiln <no-reply@kiln.invalid>")

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Container and load-balancer health checks speak plain HTTP to the process itself.
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
