"""The wheel carries the bank and the prompts: corpus/ and prompts/ stay at the top of the checkout as the
sources, and are copied into the package (interviewer/_shipped/) when it is built. See interviewer/shipped.py.
Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED_FOLDERS = ("corpus", "prompts")


class BuildWithBankAndPrompts(build_py):
    """build_py, then the bank and prompts copied into the built package."""

    def run(self) -> None:
        super().run()
        for name in SHIPPED_FOLDERS:
            target = Path(self.build_lib) / "interviewer" / "_shipped" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / name, target, ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": BuildWithBankAndPrompts})
