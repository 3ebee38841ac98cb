"""Every TUNELAB_* variable and secrets.toml key in one typed class, checked at start-up.

A bad value is refused with the variable's name, what it got and what it accepts, instead of
a traceback from a bare ``int()`` deep in an import. This is the class alone: the modules
that read a setting still read it themselves until each moves over to ``load_settings()``
(issue 20, item 3). Values from ``.streamlit/secrets.toml`` win over the environment, as
they do for the token secret today.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

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
        "instructor pages closed",
    )
    instructor_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="with [auth]: instructors by verified email, comma-separated",
    )
    token_secret: SecretStr | None = Field(
        None,
        description="key that signs the ?session= sign-in tokens; unset: generated once and "
        "kept in the database. Changing it signs everyone out",
    )
    keep_anonymous_counts: bool = Field(
        False,
        description="on: a deleted account's test answers stay as anonymous counts",
    )
    train_threads: int = Field(1, ge=1, description="CPU threads per lab training run")
    ray_address: str | None = Field(
        None, description="a Ray head, e.g. 127.0.0.1:6380: lab runs go to its workers"
    )
    ray_cpus_per_run: float = Field(1.0, gt=0, description="CPUs a lab run asks Ray for")
    ray_gpu_per_run: float = Field(
        0.125, ge=0, le=1, description="share of a GPU a lab run asks Ray for, where it has one"
    )
    run_store: bool = Field(False, description="on: replay identical lab runs without Ray too")

    @field_validator("instructor_emails", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url", "ray_address", "quiz_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


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
    environment = dict(os.environ if env is None else env)
    from_env = {
        name[len(ENV_PREFIX) :].lower(): value
        for name, value in environment.items()
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() in Settings.model_fields
    }
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
