"""Configuration from the environment, checked once at start with clear messages."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from croniter import croniter
from limits import parse as parse_limit
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from auth.keys import MAX_TOKEN_LIFETIME
from auth.trusted import TrustedIssuer, parse_trusted_issuers
from domain.errors import DomainError
from domain.lifetime_valuation import DEFAULTS as LIFETIME_DEFAULTS
from domain.opportunities import clean_currency
from domain.webhooks import WebhookRules
from persistence.db import DatabaseUrlError, async_url


class ConfigError(SystemExit):
    """Raised with a message that names the variable to fix."""


class Settings(BaseSettings):
    """Every setting, read from variables of the same name in upper case."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str | None = Field(
        default=None, description="postgresql:// URL; unset: the embedded PostgreSQL in CRM_HOME.")
    database_replica_url: str | None = Field(
        default=None, description="postgresql:// URL of a read replica that answers the "
                                  "analytical queries; unset: DATABASE_URL answers them.")
    crm_home: Path = Field(default=Path(".crm"), description="Where local state lives.")
    crm_env: Literal["dev", "prod"] = "dev"
    crm_jwt_issuer: str = "http://127.0.0.1:8000"
    crm_jwt_audience: str = "crm"
    crm_jwt_private_key: str | None = Field(
        default=None, description="PEM or JWK of an EC P-256 or Ed25519 key; unset: CRM_HOME.")
    crm_token_ttl: int = Field(default=3600, ge=60, le=MAX_TOKEN_LIFETIME)
    crm_principal_cache_ttl: float = Field(
        default=2, ge=0, le=5,
        description="Seconds a token subject's standing (active, role, revoked) is cached in a "
                    "process: a revocation applies within this time.")
    crm_trusted_issuers: str | None = None
    crm_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    crm_introspection: bool | None = None
    crm_graphiql: bool | None = None
    crm_db_pool_size: int = Field(default=10, ge=1, le=200)
    crm_escalation_schedule: str = Field(
        default="* * * * *",
        description='When the worker runs escalation: a cron expression (a sixth field is '
                    'seconds), every minute by default; "off" for never.')
    crm_worker_in_server: bool | None = Field(
        default=None,
        description="Run a worker inside each `crm serve` process; unset: in dev, not in prod.")
    crm_worker_concurrency: int = Field(
        default=10, ge=2, le=1000, description="Jobs one worker runs at once, at most.")
    crm_worker_heartbeat_timeout: float = Field(
        default=30, ge=1, le=3600,
        description="Seconds without a heartbeat after which a job's worker counts as dead "
                    "and another worker picks the job again.")
    crm_worker_shutdown_grace: float = Field(
        default=30, ge=0, le=3600,
        description="Seconds a stopping worker waits for its running jobs before it releases "
                    "them to the queue.")
    crm_max_upload_mb: int = Field(
        default=200, ge=0, le=10_000,
        description="Megabytes one upload request (an import's file) may carry; 0 turns "
                    "uploads off.")
    crm_ws_max_subscriptions: int = Field(
        default=20, ge=1, le=1000,
        description="Subscriptions one WebSocket connection may hold at once.")
    crm_change_retention_days: int = Field(
        default=30, ge=1, le=3650,
        description="Days the change feed keeps its events for readers catching up.")
    crm_webhook_allow_private_networks: bool = Field(
        default=False,
        description="Let webhooks reach loopback, private and link-local addresses (tests and "
                    "development); plain http is then allowed in production too.")
    crm_webhook_timeout: float = Field(
        default=15, ge=0.1, le=60, description="Seconds a webhook receiver has to answer.")
    crm_webhook_sweep_schedule: str = Field(
        default="*/5 * * * * *",
        description="When the worker also looks for change-feed events not yet turned into "
                    "webhook messages (a cron expression with seconds); the feed wakes it too.")
    crm_reporting_currency: str = Field(
        default="EUR",
        description="The currency analytics count in (ISO 4217): orders in other currencies "
                    "are left out of RFM, as no exchange rates are kept.")
    crm_analytics_margin: float = Field(
        default=LIFETIME_DEFAULTS.margin, gt=0, le=1,
        description="The share of revenue that is margin, for historic and predicted CLV; 1: "
                    "CLV is revenue.")
    crm_clv_monthly_discount: float = Field(
        default=LIFETIME_DEFAULTS.monthly_discount_rate, ge=0, le=1,
        description="The monthly rate predicted CLV is discounted at.")
    crm_analytics_schedule: str = Field(
        default="41 2 * * *",
        description="When the worker refreshes RFM and lifetime value (a cron expression, "
                    "optionally with seconds); \"off\" for never.")
    crm_compiled_reads: bool = Field(
        default=True, description="Answer queries from one compiled SQL statement when possible.")
    crm_compiled_writes: bool = Field(
        default=True, description="Answer plain updates without graphql-core's execution when "
                                  "possible.")
    crm_statement_timeout_ms: int = Field(
        default=5000, ge=100, le=600_000,
        description="PostgreSQL cancels a request's statement that runs longer.")
    crm_max_query_cost: int = Field(
        default=20_000, ge=1, le=10_000_000,
        description="The most records one query may be able to return (see api/query_cost.py).")
    crm_rate_limit: str = Field(
        default="100/10seconds",
        description='Requests per principal and process, e.g. "100/10seconds"; "off" for none.')
    crm_auth_failure_limit: str = Field(
        default="30/minute",
        description='Rejected tokens per client address and process; "off" for none.')
    crm_log_format: Literal["text", "json"] = "text"
    crm_metrics_token: str | None = Field(
        default=None, description="Bearer token that GET /metrics requires; needed in prod.")
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, description="OpenTelemetry's own variable: where traces are exported.")
    otel_exporter_otlp_traces_endpoint: str | None = None

    @field_validator("database_url", "database_replica_url")
    @classmethod
    def _postgres_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value:
            try:
                async_url(value)
            except DatabaseUrlError as exc:
                raise ValueError(str(exc).replace("DATABASE_URL", info.field_name.upper())) from exc
        return value or None

    @field_validator("crm_cors_origins", mode="before")
    @classmethod
    def _comma_list(cls, value):
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("crm_trusted_issuers")
    @classmethod
    def _trusted(cls, value: str | None) -> str | None:
        try:
            parse_trusted_issuers(value)
        except (json.JSONDecodeError, ValidationError, TypeError) as exc:
            raise ValueError(
                'must be a JSON list like [{"issuer": "https://idp", "jwks_url": '
                f'"https://idp/jwks.json", "principal": "staff"}}]: {exc}') from exc
        return value

    @field_validator("crm_reporting_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        try:
            return clean_currency(value)
        except DomainError:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code") from None

    @field_validator("crm_escalation_schedule", "crm_webhook_sweep_schedule",
                     "crm_analytics_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        value = value.strip()
        if value.lower() != "off" and not croniter.is_valid(value):
            raise ValueError(f'must be a cron expression like "* * * * *" or "off", not {value!r}')
        return value

    @field_validator("crm_rate_limit", "crm_auth_failure_limit")
    @classmethod
    def _limit(cls, value: str) -> str:
        if value.strip().lower() != "off":
            try:
                parse_limit(value)
            except ValueError as exc:
                raise ValueError(f'must be like "100/10seconds" or "off": {exc}') from exc
        return value.strip()

    @cached_property
    def trusted_issuers(self) -> dict[str, TrustedIssuer]:
        return parse_trusted_issuers(self.crm_trusted_issuers)

    def check_signing_key(self) -> None:
        """In production the signing key must be configured: a key generated inside a
        container differs in every replica and is lost with it, and its tokens with it."""
        if self.crm_env == "prod" and not self.crm_jwt_private_key:
            raise ConfigError(
                "Configuration error:\n  CRM_JWT_PRIVATE_KEY: required when CRM_ENV=prod (PEM "
                "or JWK of an EC P-256 or Ed25519 private key); no key is generated in production.")

    @property
    def introspection(self) -> bool:
        return self.crm_env == "dev" if self.crm_introspection is None else self.crm_introspection

    @property
    def worker_in_server(self) -> bool:
        return self.crm_env == "dev" if self.crm_worker_in_server is None else self.crm_worker_in_server

    @property
    def escalation_schedule(self) -> str | None:
        return None if self.crm_escalation_schedule.lower() == "off" else self.crm_escalation_schedule

    @property
    def webhook_rules(self) -> WebhookRules:
        return WebhookRules(https_only=self.crm_env == "prod",
                            allow_private=self.crm_webhook_allow_private_networks)

    @property
    def tracing(self) -> bool:
        return bool(self.otel_exporter_otlp_endpoint or self.otel_exporter_otlp_traces_endpoint)

    @property
    def graphiql(self) -> bool:
        return self.crm_env == "dev" if self.crm_graphiql is None else self.crm_graphiql


def load_settings(**overrides) -> Settings:
    """Read the environment; exit with one line per problem when it is wrong."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = [f"  {'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("Configuration error:\n" + "\n".join(lines)) from None
