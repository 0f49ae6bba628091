"""One settings object: defaults, then the YAML config file, then INTERVIEWER_* variables, then flags."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path

from interviewer.errors import ConfigError
from interviewer.shipped import shipped_folder
from interviewer.yaml_files import CONFIG_FILE, PlacedDict, describe, line_of, read_yaml

ENV_PREFIX = "INTERVIEWER_"
CONFIG_VARIABLE = ENV_PREFIX + "CONFIG"
SHIPPED_MODEL = "all-MiniLM-L6-v2"
MODES = ("auto", "offline", "llm")
STRICTNESS_LEVELS = ("lenient", "standard", "strict")
EMBEDDING_RUNTIMES = ("onnx", "torch")
PATH_SETTINGS = ("bank", "cache_dir", "data_dir")
TEXT_SETTINGS = ("model", "device", "base_url", "api_key", "llm_model", "web_host")
CHOICES = {"mode": MODES, "strictness": STRICTNESS_LEVELS, "embedding_runtime": EMBEDDING_RUNTIMES}
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "sqlite")


def user_folder(kind: str, env_var: str, fallback: str) -> Path:
    """A per-user folder (config, data or cache) following the XDG conventions."""
    base = os.environ.get(env_var)
    return Path(base) / "interviewer" if base else Path.home() / fallback / "interviewer"


def default_bank() -> Path:
    """The shipped bank: the installed package's copy, else the checkout's corpus/ folder."""
    return shipped_folder("corpus")


@dataclass(frozen=True)
class Settings:
    """Every setting of interviewer, with where it comes from in its metadata."""

    bank: Path = field(
        default_factory=default_bank,
        metadata={"help": "Folder of the question bank: *.yaml question files and taxonomy.yaml."},
    )
    model: str = field(
        default=SHIPPED_MODEL,
        metadata={"help": "Embedding model: a local folder, a hub id already cached, or the shipped "
                          f"'{SHIPPED_MODEL}'."},
    )
    cache_dir: Path = field(
        default_factory=lambda: user_folder("cache", "XDG_CACHE_HOME", ".cache"),
        metadata={"help": "Where built indexes are kept, keyed by bank content and model."},
    )
    data_dir: Path = field(
        default_factory=lambda: user_folder("data", "XDG_DATA_HOME", ".local/share"),
        metadata={"help": "Where answers and grades are recorded."},
    )
    db: str = field(
        default="",
        repr=False,
        metadata={"help": "Where the history of answers is kept: a SQLite file's path, or a "
                          "postgresql://USER@HOST/DB URL (empty: history.sqlite3 in data_dir). Never "
                          "printed: a URL may hold a password."},
    )
    device: str = field(default="cpu", metadata={"help": "Torch device for the embedding model."})
    embedding_runtime: str = field(
        default="onnx",
        metadata={"help": "What runs the embedding model on the CPU: 'onnx' (ONNX Runtime, exported once "
                          "into cache_dir; starts fast) or 'torch' (sentence-transformers). The vectors are "
                          "the same; a device other than cpu, or a model ONNX cannot reproduce, uses torch."},
    )
    base_url: str = field(
        default="",
        metadata={"help": "Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 "
                          "(empty: OpenAI's own API).", "env": "OPENAI_BASE_URL"},
    )
    api_key: str = field(
        default="",
        repr=False,
        metadata={"help": "API key for the LLM server; optional for a local server. Never printed.",
                  "env": "OPENAI_API_KEY"},
    )
    llm_model: str = field(
        default="",
        metadata={"help": "Model name sent to the LLM server (empty: the server's first model when a "
                          "base URL is set, else gpt-4o-mini)."},
    )
    timeout: float = field(default=60.0, metadata={"help": "Seconds to wait for one LLM reply."})
    retries: int = field(
        default=2,
        metadata={"help": "Retries after a timeout, connection error, 429 or 5xx, with exponential backoff."},
    )
    temperature: float = field(
        default=0.0,
        metadata={"help": "Sampling temperature of the LLM; 0 grades an answer the same way each time."},
    )
    mode: str = field(
        default="auto",
        metadata={"help": "Which grader: 'auto' (the LLM when a base URL or API key is set, else offline), "
                          "'offline' or 'llm'."},
    )
    strictness: str = field(
        default="standard",
        metadata={"help": "How hard both graders mark: 'lenient', 'standard' or 'strict'."},
    )
    web_host: str = field(
        default="127.0.0.1",
        metadata={"help": "Address the web chat listens on: 127.0.0.1 serves this machine only; "
                          "0.0.0.0 serves every network (set web_auth then)."},
    )
    web_port: int = field(default=7860, metadata={"help": "Port of the web chat; 0 picks a free one."})
    web_concurrency: int = field(
        default=4,
        metadata={"help": "How many requests of the web chat (grading, hints, follow-ups) run at once; "
                          "the others wait in a queue."},
    )
    web_auth: str = field(
        default="",
        repr=False,
        metadata={"help": "Login the web chat asks for, as USER:PASSWORD (empty: none). Never printed."},
    )
    until: date | None = field(
        default=None,
        metadata={"help": "Date of your interview, YYYY-MM-DD: reviews grow more frequent as it nears and "
                          "the weakest topics come first (none: no date)."},
    )

    def with_overrides(self, **values: object) -> Settings:
        """A copy with the given non-None values set."""
        known = {f.name for f in fields(self)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"unknown setting '{sorted(unknown)[0]}'")
        clean = {k: coerce(k, v) for k, v in values.items() if v is not None}
        return replace(self, **clean)

    @property
    def login(self) -> tuple[str, str] | None:
        """The web chat's (user, password), or None when it asks for no login."""
        if not self.web_auth:
            return None
        user, password = self.web_auth.split(":", 1)
        return user, password


