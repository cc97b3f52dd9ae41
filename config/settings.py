"""Participe settings: one module, driven by environment variables (see .env.example)."""

import re
import sys
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("TESTING", default="pytest" in sys.modules or "pytest" in sys.argv[0])
SECRET_KEY = env("SECRET_KEY", default="dev-insecure-participe-key" if DEBUG else None)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django.contrib.sites",
    "django.contrib.humanize",
    # third party
    "allauth",
    "allauth.account",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "channels",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    # ours
    "serving",  # the request machinery (ASGI handler, database backend, cache, rate limits, DRF plumbing)
    "core",
    "accounts",
    "mapvotes",
    "volunteering",
    "ideas",
    "pages",
    "strategy",
    "budget",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what every middleware below wrote (it must see the final body); see its docstring about BREACH.
    "serving.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "serving.middleware.LazyMessageMiddleware",  # Django's MessageMiddleware, storage built on first use
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "serving.middleware.JunkInputMiddleware",  # NUL or undecodable query/form values: a 400, not a 500
    "serving.middleware.DatabaseUnavailableMiddleware",
    "serving.middleware.ContentSecurityPolicyMiddleware",
    "accounts.middleware.LoginGuardMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default="postgis://postgres@127.0.0.1:5432/participe",
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DATABASES["default"]["ENGINE"] = "serving.db_backend"  # PostGIS, see serving/db_backend/base.py
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# Under ASGI every in-flight request runs its sync code on its own thread with its own connection: 200 users opened
# ~200 connections and got 503s at max_connections (bench/load_test.py). A psycopg pool per worker caps them
# (DB_POOL_MAX per process; requests wait up to DB_POOL_TIMEOUT s for one, then get a clean 503 — short, so that a
# database outage answers 503 at once instead of holding every request). Off in tests (one connection each).
# Requests served at once by one ASGI process (serving/asgi.py: that many reused threads; more wait on the event loop).
HTTP_THREADS = env.int("HTTP_THREADS", default=16)
# SERVING_DJANGO_HANDLER=true serves HTTP with Django's own ASGIHandler instead of serving/asgi.py's: the same answers,
# slower, HTTP_THREADS unused; the way out should an asgiref upgrade break what serving/asgi.py takes from asgiref's
# internals (serving/asgiref_contract.py, tested by tests/core/test_asgiref_contract.py).
SERVING_DJANGO_HANDLER = env.bool("SERVING_DJANGO_HANDLER", default=False)
# A connection for each request thread, and a few for the background threads (serving/coalesce.py, the live-vote
# publisher) and Channels, so that no request thread waits for one.
DB_POOL_MAX = env.int("DB_POOL_MAX", default=0 if TESTING else HTTP_THREADS + 4)
if DB_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        "timeout": env.float("DB_POOL_TIMEOUT", default=10),
    }
# Health checks: with persistent connections, Django checks one before reusing it in a new request. With the pool,
# the same setting makes psycopg check every connection it hands out — one more round trip on every request (5 % of a
# vote's CPU, bench/mapvotes_bench.py) — so it is off there: after a database restart each stale pooled connection
# fails once, with a clean 503 (serving.middleware.DatabaseUnavailableMiddleware), and is replaced (tests/ops/test_faults).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DB_POOL_MAX <= 0
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
# JIT compilation costs seconds on short OLTP queries (measured on the matching queries) and never pays back here.
DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Statements run 5 times on a connection through a server-binding cursor (serving/db.py) are prepared; Django's own
# cursors bind on the client and are never prepared. Django leaves psycopg's threshold off (None) unless set here.
DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Optional PostgreSQL read replica for read-only API requests (config/db_router.py, docs/operations.md).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db("DATABASE_REPLICA_URL", engine="django.contrib.gis.db.backends.postgis"),
        "ENGINE": "serving.db_backend",
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.db_router.ReadReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("serving.middleware.DatabaseUnavailableMiddleware") + 1,
        "config.db_router.ReplicaReadsMiddleware",
    )

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    from redis.exceptions import ConnectionError as RedisConnectionError

    # Pub/sub layer: one subscription connection per worker for all its groups. The list-based core layer read each
    # consumer's channel with its own blocking pop: with 500 map clients, some reads timed out after a burst of votes
    # and 500 disconnections at once exhausted its connection pool (bench/mapvotes_bench.py fan-out). CHANNEL_LAYER=core
    # brings it back.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer"
            if env("CHANNEL_LAYER", default="pubsub") == "core"
            else "channels_redis.pubsub.RedisPubSubChannelLayer",
            # One immediate retry on a connection error: after a Redis restart the first command on each pooled
            # connection fails (the socket is dead), and the first live update or WebSocket of each worker was lost.
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "retry_on_error": [RedisConnectionError],
                        "socket_connect_timeout": 1,
                    }
                ]
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "serving.cache.RedisCache",  # django-redis, one client per process
            "LOCATION": REDIS_URL,
            # A cache outage must degrade, not fail requests.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # a Redis outage is logged, requests go on
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginGuardBackend",  # admits every password check first (accounts/login_guard.py)
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: e-mail is the login; verification is required before participating.
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupWithTermsForm"}
ACCOUNT_LOGOUT_ON_GET = False
# allauth's own limits, except the failed log-ins, which accounts.login_guard counts (per account, address and pair,
# with growing delays instead of allauth's per-key lock). They live in the cache, which falls back to per-process
# memory when Redis is unreachable (serving/cache.py), so they never refuse everyone.
ACCOUNT_RATE_LIMITS = False if TESTING else {"login_failed": None, "signup": "20/m/ip"}
# Password guessing (accounts/login_guard.py): per scope, attempts allowed in `window` seconds, then a delay between
# attempts of base × 2^n seconds up to `cap`. Off in tests; a test that checks it sets its own.
LOGIN_GUARD = (
    {}
    if TESTING
    else {
        "pair": {"free": 5, "base": 30, "cap": 15 * 60, "window": 3600},
        "account": {"free": 10, "base": 60, "cap": 15 * 60, "window": 3600},
        "address": {"free": 50, "base": 60, "cap": 15 * 60, "window": 3600},
    }
)

