"""All configuration, read from environment variables in one place.

Defaults make local development work with nothing set: SQLite in the working
directory, Redis on localhost, and the X sandbox on port 8081. Those defaults
are public, so ``TWEETNOW_ENV=production`` turns them into reasons to refuse
to start: every service reads its settings through :func:`startup_settings`,
which exits with one line per problem that :func:`settings_problems` finds.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote, urlsplit

from cryptography.fernet import Fernet

DEVELOPMENT = "development"
PRODUCTION = "production"

DEV_SECRET_KEY = "dev-only-secret-key-change-me"
#: Encrypts X tokens when ENCRYPTION_KEYS is empty (development only). It is the
#: key earlier releases derived from DEV_SECRET_KEY, so development databases
#: made before keep their tokens readable.
DEV_ENCRYPTION_KEY = "OnBvkl43Gzsm2jiU0MvDNgswFitQQxiHyG6HP97SK9Q="
#: The X sandbox's own app keys (services/x-sandbox), public by design.
SANDBOX_CONSUMER_KEY = "sandbox-consumer-key"
SANDBOX_CONSUMER_SECRET = "sandbox-consumer-secret"
#: The X sandbox's OAuth 2.0 client, public by design.
SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"
#: How people sign in with X and connect accounts: OAuth 1.0a or OAuth 2.0 with PKCE.
X_AUTH_METHODS = ("oauth1", "oauth2")
#: Where the X sandbox listens: its compose host name and its port.
SANDBOX_HOST = "x-sandbox"
SANDBOX_PORT = 8081
#: Passwords that ship with the project (.env.example and docker-compose.yml's
#: development defaults): anyone who has read the repository knows them.
PLACEHOLDER_PASSWORDS = frozenset(
    {"change-me-redis", "change-me-postgres", "tweetnow-dev-redis", "tweetnow-dev-postgres"}
)
#: The waits between attempts of a webhook delivery: 5 s, 5 min, 30 min, 2 h, 5 h,
#: 10 h, 10 h, 1 day, 1 day (about 3.1 days from the first attempt to the last).
WEBHOOK_RETRY_DELAYS_S = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0, 86400.0, 86400.0)
#: Exit status of a service that refuses its settings (EX_CONFIG in sysexits.h).
EXIT_BAD_SETTINGS = 78


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _str(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name)
    return default if raw is None or raw == "" else raw


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be on or off (1/0, true/false), got {raw!r}")


def _x_auth(env: Mapping[str, str]) -> str:
    raw = _str(env, "X_AUTH", "oauth1").strip().lower()
    if raw not in X_AUTH_METHODS:
        raise ValueError(f"X_AUTH must be oauth1 or oauth2, got {raw!r}")
    return raw


def _delays(env: Mapping[str, str], name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    try:
        delays = tuple(float(p) for p in raw.split(",") if p.strip())
    except ValueError:
        raise ValueError(f"{name} must be seconds separated by commas, got {raw!r}") from None
    if not delays or any(d < 0 for d in delays):
        raise ValueError(f"{name} must list one or more delays of 0 seconds or more, got {raw!r}")
    return delays


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in env.get(name, "").split(",") if p.strip())


#: The secret settings: each also accepts NAME_FILE, a path whose content is the
#: value (Docker and Kubernetes secrets are mounted as files).
SECRET_SETTINGS = (
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "X_CONSUMER_KEY",
    "X_CONSUMER_SECRET",
    "X_CLIENT_ID",
    "X_CLIENT_SECRET",
    "REDIS_URL",
    "DATABASE_URL",
    "SMTP_URL",
    "GIPHY_API_KEY",
)


def _secret(env: Mapping[str, str], name: str, default: str) -> str:
    """A secret setting, from NAME or from the file NAME_FILE names.

    Setting both (non-empty) is an error rather than one silently winning: a
    deployment that sets both is mistaken about which it runs with. The file's
    content is the value, without its trailing line break (``echo`` adds one).
    A file that cannot be read is an error naming the variable, never a fallback
    to the development default.
    """
    value = env.get(name, "")
    path = env.get(f"{name}_FILE", "")
    if not path:
        return default if value == "" else value
    if value:
        raise ValueError(
            f"{name} and {name}_FILE are both set: keep one (the file holds the value "
            f"when {name}_FILE is set)"
        )
    try:
        with open(path, encoding="utf-8") as file:
            content = file.read().rstrip("\r\n")
    except OSError as exc:
        raise ValueError(f"{name}_FILE={path} cannot be read: {exc.strerror or exc}") from None
    if content == "":
        raise ValueError(f"{name}_FILE={path} is empty: put the value of {name} in it")
    return content


def _keys(raw: str) -> tuple[str, ...]:
    """ENCRYPTION_KEYS: separated by commas, or one a line (as a file may hold them)."""
    return tuple(p.strip() for p in raw.replace("\n", ",").split(",") if p.strip())


def _admin_x_user_ids(env: Mapping[str, str]) -> tuple[str, ...]:
    """ADMIN_X_USER_IDS, each a numeric X user id.

    The handle list it replaces is refused rather than ignored: a deployment that
    still sets it would otherwise lose its admins silently, or worse, believe a
    handle still guards /admin.
    """
    if env.get("ADMIN_X_USERNAMES", "").strip():
        raise ValueError(
            "ADMIN_X_USERNAMES is no longer read: an X handle can pass to another account. "
            "Set ADMIN_X_USER_IDS to the admins' numeric X user ids instead (each person's "
            "id is shown on their /account page) and remove ADMIN_X_USERNAMES"
        )
    ids = _list(env, "ADMIN_X_USER_IDS")
    for user_id in ids:
        if not (user_id.isascii() and user_id.isdigit()):
            raise ValueError(
                f"ADMIN_X_USER_IDS must list numeric X user ids, got {user_id!r} "
                "(a handle is not an id: the id is on the person's /account page)"
            )
    return ids


def _environment(env: Mapping[str, str]) -> str:
    raw = _str(env, "TWEETNOW_ENV", DEVELOPMENT).strip().lower()
    if raw not in (DEVELOPMENT, PRODUCTION):
        raise ValueError(f"TWEETNOW_ENV must be {DEVELOPMENT} or {PRODUCTION}, got {raw!r}")
    return raw


@dataclass(frozen=True, kw_only=True)
class Settings:
    #: "production" refuses the development defaults (see settings_problems).
    environment: str
    # Storage
    redis_url: str
    database_url: str
    # Secrets
    secret_key: str
    #: Fernet keys for X tokens at rest: the first encrypts, all decrypt.
    encryption_keys: tuple[str, ...]
    # X / Twitter
    x_api_base_url: str
    x_authorize_base_url: str
    x_web_base_url: str
    x_consumer_key: str
    x_consumer_secret: str
    #: "oauth1" or "oauth2": how sign-in and connecting another account talk to X.
    x_auth: str
    #: The OAuth 2.0 client (X's "Client ID" and "Client Secret").
    x_client_id: str
    x_client_secret: str
    #: An OAuth 2.0 access token this close to running out is refreshed before a post.
    x_refresh_margin_s: float
    x_timeout_s: float
    post_lease_s: float
    # Web
    public_base_url: str
    web_host: str
    web_port: int
    web_concurrency: int
    web_threads: int
    max_body_bytes: int
    session_max_age_s: int
    #: How long a web process keeps an API token's person without asking the database
    #: (0: every request asks); a revocation reaches every process at once regardless.
    api_token_cache_s: float
    #: X user ids allowed into /admin; nobody when empty. Ids, never handles: a handle
    #: can pass to another account on X, an id cannot.
    admin_x_user_ids: tuple[str, ...]
    # Workers
    worker_processes: int
    worker_threads: int
    worker_timeout_ms: int
    #: Idle consumers block on a wake-up list instead of polling (shared.wakeup).
    worker_wakeup: bool
    heartbeat_timeout_ms: int
    maintenance_chance: int
    dead_message_ttl_ms: int
    job_status_ttl_s: int
    tweet_max_retries: int
    tweet_min_backoff_ms: int
    tweet_max_backoff_ms: int
    mail_max_retries: int
    mail_min_backoff_ms: int
    mail_max_backoff_ms: int
    #: Queued and scheduled tweets one person may have at once.
    max_pending_tweets: int
    # Schedules and recurring jobs
    dispatch_horizon_s: int
    schedule_direct_s: int
    sweep_grace_s: int
    #: How long an image's bytes are kept after its tweet is sent (or canceled), and an
    #: image never attached to a tweet is kept at all.
    media_keep_s: int
    #: How long a tweet may wait (``held``) for its X account to be reconnected before
    #: it fails.
    held_max_days: int
    # Mail
    smtp_url: str
    smtp_timeout_s: float
    mail_lease_s: float
    mail_from: str
    giphy_api_key: str
    giphy_api_url: str
    giphy_timeout_s: float
    thoughts_per_hour: int
    # Webhooks
    #: Webhook URLs may point at loopback and private networks (development, tests).
    webhook_allow_private: bool
    webhook_timeout_s: float
    #: The wait before each retry of a failed delivery, in seconds; one attempt
    #: more than listed is made in all.
    webhook_retry_delays_s: tuple[float, ...]
    #: An endpoint whose deliveries have failed for this long is disabled.
    webhook_disable_after_s: int
    webhook_lease_s: float
    # Logging
    log_level: str
    log_format: str
    # Metrics
    #: Where a worker serves its Prometheus metrics; 0 turns the server off.
    metrics_host: str
    metrics_port: int
    #: Networks (CIDR) allowed to read the web's GET /metrics; "*" for anyone.
    metrics_allow: tuple[str, ...]

    @property
    def cookie_secure(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def oauth_callback_url(self) -> str:
        return self.public_base_url.rstrip("/") + "/auth/x/callback"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        x_api = _str(env, "X_API_BASE_URL", "http://127.0.0.1:8081").rstrip("/")
        x_timeout_s = _float(env, "X_TIMEOUT_S", 10.0)
        dispatch_horizon_s = _int(env, "DISPATCH_HORIZON_S", 90)
        smtp_timeout_s = _float(env, "SMTP_TIMEOUT_S", 10.0)
        giphy_timeout_s = _float(env, "GIPHY_TIMEOUT_S", 3.0)
        webhook_timeout_s = _float(env, "WEBHOOK_TIMEOUT_S", 10.0)
        return cls(
            environment=_environment(env),
            redis_url=_secret(env, "REDIS_URL", "redis://127.0.0.1:6379/0"),
            database_url=_secret(env, "DATABASE_URL", "sqlite:///tweetnow.sqlite3"),
            secret_key=_secret(env, "SECRET_KEY", DEV_SECRET_KEY),
            encryption_keys=_keys(_secret(env, "ENCRYPTION_KEYS", "")) or (DEV_ENCRYPTION_KEY,),
            x_api_base_url=x_api,
            x_authorize_base_url=_str(env, "X_AUTHORIZE_BASE_URL", x_api).rstrip("/"),
            x_web_base_url=_str(env, "X_WEB_BASE_URL", x_api).rstrip("/"),
            x_consumer_key=_secret(env, "X_CONSUMER_KEY", SANDBOX_CONSUMER_KEY),
            x_consumer_secret=_secret(env, "X_CONSUMER_SECRET", SANDBOX_CONSUMER_SECRET),
            x_auth=_x_auth(env),
            x_client_id=_secret(env, "X_CLIENT_ID", SANDBOX_CLIENT_ID),
            x_client_secret=_secret(env, "X_CLIENT_SECRET", SANDBOX_CLIENT_SECRET),
            x_refresh_margin_s=_float(env, "X_REFRESH_MARGIN_S", 300.0),
            x_timeout_s=x_timeout_s,
            # How long a worker owns a tweet it is posting before another may take over.
            post_lease_s=_float(env, "POST_LEASE_S", 2 * x_timeout_s + 5),
            public_base_url=_str(env, "PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            web_host=_str(env, "WEB_HOST", "127.0.0.1"),
            web_port=_int(env, "WEB_PORT", 8000),
            web_concurrency=_int(env, "WEB_CONCURRENCY", 2),
            web_threads=_int(env, "WEB_THREADS", 4),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 64 * 1024),
            session_max_age_s=_int(env, "SESSION_MAX_AGE_S", 14 * 24 * 3600),
            api_token_cache_s=_float(env, "API_TOKEN_CACHE_S", 10),
            admin_x_user_ids=_admin_x_user_ids(env),
            worker_processes=_int(env, "WORKER_PROCESSES", 1),
            worker_threads=_int(env, "WORKER_THREADS", 8),
            worker_timeout_ms=_int(env, "WORKER_TIMEOUT_MS", 20),
            worker_wakeup=_bool(env, "WORKER_WAKEUP", True),
            heartbeat_timeout_ms=_int(env, "HEARTBEAT_TIMEOUT_MS", 60_000),
            maintenance_chance=_int(env, "MAINTENANCE_CHANCE", 1000),
            dead_message_ttl_ms=_int(env, "DEAD_MESSAGE_TTL_MS", 7 * 24 * 3600 * 1000),
            job_status_ttl_s=_int(env, "JOB_STATUS_TTL_S", 7 * 24 * 3600),
            tweet_max_retries=_int(env, "TWEET_MAX_RETRIES", 8),
            tweet_min_backoff_ms=_int(env, "TWEET_MIN_BACKOFF_MS", 1000),
            tweet_max_backoff_ms=_int(env, "TWEET_MAX_BACKOFF_MS", 15 * 60 * 1000),
            max_pending_tweets=_int(env, "MAX_PENDING_TWEETS", 500),
            dispatch_horizon_s=dispatch_horizon_s,
            schedule_direct_s=_int(env, "SCHEDULE_DIRECT_S", dispatch_horizon_s),
            sweep_grace_s=_int(env, "SWEEP_GRACE_S", 60),
            media_keep_s=_int(env, "MEDIA_KEEP_S", 24 * 60 * 60),
            held_max_days=_int(env, "HELD_MAX_DAYS", 7),
            mail_max_retries=_int(env, "MAIL_MAX_RETRIES", 8),
            mail_min_backoff_ms=_int(env, "MAIL_MIN_BACKOFF_MS", 5000),
            mail_max_backoff_ms=_int(env, "MAIL_MAX_BACKOFF_MS", 30 * 60 * 1000),
            smtp_url=_secret(env, "SMTP_URL", "smtp://127.0.0.1:1025"),
            smtp_timeout_s=smtp_timeout_s,
            # How long a worker owns a mail it is sending before another may take over.
            mail_lease_s=_float(env, "MAIL_LEASE_S", 3 * smtp_timeout_s + giphy_timeout_s + 5),
            mail_from=_str(env, "MAIL_FROM", "tweetnow <no-reply@tweetnow.localhost>"),
            giphy_api_key=_secret(env, "GIPHY_API_KEY", ""),
            giphy_api_url=_str(env, "GIPHY_API_URL", "https://api.giphy.com"),
            giphy_timeout_s=giphy_timeout_s,
            thoughts_per_hour=_int(env, "THOUGHTS_PER_HOUR", 10),
            webhook_allow_private=_bool(env, "WEBHOOK_ALLOW_PRIVATE", False),
            webhook_timeout_s=webhook_timeout_s,
            webhook_retry_delays_s=_delays(env, "WEBHOOK_RETRY_DELAYS_S", WEBHOOK_RETRY_DELAYS_S),
            webhook_disable_after_s=_int(env, "WEBHOOK_DISABLE_AFTER_S", 3 * 24 * 3600),
            # How long a worker owns a delivery: a connection and a reply, and slack.
            webhook_lease_s=_float(env, "WEBHOOK_LEASE_S", 2 * webhook_timeout_s + 5),
            log_level=_str(env, "LOG_LEVEL", "INFO").upper(),
            log_format=_str(env, "LOG_FORMAT", "console"),
            metrics_host=_str(env, "METRICS_HOST", "0.0.0.0"),
            metrics_port=_int(env, "METRICS_PORT", 9191),
            metrics_allow=_list(env, "METRICS_ALLOW") or ("127.0.0.0/8", "::1/128"),
        )


#: Where each X URL must point in production.
X_URLS = {
    "X_API_BASE_URL": "https://api.twitter.com",
    "X_AUTHORIZE_BASE_URL": "https://api.twitter.com",
    "X_WEB_BASE_URL": "https://x.com",
}
NEW_SECRET_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
NEW_FERNET_KEY = (
    "python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _x_url_problem(name: str, url: str) -> str | None:
    """Production calls the real X: not this machine, not the sandbox, and only over TLS."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    real = X_URLS[name]
    if _is_loopback(host):
        return f"{name}={url} points at this machine (loopback): set it to {real}"
    if host == SANDBOX_HOST or port == SANDBOX_PORT:
        return f"{name}={url} points at the X sandbox: set it to {real}"
    if parts.scheme != "https":
        return f"{name}={url} is not https: set it to {real}"
    return None


