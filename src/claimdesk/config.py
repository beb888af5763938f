"""Configuration from the environment (prefix ``CLAIMDESK_``).

Everything a deployment may change lives here; nothing else reads os.environ.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from claimdesk.rules.forwarded import Network, parse_networks


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMDESK_", env_file=".env", extra="ignore")

    # "development" prints warnings quietly; anything else is treated as production.
    env: str = "development"
    database_url: str = "sqlite:///var/claimdesk.db"
    # Connection pool per process (PostgreSQL). Size it so that every process fits the
    # server: processes × (pool_size + max_overflow) ≤ max_connections − reserve
    # (docs/operations.md). When all are busy a request waits pool_timeout seconds, then
    # gets 503 with Retry-After (GEN-6) instead of queueing for a minute.
    db_pool_size: int = 10
    db_max_overflow: int = 5
    db_pool_timeout: float = 5.0
    # PostgreSQL connections per process and event loop for the token check, which runs
    # on the loop (claimdesk.loop_driver): one statement at a time each, in autocommit.
    # Count them with the pool's: processes × (pool_size + max_overflow + loop_pool_size).
    db_loop_pool_size: int = Field(default=2, ge=1)
    # API processes `claimdesk serve` starts on this node (stateless: any number of nodes
    # and processes share one PostgreSQL; each adds pool_size + max_overflow connections).
    web_workers: int = 1
    # A job that loses a race (deadlock, serialization failure, lock timeout, SQLite's
    # busy database) runs again soon without counting an attempt, this many times; past
    # that, each further loss counts as an attempt (jobs.queue), so a job that can never
    # get through is given up after its max_attempts and shows as failed.
    job_max_transient_retries: int = Field(default=20, ge=0)
    # Field-encryption keys: a JSON document (see crypto.keyring) given inline, or a file
    # created on first run. Keys never go into the database.
    keys: str | None = None
    key_file: Path = Path("var/keys.json")
    upload_dir: Path = Path("var/uploads")
    # The file store for uploads (storage.backends): "local" = files under upload_dir,
    # which several nodes share when it is one shared mount.
    storage: str = "local"
    # Where the worker drops a payment batch's bank file for the bank's pick-up (a folder
    # an SFTP or host-to-host agent sends from). Unset: var/payment_files beside the
    # uploads. With several worker nodes it must be one shared folder, because any
    # worker may run the job that writes a batch (docs/operations.md).
    payment_file_dir: Path | None = None
    # Sessions and login throttling (SEC-8).
    # Absolute lifetime of a browser session, and how long one may go unused.
    session_ttl_minutes: int = 8 * 60
    session_idle_minutes: int = Field(default=30, gt=0)
    api_token_ttl_minutes: int = 12 * 60
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
    # Cookies carry the Secure flag (HTTPS only). Unset: on outside development/test
    # (SEC-9), so a production deployment cannot forget it; set false only behind a
    # plain-HTTP test setup.
    secure_cookies: bool = Field(default=None, validate_default=True)
    # argon2id costs (SEC-8). Defaults: RFC 9106's low-memory profile.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # Audit entries not sealed this long after they were written fail `audit verify`'s
    # freshness check (GEN-5): the sealer is not running or something holds it back.
    audit_seal_max_age_seconds: int = 300
    # The language when neither the request nor the user chooses one (claimdesk.i18n).
    default_language: str = "zh-CN"
    # Instants are shown and cut into local dates in this zone (claimdesk.timeutil, GEN-2).
    timezone: str = "Asia/Shanghai"
    # Outgoing mail (used by the notification outbox when set).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "claimdesk@example.com"
    # Proxies whose X-Forwarded-For is believed (SEC-9): a comma list of addresses or
    # networks ("10.0.0.5, 10.1.0.0/16"). Empty (serving directly): the header is
    # ignored, so nobody can choose the address the login lockout and audit see.
    trusted_proxies: str = ""

    @property
    def is_development(self) -> bool:
        return self.env in {"development", "test"}

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone: {value}") from error
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in {"zh-CN", "en"}:
            raise ValueError("default_language is zh-CN or en")
        return value

    @field_validator("secure_cookies", mode="before")
    @classmethod
    def _secure_outside_development(cls, value: object, info: ValidationInfo) -> object:
        if value is None or value == "":
            return info.data.get("env", "development") not in {"development", "test"}
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
