"""One settings object: defaults, then the YAML config file, then INTERVIEWER_* variables, then flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from interviewer.errors import ConfigError

ENV_PREFIX = "INTERVIEWER_"
SHIPPED_MODEL = "all-MiniLM-L6-v2"


def user_folder(kind: str, env_var: str, fallback: str) -> Path:
    """A per-user folder (config, data or cache) following the XDG conventions."""
    base = os.environ.get(env_var)
    return Path(base) / "interviewer" if base else Path.home() / fallback / "interviewer"


def default_bank() -> Path:
    """The bank shipped in the checkout's corpus/ folder."""
    return Path(__file__).resolve().parent.parent / "corpus"


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
    device: str = field(default="cpu", metadata={"help": "Torch device for the embedding model."})

    def with_overrides(self, **values: object) -> Settings:
        """A copy with the given non-None values set."""
        known = {f.name for f in fields(self)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"unknown setting '{sorted(unknown)[0]}'")
        clean = {k: coerce(k, v) for k, v in values.items() if v is not None}
        return replace(self, **clean)


def coerce(name: str, value: object) -> object:
    """Paths for the path settings, strings for the rest."""
    if name in ("bank", "cache_dir", "data_dir"):
        return Path(str(value)).expanduser()
    return str(value)


def default_config_path() -> Path:
    """The user's config file: $INTERVIEWER_CONFIG or ~/.config/interviewer/config.yaml."""
    explicit = os.environ.get(ENV_PREFIX + "CONFIG")
    return Path(explicit) if explicit else user_folder("config", "XDG_CONFIG_HOME", ".config") / "config.yaml"


def read_config_file(path: Path) -> dict:
    """The settings in a YAML config file; an absent default file is empty."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of setting names to values")
    known = {f.name for f in fields(Settings)}
    for key in data:
        if key not in known:
            raise ConfigError(f"{path}: unknown setting '{key}'; known: {', '.join(sorted(known))}")
    return data


def environment_values() -> dict:
    """Settings given as INTERVIEWER_<NAME> environment variables."""
    return {
        f.name: os.environ[ENV_PREFIX + f.name.upper()]
        for f in fields(Settings)
        if os.environ.get(ENV_PREFIX + f.name.upper())
    }


def load_settings(config_path: Path | None = None, **flags: object) -> Settings:
    """Settings from defaults, the config file, the environment and command-line flags, in that order."""
    path = config_path or default_config_path()
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: no such config file")
    settings = Settings().with_overrides(**read_config_file(path))
    return settings.with_overrides(**environment_values()).with_overrides(**flags)
