"""Every TUNELAB_* variable and secrets.toml key in one typed class, checked at start-up.

A bad value is refused with the variable's name, what it got and what it accepts, instead of
a traceback from a bare ``int()`` deep in an import: the app checks them before it routes a
page, ``tunelab config`` before anything else. Values from ``.streamlit/secrets.toml`` win
over the environment. The README's configuration table is drawn from this class
(``markdown_table``; a test keeps the two in step).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "TUNELAB_"
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
# The secrets.toml keys that are settings (its [auth] and [instructors] sections are
# Streamlit's and the identity provider's, read where they are used).
SECRETS_KEYS = ("instructor_passcode", "token_secret", "keep_anonymous_counts")
# Never echoed, not even when refused.
SECRET_FIELDS = frozenset({"database_url", "instructor_passcode", "token_secret"})


class Settings(BaseSettings):
    """TuneLab's settings: field ``x`` is $TUNELAB_X (or key ``x`` in secrets.toml)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: SecretStr | None = Field(
        None,
        description="any SQLAlchemy URL, e.g. postgresql+psycopg://…; unset: SQLite at "
        "$TUNELAB_DATA_DIR/tunelab.db",
    )
    data_dir: Path = Field(Path("data"), description="where the SQLite file lives")
    quiz_dir: Path | None = Field(None, description="where banks are read from; unset: quizzes/")
    instructor_passcode: SecretStr | None = Field(
        None,
        description="passcode for the instructor pages when no [auth] is configured; unset: "
        "instructor pages closed. Wrong guesses slow down per address (proxy-aware), counted "
        "in the database; use a long generated one",
    )
    instructor_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="with [auth]: instructors by verified email, comma-separated (also "
        "emails = [...] under [instructors]; the token must say email_verified: true)",
    )
    token_secret: SecretStr | None = Field(
        None,
        description="key that signs the ?session= sign-in tokens (12 h); unset: generated once "
        "and kept in the database. Changing it signs everyone out",
    )
    keep_anonymous_counts: bool = Field(
        False,
        description="on: when a learner deletes their account (My data), their test answers "
        "stay for item statistics under one unnamed (deleted learners) record; off: a deleted "
        "account takes all its answers with it",
    )
    train_threads: int = Field(
        1, ge=1, description="CPU threads per lab training run (one leaves a core for the pages)"
    )
    ray_address: str | None = Field(
        None,
        description="a Ray head, e.g. 127.0.0.1:6380: lab runs go to its workers and identical "
        "runs are replayed; unset: runs train inside the app server",
    )
    ray_cpus_per_run: float = Field(1.0, gt=0, description="CPUs a lab run asks Ray for")
    ray_gpu_per_run: float = Field(
        0.125, ge=0, le=1, description="share of a GPU a lab run asks Ray for, where it has one"
    )
    run_store: bool = Field(False, description="on: replay identical lab runs without Ray too")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="comma-separated addresses or CIDR blocks of reverse proxies whose "
        "X-Forwarded-For is honoured (deploy/haproxy.cfg sends it); unset: none",
    )
    trust_unverified_email: bool = Field(
        False,
        description="on: an identity provider's email counts for the instructor list even "
        "without email_verified (for providers that never send the claim)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="what the server logs: sign-ins, lock-outs, lab runs, sandbox, store"
    )

    @field_validator("instructor_emails", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url", "ray_address", "quiz_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or a CIDR block") from None
        return value


class SettingsInvalid(ValueError):
    """One or more settings could not be read; the message names each, in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


_BOUNDS = (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"))
_NUMBER_KINDS = ("int", "float", "greater_than", "less_than")


def _accepts(field: str, error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind.startswith("bool"):
        return "on/off, true/false, yes/no or 1/0"
    if kind.startswith(_NUMBER_KINDS):
        limits = error.get("ctx") or {}
        whole = Settings.model_fields[field].annotation is int
        number = "a whole number" if whole else "a number"
        return number + "".join(f" {op} {limits[key]}" for key, op in _BOUNDS if key in limits)
    return str(error.get("msg", "a valid value"))


def _secrets(path: Path) -> dict[str, Any]:
    try:
        loaded = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsInvalid([f"{path}: not valid TOML ({exc})"]) from exc
    return {key: loaded[key] for key in SECRETS_KEYS if key in loaded}


def load_settings(
    env: Mapping[str, str] | None = None, secrets_file: Path = SECRETS_FILE
) -> Settings:
    """The settings from ``env`` (default: this process's) and secrets.toml, or SettingsInvalid."""
    environment = os.environ if env is None else env
    from_env = {
        name[len(ENV_PREFIX) :].lower(): value
        for name, value in environment.items()
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() in Settings.model_fields
    }
    try:
        stat = secrets_file.stat()
        file_key: tuple[object, ...] = (str(secrets_file), stat.st_mtime_ns, stat.st_size)
    except OSError:
        file_key = (str(secrets_file), None)
    # Pages read settings on every run: validating costs milliseconds, a lookup microseconds.
    key = (tuple(sorted(from_env.items())), file_key)
    cached = _LOADED.get(key)
    if cached is None:
        if len(_LOADED) > 64:  # a test suite's many environments; a server has one
            _LOADED.clear()
        cached = _LOADED[key] = _validated(from_env, secrets_file)
    return cached


_LOADED: dict[tuple[object, ...], Settings] = {}


def _validated(from_env: dict[str, str], secrets_file: Path) -> Settings:
    secrets = _secrets(secrets_file)
    values = from_env | secrets
    try:
        # Validated from this mapping alone: BaseSettings would read os.environ again.
        return Settings.model_validate(values)
    except ValidationError as invalid:
        problems = []
        for error in invalid.errors():
            field = str(error["loc"][0])
            where = (
                f"{field} in {secrets_file}" if field in secrets else f"{ENV_PREFIX}{field.upper()}"
            )
            got = "(hidden)" if field in SECRET_FIELDS else repr(values.get(field))
            problems.append(f"{where}: got {got}; expected {_accepts(field, error)}")
        raise SettingsInvalid(problems) from None


def effective(settings: Settings) -> dict[str, str]:
    """Each setting as its variable name and value, secrets masked: what `tunelab config` prints."""
    shown = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            text = "(set, hidden)"
        elif value is None or value == []:
            text = "(unset)"
        elif isinstance(value, list):
            text = ",".join(value)
        elif isinstance(value, bool):
            text = "on" if value else "off"
        else:
            text = str(value)
        shown[f"{ENV_PREFIX}{name.upper()}"] = text
    return shown


def markdown_table() -> str:
    """The README's configuration table: every variable, its default and what it means."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = (
            "unset"
            if default in (None, [])
            else ("off" if default is False else "on" if default is True else f"`{default}`")
        )
        also = f" (also `{name}` in secrets.toml)" if name in SECRETS_KEYS else ""
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | {shown} | {field.description}{also} |")
    return "\n".join(rows)