def _placeholder_password_problem(name: str, url: str) -> str | None:
    password = urlsplit(url).password
    if password is None or unquote(password) not in PLACEHOLDER_PASSWORDS:
        return None
    return (
        f"{name} uses the placeholder password {unquote(password)!r}: "
        "set a password of your own (in compose: REDIS_PASSWORD / POSTGRES_PASSWORD)"
    )


def _production_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.secret_key == DEV_SECRET_KEY:
        problems.append(
            "SECRET_KEY is the public development key (anyone could forge sessions): "
            f"set SECRET_KEY to a long random secret, e.g. from {NEW_SECRET_KEY}"
        )
    if settings.encryption_keys[0] == DEV_ENCRYPTION_KEY:
        problems.append(
            "ENCRYPTION_KEYS is empty (X tokens would be encrypted with the public development "
            f"key): set ENCRYPTION_KEYS to a Fernet key of your own, e.g. from {NEW_FERNET_KEY}"
        )
    if settings.x_consumer_key == SANDBOX_CONSUMER_KEY:
        problems.append("X_CONSUMER_KEY is the X sandbox's: set it to your X app's consumer key")
    if settings.x_consumer_secret == SANDBOX_CONSUMER_SECRET:
        problems.append(
            "X_CONSUMER_SECRET is the X sandbox's: set it to your X app's consumer secret"
        )
    if settings.x_auth == "oauth2" and settings.x_client_id == SANDBOX_CLIENT_ID:
        problems.append(
            "X_CLIENT_ID is the X sandbox's (X_AUTH=oauth2): set it to your X app's client id"
        )
    if settings.x_auth == "oauth2" and settings.x_client_secret == SANDBOX_CLIENT_SECRET:
        problems.append(
            "X_CLIENT_SECRET is the X sandbox's (X_AUTH=oauth2): "
            "set it to your X app's client secret"
        )
    x_urls = {
        "X_API_BASE_URL": settings.x_api_base_url,
        "X_AUTHORIZE_BASE_URL": settings.x_authorize_base_url,
        "X_WEB_BASE_URL": settings.x_web_base_url,
    }
    problems += filter(None, (_x_url_problem(name, url) for name, url in x_urls.items()))
    urls = {
        "REDIS_URL": settings.redis_url,
        "DATABASE_URL": settings.database_url,
        "SMTP_URL": settings.smtp_url,
    }
    problems += filter(None, (_placeholder_password_problem(n, u) for n, u in urls.items()))
    smtp = urlsplit(settings.smtp_url)
    if smtp.scheme.lower() == "smtp" and smtp.username:
        problems.append(
            f"SMTP_URL logs in to {smtp.hostname} without TLS (the password would cross the "
            "network in the clear): use smtp+starttls://user:password@host:587 "
            "or smtps://user:password@host:465"
        )
    if "*" in settings.metrics_allow:
        problems.append(
            "METRICS_ALLOW is * (anyone could read /metrics): set it to your Prometheus's "
            "networks, e.g. 10.0.0.0/8"
        )
    if settings.webhook_allow_private:
        problems.append(
            "WEBHOOK_ALLOW_PRIVATE is on (anyone could make the workers call this network's "
            "private addresses through a webhook): remove it"
        )
    if not settings.cookie_secure:
        problems.append(
            f"PUBLIC_BASE_URL={settings.public_base_url} is not https (session cookies would "
            "travel in the clear): set it to the https:// address people use"
        )
    return problems


