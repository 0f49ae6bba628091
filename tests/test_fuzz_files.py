"""Bank and config files fuzzed with Hypothesis: random YAML structures, field types, raw YAML-like text and
encodings (UTF-8, UTF-16, Latin-1, stray bytes). Loading gives a valid bank or settings, or the project's
one-line error naming the file; never another exception.

Four properties of 100 examples each: 400 files per run, derandomized so every run (and CI) tries the
same files.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer.config import Settings, load_settings
from interviewer.corpus import OPTIONAL, REQUIRED, Bank, load_bank
from interviewer.errors import ConfigError, CorpusError

from .conftest import CORPUS

EXAMPLES = 100
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252")
SETTING_NAMES = sorted(Settings.__dataclass_fields__)
PLAUSIBLE_VALUES = ("30", 30, 0.5, "offline", "llm", "strict", "http://127.0.0.1:8080/v1", "~/interviews",
                    "cpu", "alice:secret", 7860, True, None, "")
YAML_LIKE = "[]{}:-,?&*!|>'\"#%@` \n\t.~abc019éx\x00\x85\ufeff"
FIRST_ENTRY = yaml.safe_load((CORPUS / "qa-000.yaml").read_text())[0]

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
           | st.sampled_from(PLAUSIBLE_VALUES))
structures = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=4),
                          max_leaves=20)
yaml_like_text = st.text(alphabet=st.sampled_from(YAML_LIKE) | st.characters(), max_size=300)


def dumped(value: object, unicode: bool) -> str:
    return yaml.safe_dump(value, allow_unicode=unicode, sort_keys=False)


@st.composite
def file_bytes(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> bytes:
    """TEXTS in UTF-8 half the time, else in another encoding; half the time with stray bytes spliced in."""
    data = draw(texts).encode(draw(st.just("utf-8") | st.sampled_from(ENCODINGS)), errors="replace")
    stray = draw(st.just(b"") | st.binary(min_size=1, max_size=6))
    where = draw(st.integers(0, len(data)))
    return data[:where] + stray + data[where:]


@st.composite
def mutated_entries(draw: st.DrawFn) -> list:
    """One to three copies of a real bank entry with fields removed, added or given random values."""
    entries = []
    for _ in range(draw(st.integers(1, 3))):
        entry = copy.deepcopy(FIRST_ENTRY)  # shared lists would be dumped as aliases
        for field in draw(st.lists(st.sampled_from([*REQUIRED, *OPTIONAL, "extra"]), max_size=3)):
            if draw(st.booleans()):
                entry.pop(field, None)
            else:
                entry[field] = draw(structures)
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def fuzz_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bank folder with the shipped taxonomy, into which each example writes its one question file."""
    folder = tmp_path_factory.mktemp("fuzz-bank")
    shutil.copy(CORPUS / "taxonomy.yaml", folder)
    return folder


def loads_or_names_the_file(load, error: type[Exception], path: Path) -> object:
    """LOAD's result, or None after checking its error is ERROR, one line, and starts with PATH[:LINE]."""
    try:
        return load()
    except error as exc:
        message = str(exc)
        assert "\n" not in message and exc.exit_code == 2
        assert re.match(rf"{re.escape(str(path))}(:\d+)?: \S", message), message
        return None


def bank_file_loads_or_names_it(folder: Path, content: bytes) -> None:
    path = folder / "fuzz.yaml"
    path.write_bytes(content)
    bank = loads_or_names_the_file(lambda: load_bank(folder), CorpusError, path)
    assert bank is None or isinstance(bank, Bank)


def config_file_loads_or_names_it(folder: Path, content: bytes) -> None:
    path = folder / "config.yaml"
    path.write_bytes(content)
    loaded = loads_or_names_the_file(lambda: load_settings(path), ConfigError, path)
    assert loaded is None or isinstance(loaded, Settings)


@FUZZ
@given(content=file_bytes(st.builds(dumped, structures | mutated_entries(), st.booleans()) | yaml_like_text))
def test_random_bank_files_load_or_give_one_line(fuzz_bank, content):
    bank_file_loads_or_names_it(fuzz_bank, content)


@FUZZ
@given(entries=mutated_entries(), unicode=st.booleans())
def test_bank_entries_with_random_fields_load_or_give_one_line(fuzz_bank, entries, unicode):
    bank_file_loads_or_names_it(fuzz_bank, dumped(entries, unicode).encode())


@FUZZ
@given(values=st.dictionaries(st.sampled_from(SETTING_NAMES), structures, max_size=5),
       unicode=st.booleans())
def test_config_files_with_random_values_load_or_give_one_line(tmp_path, values, unicode):
    config_file_loads_or_names_it(tmp_path, dumped(values, unicode).encode())


@FUZZ
@given(content=file_bytes(st.builds(dumped, structures, st.booleans()) | yaml_like_text))
def test_random_config_files_load_or_give_one_line(tmp_path, content):
    config_file_loads_or_names_it(tmp_path, content)
