"""Where the shipped question bank and prompts are: inside the installed package when it was installed
from a wheel, else the checkout's top-level corpus/ and prompts/ folders, which are their sources
(setup.py copies them into the wheel)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
IN_WHEEL = "_shipped"  # the folder of the package that holds the copies in a wheel
SHIPPED_FOLDERS = ("corpus", "prompts")


def shipped_folder(name: str) -> Path:
    """The shipped folder NAME ('corpus' or 'prompts'): the installed copy, else the checkout's."""
    installed = PACKAGE_DIR / IN_WHEEL / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name