def settings_problems(settings: Settings) -> list[str]:
    """Every reason a service must not start with these settings, one line each, naming
    the variable and what to set.

    In any environment, ENCRYPTION_KEYS must hold Fernet keys and the public
    development SECRET_KEY never signs cookies for an https site. In production,
    every development default and placeholder is refused as well: each is
    published in this repository, and a service running with one is open to
    anyone who has read it.
    """
    problems = []
    for position, key in enumerate(settings.encryption_keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            problems.append(
                f"ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64 "
                f"bytes): generate one with {NEW_FERNET_KEY}"
            )
    if settings.environment == PRODUCTION:
        problems += _production_problems(settings)
    elif settings.cookie_secure and settings.secret_key == DEV_SECRET_KEY:
        problems.append(
            "SECRET_KEY is the public development key while PUBLIC_BASE_URL is https: "
            f"set SECRET_KEY to a long random secret, e.g. from {NEW_SECRET_KEY}"
        )
    return problems


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings.from_env()


def startup_settings() -> Settings:
    """The process-wide settings for a service that is starting, or exit.

    Every service calls this first. A setting that cannot be read, or any of
    :func:`settings_problems`, ends the process with status EXIT_BAD_SETTINGS and
    one line per problem on stderr: an operator reads what to fix, not a traceback.
    """
    try:
        settings = get_settings()
    except ValueError as exc:
        problems = [str(exc)]
    else:
        problems = settings_problems(settings)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        raise SystemExit(EXIT_BAD_SETTINGS)
    return settings