LANGUAGE_CODE = env("LANGUAGE_CODE", default="fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
# One date style ("5 déc. 2026"); not under locale/, whose name would shadow Python's own locale module.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads live outside the static path; private files (CVs) are served by permission-checking views.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
# Every e-mail goes through the task queue; the task sends it with the backend of EMAIL_URL.
EMAIL_BACKEND = "core.mail.TaskEmailBackend"
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
for _key in (
    "EMAIL_FILE_PATH",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
):
    if _key in EMAIL_CONFIG:
        globals()[_key] = EMAIL_CONFIG[_key]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Participe <ne-pas-repondre@participe.paris.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the contact page sends messages; unset: to every active member of the mission team (pages/services.py).
CONTACT_EMAIL = env("CONTACT_EMAIL", default="")

TASKS = {
    "default": {
        "BACKEND": env(
            "TASKS_BACKEND",
            default="django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an anonymous API call gets 401 with WWW-Authenticate.
        "serving.authentication.TokenAuthentication",  # DRF's, with a leaner query
        "serving.authentication.SessionAuthentication",  # DRF's, refusing a missing CSRF token in French
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # serving.parsers.JSONParser: DRF's, refusing too-deep nesting, NUL and lone surrogates with a 400 (never a 500).
    "DEFAULT_PARSER_CLASSES": [
        "serving.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "serving.rest.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "serving.rest.exception_handler",
    "DEFAULT_METADATA_CLASS": "serving.metadata.DescriptionOnlyMetadata",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "serving.negotiation.ContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Global limits: per IP for anonymous clients ("anon"), per account otherwise ("user"), off in tests ("");
    # THROTTLE_ANON / THROTTLE_USER override them. Views that vote, propose... add `throttle_scope = "<action>"`,
    # limited with the rates of THROTTLE_ACTIONS below; serving.throttling.RequestThrottle counts both in one round trip.
    "DEFAULT_THROTTLE_CLASSES": ["serving.throttling.RequestThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        scope: "" if TESTING else env(f"THROTTLE_{scope.upper()}", default=rate)
        for scope, rate in {"anon": "120/min", "user": "600/min"}.items()
    },
}
# Why an account may not do what it asked, in a sentence (serving.rest.require_perm: its 403 says it).
SERVING_REFUSAL_REASON = "accounts.rules.refusal_reason"
# Behind N reverse proxies of our own, the client address is the N-th from the right of X-Forwarded-For; unset or 0,
# the connection's address, whatever the headers say (serving/clientip.py decides it for every use).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# Rate limits per action (serving/throttling.py), shared by the API and the pages: (per account, per IP address).
# "N/period" (s, min, h, d; "5/10min"), several windows separated by commas, "" = none. THROTTLE_<ACTION> sets the
# per-account rate, THROTTLE_<ACTION>_IP the per-IP one. Per account is the real unit (verified accounts); per IP
# stays loose because a library, a school or a mobile operator puts many residents behind one address. The
# benchmarks raise THROTTLE_VOTE (bench/benchdb.py): 300 votes/s from 100 accounts is 180 a minute per account.
# Sign-up and log-in have no account yet: per IP here (API), plus allauth's ACCOUNT_RATE_LIMITS and the log-in guard.
# Off in tests: a test that checks a limit sets its own rates.
THROTTLE_ACTIONS = {
    action: {
        "account": "" if TESTING else env(f"THROTTLE_{action.upper()}", default=account),
        "ip": "" if TESTING else env(f"THROTTLE_{action.upper()}_IP", default=ip),
    }
    for action, (account, ip) in {
        "vote": ("60/min,600/h", "1200/min"),
        "propose": ("10/min,60/h", "120/h"),
        "comment": ("10/min,120/h", "60/min"),
        "apply": ("10/min,60/h", "120/h"),
        "message": ("30/min,300/h", "120/min"),
        "signup": ("", "20/min,100/h"),
        "login": ("", "30/min"),
    }.items()
}
# A mistyped rate must stop the start, not answer 500s later.
for _what, _rate in [
    *(
        (f"{key} rate for {action!r}", rate)
        for action, rates in THROTTLE_ACTIONS.items()
        for key, rate in rates.items()
    ),
    *((f"global {scope!r} rate", rate) for scope, rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items()),
]:
    if _rate and not all(
        re.fullmatch(r"\s*\d+\s*/\s*\d*\s*(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)\s*", r, re.I)
        for r in _rate.split(",")
    ):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"Invalid {_what}: {_rate!r} (expected e.g. 60/min,600/h)")
# Addresses without a per-IP limit (per-account limits still apply): the machine itself — benchmarks, probes, or a
# local proxy that does not pass the client address, behind which every resident would share one allowance.
THROTTLE_EXEMPT_IPS = env.list("THROTTLE_EXEMPT_IPS", default=["127.0.0.1", "::1"])
# A contribution's support figure (votes for, supporters, applications) reaches the strategy inbox within this many
# seconds, copied in batches by a background thread of each process (core/contributions.py); 0: at once, by the
# request that changed it (tests, where nothing must happen later).
CONTRIBUTION_SUPPORT_DELAY = env.float("CONTRIBUTION_SUPPORT_DELAY", default=0 if TESTING else 0.5)

SPECTACULAR_SETTINGS = {
    "TITLE": "Participe API",
    "DESCRIPTION": "Public API of Participe, the City of Paris civic participation platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or "kind"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "accounts.models.Organization.Kind",
        "IdeaStatusEnum": "ideas.models.Idea.Status",
        "ConnectionStatusEnum": "ideas.models.Connection.Status",
        "ProposalStatusEnum": "mapvotes.models.Proposal.Status",
        "MissionStatusEnum": "volunteering.models.Mission.Status",
        "ApplicationStatusEnum": "volunteering.models.Application.Status",
        "ContributionStatusEnum": "strategy.models.Contribution.Status",
        "NeedKindEnum": "ideas.models.NeedKind",
        "ApplicationDecisionEnum": ["shortlisted", "invited", "accepted", "declined"],
        "MissionKindEnum": "volunteering.models.Mission.Kind",
        "InternshipLevelEnum": "volunteering.models.Mission.Level",
        "AnnotationKindEnum": "strategy.models.Annotation.Kind",
        "AnnotationStanceEnum": "strategy.models.Annotation.Stance",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.document_errors",
    ],
}

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (48.8566, 2.3522),
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 11,
    "MAX_ZOOM": 19,
    "TILES": [
        (
            "OpenStreetMap",
            env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            {"attribution": "&copy; OpenStreetMap"},
        )
    ],
    "RESET_VIEW": False,
}
MAP_TILES_URL = LEAFLET_CONFIG["TILES"][0][1]

# A form sent without its CSRF token (expired page, cookies refused, another site): a French page that keeps the text.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Security (production values when DEBUG is off)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Only ever false for loopback serving over plain HTTP (scripts/serve_prod.sh on 127.0.0.1).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    CSRF_COOKIE_HTTPONLY = False  # the API client reads it; the session cookie stays HttpOnly
    SESSION_COOKIE_SAMESITE = "Lax"
# GDAL 3.6 is what Debian 12 ships; we never open user-supplied spatial files through GDAL.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_outages": {"()": "serving.log_filters.OneLineOutages"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_outages"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO" if not TESTING else "WARNING")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}

# The site's address in e-mails, the Atom feed and allauth's links; `migrate` copies its host into the sites framework.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Address search: the national address base (e.g. https://api-adresse.data.gouv.fr/search/) when set, else the
# local gazetteer only (manage.py load_places). Server-side, with a short timeout and a logged fallback.
GEOCODER_URL = env("GEOCODER_URL", default="")
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=2.0)
PARTICIPE_DEMO_PASSWORD = env("DEMO_PASSWORD", default="participe-demo-2026")
