"""Configuration classes. This is the only module that reads the environment.

``create_app`` takes one of these classes (or an instance / mapping overriding it). Every
variable has a working development default so that ``make run`` needs no set-up.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ANXUN_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_labels(name: str) -> dict[str, tuple[str, str]]:
    """Labels of configured codes: comma-separated ``code:中文:English`` entries (the English
    label may be left out; a full-width colon counts as a colon)."""
    labels = {}
    for entry in _env_list(name):
        code, _, names = entry.replace("：", ":").partition(":")
        zh, _, en = names.partition(":")
        if code.strip():
            labels[code.strip()] = (zh.strip(), en.strip())
    return labels


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'anxun.db'}"
    # Heroku-style URLs name the old driver; Anxun speaks psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-secret-key-change-me")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MEDIA_DIR = os.environ.get("MEDIA_DIR", str(INSTANCE_DIR / "media"))
    # Public base URL that QR codes point at; empty means "the host the request came in on".
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    # Host names the app answers to; a request naming another Host is refused (400). Production
    # needs this or PUBLIC_BASE_URL, so a forged Host can never be printed in a QR code.
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS")

    # Field rules (DOMAIN.md); local rules differ, so they are configurable.
    CHECKIN_RADIUS_M = _env_int("CHECKIN_RADIUS_M", 200)
    DEADLINE_DAYS_GENERAL = _env_int("DEADLINE_DAYS_GENERAL", 7)
    DEADLINE_DAYS_MAJOR = _env_int("DEADLINE_DAYS_MAJOR", 60)
    REMINDER_DAYS_BEFORE_DEADLINE = _env_int("REMINDER_DAYS_BEFORE_DEADLINE", 2)
    ESCALATION_REJECTIONS = _env_int("ESCALATION_REJECTIONS", 2)
    ESCALATION_REPEAT_DAYS = _env_int("ESCALATION_REPEAT_DAYS", 90)
    # 自查不实: an inspector's finding in a category the enterprise's self-inspection passed
    # within this many days before.
    SELF_CHECK_DAYS = _env_int("SELF_CHECK_DAYS", 30)
    ESCALATION_INTERVAL_S = _env_int("ESCALATION_INTERVAL_S", 300)  # 0 disables the in-server job
    # Housekeeping in the server (ended sessions, login counters, abandoned uploads); 0 disables.
    MAINTENANCE_INTERVAL_S = _env_int("MAINTENANCE_INTERVAL_S", 3600)
    SESSION_PURGE_AFTER_DAYS = _env_int("SESSION_PURGE_AFTER_DAYS", 30)
    MEDIA_GC_GRACE_S = _env_int("MEDIA_GC_GRACE_S", 3600)
    # Backups (`flask backup`): where they go by default; where pg_dump/pg_restore are, when
    # the server's major version is neither in /usr/lib/postgresql/<major>/bin nor on PATH.
    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(INSTANCE_DIR / "backups"))
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR", "")
    HAZARD_CATEGORIES = _env_list(
        "HAZARD_CATEGORIES",
        "fire,electrical,chemicals,machinery,construction,confined_space,dust,gas,"
        "height_work,special_equipment,emergency,management",
    )
    INDUSTRIES = _env_list(
        "INDUSTRIES",
        "manufacturing,hazardous_chemicals,construction,retail,catering,warehousing,"
        "hotel,education,healthcare,other",
    )
    # Labels of configured codes the code base has none for (or names differently), e.g.
    # "ladders:梯子作业:Ladders"; a code without a label is shown as it is.
    HAZARD_CATEGORY_LABELS = _env_labels("HAZARD_CATEGORY_LABELS")
    INDUSTRY_LABELS = _env_labels("INDUSTRY_LABELS")

    # Webhooks for escalations (optional).
    WEBHOOK_URL = os.environ.get("WEBHOOK_URL", "")
    WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET", "")
    WEBHOOK_MAX_ATTEMPTS = _env_int("WEBHOOK_MAX_ATTEMPTS", 8)
    WEBHOOK_BACKOFF_S = _env_int("WEBHOOK_BACKOFF_S", 30)  # first retry; doubles each time
    WEBHOOK_TIMEOUT_S = _env_int("WEBHOOK_TIMEOUT_S", 10)

    # Public reports (举报) and bulletins (预警). Tips per address (IPv6: per /64) in a window,
    # the longest text, the days a tip may wait for triage before the supervisors are reminded,
    # the period of that reminder job (0 disables it), the largest bulletin attachment (PDF).
    TIP_RATE_LIMIT = _env_int("TIP_RATE_LIMIT", 10)  # 0: no limit
    TIP_RATE_WINDOW_S = _env_int("TIP_RATE_WINDOW_S", 3600)
    TIP_TEXT_MAX_CHARS = _env_int("TIP_TEXT_MAX_CHARS", 2000)
    TIP_TRIAGE_DAYS = _env_int("TIP_TRIAGE_DAYS", 3)
    OUTREACH_INTERVAL_S = _env_int("OUTREACH_INTERVAL_S", 3600)
    BULLETIN_ATTACHMENT_MAX_BYTES = _env_int("BULLETIN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

    # Map tiles for the dashboard map: none | amap | tencent | baidu | tianditu | osm | custom URL.
    MAP_TILE_PROVIDER = os.environ.get("MAP_TILE_PROVIDER", "none")
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_KEY = os.environ.get("MAP_TILE_KEY", "")

    # Uploads and photos.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
    PHOTO_MAX_BYTES = _env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
    PHOTO_MAX_PIXELS = _env_int("PHOTO_MAX_PIXELS", 50_000_000)  # JPEG, HEIC: phone cameras
    PHOTO_MAX_PIXELS_PNG_WEBP = _env_int("PHOTO_MAX_PIXELS_PNG_WEBP", 24_000_000)  # screenshots
    PHOTO_DECODE_SLOTS = _env_int("PHOTO_DECODE_SLOTS", 2)  # full-size decodes per process
    PHOTO_DECODE_WAIT_S = _env_int("PHOTO_DECODE_WAIT_S", 30)  # then 503 with Retry-After
    # Registry imports: an XLSX is a zip; its unpacked size is checked before it is read.
    IMPORT_MAX_UNPACKED_BYTES = _env_int("IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
    # A write request's body must keep arriving at this many bytes a second on average once the
    # grace has passed, else 408 (slow-loris bodies; the proxy in front is the first line).
    REQUEST_BODY_MIN_RATE = _env_int("REQUEST_BODY_MIN_RATE", 2048)  # 0 disables the check
    REQUEST_BODY_GRACE_S = _env_int("REQUEST_BODY_GRACE_S", 10)

    # Sessions and login throttling.
    SESSION_COOKIE_NAME = "anxun_session"
    SESSION_COOKIE_SECURE = True
    SESSION_LIFETIME_HOURS = _env_int("SESSION_LIFETIME_HOURS", 24 * 7)
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_KIB = _env_int("ARGON2_MEMORY_KIB", 65536)
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_FAILURE_WINDOW_S = _env_int("LOGIN_FAILURE_WINDOW_S", 900)
    LOGIN_USER_MAX_FAILURES = _env_int("LOGIN_USER_MAX_FAILURES", 50)
    LOGIN_IP_MAX_FAILURES = _env_int("LOGIN_IP_MAX_FAILURES", 30)
    LOGIN_DEVICE_DAYS = _env_int("LOGIN_DEVICE_DAYS", 180)
    HSTS = True
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)  # hops of X-Forwarded-* to trust

    # Compression (Flask-Compress) of text answers, for the clients that accept it. Static files
    # are sent as streams: brotli or gzip there too, and their ETag (suffixed :br/:gzip) is
    # checked after compression, so a revalidation answers 304.
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                          "application/json", "application/problem+json",
                          "application/manifest+json", "image/svg+xml"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_STREAMING_ENDPOINT_CONDITIONAL = ["static", "web.index", "web.scan_link",
                                               "web.tracking_link", "web.manifest"]

    DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "zh-CN")
    TIMEZONE = "Asia/Shanghai"

    # OpenAPI (flask-smorest); Swagger UI is vendored so docs work without internet.
    API_TITLE = "Anxun 安巡 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "v1/openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"

    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 30_000)
    # PostgreSQL: give up on a server that does not answer (connect) or on a statement that runs
    # or waits for a lock too long; requests then answer 503 instead of holding a worker.
    DB_CONNECT_TIMEOUT_S = _env_int("DB_CONNECT_TIMEOUT_S", 5)
    DB_STATEMENT_TIMEOUT_MS = _env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)  # 0: no limit


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False
    SESSION_COOKIE_SECURE = False
    HSTS = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    HSTS = False
    ESCALATION_INTERVAL_S = 0
    MAINTENANCE_INTERVAL_S = 0
    OUTREACH_INTERVAL_S = 0
    # Still argon2id, at a cost that lets hundreds of test users be made quickly.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 8192
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")


class ProductionConfig(Config):
    ENV_NAME = "production"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """The config class named by ``ANXUN_ENV`` (development by default)."""
    return CONFIGS[os.environ.get("ANXUN_ENV", "development")]


def test_database_kind() -> str:
    """Which engine the test suite runs on: ``sqlite`` (default) or ``postgresql``."""
    return os.environ.get("ANXUN_TEST_DATABASE", "sqlite")


def test_postgres_admin_url() -> str:
    return os.environ.get("ANXUN_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