def coerce(name: str, value: object) -> object:
    """The value as the setting's type, or a ConfigError naming the setting and what it accepts."""
    if name in PATH_SETTINGS:
        return Path(text_setting(name, value, "a text path")).expanduser()
    if name in TEXT_SETTINGS:
        return text_setting(name, value, "text")
    if name == "timeout":
        return number(name, value, float, "a number of seconds above 0", lambda v: v > 0)
    if name == "retries":
        return number(name, value, int, "a whole number from 0 to 10", lambda v: 0 <= v <= 10)
    if name == "temperature":
        return number(name, value, float, "a number from 0 to 2", lambda v: 0 <= v <= 2)
    if name == "web_port":
        return number(name, value, int, "a port number from 0 to 65535", lambda v: 0 <= v <= 65535)
    if name == "web_concurrency":
        return number(name, value, int, "a whole number from 1 to 64", lambda v: 1 <= v <= 64)
    if name == "web_auth":
        return login(value)
    if name == "db":
        return database(value)
    if name == "until":
        return interview_date(value)
    if name in CHOICES:
        return choice(name, value, CHOICES[name])
    return str(value)


def text_setting(name: str, value: object, wanted: str) -> str:
    """VALUE if it is non-empty text (a YAML number or mapping is a mistake here), else a ConfigError."""
    if isinstance(value, Path):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        hint = "; put it in quotes" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
        raise ConfigError(f"setting '{name}' must be {wanted}, not {describe(value)}{hint}")
    return value


def shown(value: object) -> str:
    """A bad value as an error shows it: quoted if it is text or a number, else what kind of value it is."""
    return repr(str(value)) if isinstance(value, (str, int, float)) else describe(value)


def number(name: str, value: object, kind: type, wanted: str, valid: Callable[[float], bool]) -> float | int:
    """VALUE converted to KIND (int or float) and checked, or a one-line ConfigError."""
    try:
        converted = float(str(value).strip())
    except ValueError:
        converted = math.nan
    if kind is int and not converted.is_integer():
        converted = math.nan
    if isinstance(value, bool) or not math.isfinite(converted) or not valid(converted):
        raise ConfigError(f"setting '{name}' must be {wanted}, not {shown(value)}")
    return kind(converted)


def login(value: object) -> str:
    """VALUE if it is empty or USER:PASSWORD with neither empty, else a ConfigError that does not show it."""
    text = str(value).strip()
    user, colon, password = text.partition(":")
    if text and not (colon and user and password):
        raise ConfigError("setting 'web_auth' must be USER:PASSWORD, a colon between two non-empty parts")
    return text


