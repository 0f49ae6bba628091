"""Prompts from the files in prompts/, one per task, checked when loaded and rendered strictly."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Template

import yaml

from interviewer.errors import ConfigError
from interviewer.shipped import shipped_folder

PROMPTS_DIR = shipped_folder("prompts")
TASKS = ("grade", "follow_up", "hint")
MESSAGE_PARTS = ("system", "user")


@dataclass(frozen=True)
class Prompt:
    """A chat prompt: system and user templates, the variables they use, and named texts to fill in."""

    name: str
    system: Template
    user: Template
    variables: frozenset[str]
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def render(self, **values: object) -> list[dict[str, str]]:
        """The chat messages with every variable filled in; a missing or unknown variable is an error."""
        missing, unknown = self.variables - set(values), set(values) - self.variables
        if missing or unknown:
            problem = f"missing {sorted(missing)}" if missing else f"unknown {sorted(unknown)}"
            raise ConfigError(f"prompt '{self.name}': {problem} variables")
        strings = {name: str(value) for name, value in values.items()}
        return [{"role": part, "content": getattr(self, part).substitute(strings)} for part in MESSAGE_PARTS]

    def text(self, group: str, key: str) -> str:
        """A named text of the prompt file, e.g. text('strictness', 'strict')."""
        try:
            return self.texts[group][key]
        except KeyError:
            raise ConfigError(f"prompt '{self.name}' has no {group} text for {key!r}") from None


def placeholders(template: Template, where: str) -> set[str]:
    """The placeholder names in a template; a malformed '$' is an error naming WHERE."""
    names = set()
    for match in template.pattern.finditer(template.template):
        if match.group("invalid") is not None:
            raise ConfigError(f"{where}: a '$' that is not a placeholder; write '$$' for a dollar sign")
        names.add(match.group("named") or match.group("braced"))
    return names - {None}


def read_prompt(path: Path) -> Prompt:
    """Load one prompt file and check that its declared variables are exactly those its templates use."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the prompt: {exc}") from exc
    if not isinstance(data, dict) or any(not isinstance(data.get(p), str) for p in MESSAGE_PARTS):
        raise ConfigError(f"{path}: a prompt needs 'system' and 'user' texts and a 'variables' list")
    templates = {part: Template(data[part]) for part in MESSAGE_PARTS}
    used = set().union(*(placeholders(t, f"{path} ({part})") for part, t in templates.items()))
    declared = set(data.get("variables") or [])
    if used != declared:
        raise ConfigError(f"{path}: 'variables' lists {sorted(declared)} but the prompt uses {sorted(used)}")
    texts = {k: v for k, v in data.items() if isinstance(v, dict)}
    return Prompt(path.stem, templates["system"], templates["user"], frozenset(declared), texts)


def fence_for(text: str) -> str:
    """A delimiter tag derived from TEXT's hash, so the text cannot contain the line that closes its block."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12].upper()


@cache
def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> Prompt:
    """The prompt for a task ('grade', 'follow_up', 'hint'), read once."""
    path = folder / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"{path}: prompt file missing; the checkout's prompts/ folder has one per task")
    return read_prompt(path)