def database(value: object) -> str:
    """VALUE if it is a file path or a PostgreSQL (or SQLite) URL, else a ConfigError that does not show it
    (a URL may hold a password)."""
    text = text_setting("db", value, "a file path or a postgresql:// URL")
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if scheme and scheme not in DATABASE_SCHEMES:
        raise ConfigError(f"setting 'db' must be a file path or a postgresql:// URL, not a {scheme}:// URL")
    return text


def interview_date(value: object) -> date:
    """VALUE as a date (YAML reads 2027-01-15 as one already), or a ConfigError saying the form."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"setting 'until' must be a date as YYYY-MM-DD, not {shown(value)}") from None


def choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """VALUE lower-cased if it is one of ALLOWED, else a one-line ConfigError."""
    text = str(value).strip().lower()
    if text not in allowed:
        raise ConfigError(f"setting '{name}' must be one of {', '.join(allowed)}, not {shown(value)}")
    return text


def config_file(explicit: Path | None = None) -> Path | None:
    """The config file to read: --config, else $INTERVIEWER_CONFIG, else the default one if it exists.

    A file named by --config or INTERVIEWER_CONFIG must exist: a typo there would otherwise be ignored."""
    if explicit is not None:
        return named_file(Path(explicit), f"--config {explicit}")
    from_environment = os.environ.get(CONFIG_VARIABLE)
    if from_environment:
        return named_file(Path(from_environment).expanduser(), f"{CONFIG_VARIABLE}={from_environment}")
    default = user_folder("config", "XDG_CONFIG_HOME", ".config") / "config.yaml"
    return default if default.exists() else None


def named_file(path: Path, origin: str) -> Path:
    """PATH if it exists; else a ConfigError naming where it was given (ORIGIN)."""
    if not path.exists():
        raise ConfigError(f"{origin}: no such file")
    return path


def read_config_file(path: Path) -> PlacedDict:
    """The settings in a YAML config file, each key with its line; an empty file has none."""
    data = read_yaml(path, what=CONFIG_FILE)
    if data is None:
        return PlacedDict()
    if not isinstance(data, PlacedDict):
        raise ConfigError(f"{path}:{line_of(data)}: expected a mapping of setting names to values, "
                          f"not {describe(data)}")
    known = {f.name for f in fields(Settings)}
    for key in data:
        if key not in known:
            raise ConfigError(f"{path}:{data.line_of(key)}: unknown setting {str(key)!r}; "
                              f"known: {', '.join(sorted(known))}")
    return data


def environment_values() -> dict:
    """Settings given as environment variables: INTERVIEWER_<NAME>, or OPENAI_BASE_URL and OPENAI_API_KEY."""
    names = {f.name: env_variable(f.name) for f in fields(Settings)}
    return {name: os.environ[variable] for name, variable in names.items() if os.environ.get(variable)}


def env_variable(name: str) -> str:
    """The environment variable that sets NAME."""
    metadata = next(f.metadata for f in fields(Settings) if f.name == name)
    return metadata.get("env") or ENV_PREFIX + name.upper()


def apply(settings: Settings, values: dict, origin: Callable[[str], str]) -> Settings:
    """SETTINGS with VALUES set; an error names where the bad value came from."""
    for name, value in values.items():
        try:
            settings = settings.with_overrides(**{name: value})
        except ConfigError as exc:
            raise ConfigError(f"{origin(name)}: {exc}") from None
    return settings


def load_settings(config_path: Path | None = None, **flags: object) -> Settings:
    """Settings from defaults, the config file, the environment and command-line flags, in that order."""
    settings = Settings()
    path = config_file(config_path)
    if path is not None:
        values = read_config_file(path)
        settings = apply(settings, values, lambda name: f"{path}:{values.line_of(name)}")
    settings = apply(settings, environment_values(), env_variable)
    return apply(settings, flags, flag_name)


def flag_name(setting: str) -> str:
    """The command-line flag that sets SETTING."""
    return "--" + setting.replace("_", "-")
