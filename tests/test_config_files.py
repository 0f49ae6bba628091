"""Issue 14's config rows, each reproduced through the real command: a config file that is not UTF-8, not
valid YAML or holds a mapping where a path belongs, and INTERVIEWER_CONFIG naming no file, are each one
'Error: ...' line naming the file (and line) with exit 2, never a traceback or a silent default."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.config import load_settings
from interviewer.errors import ConfigError

from .interviewer_process import one_error_line, run_interviewer


def config(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "config.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_a_latin1_config_file_names_the_file_line_and_byte(tmp_path):
    path = config(tmp_path, "timeout: 30\n# r\u00e9glages de l'entretien\n".encode("latin-1"))
    message = one_error_line(run_interviewer("--config", str(path), "topics"))
    assert message == f"{path}:2: not UTF-8 text (byte 0xe9 at offset 15); save the config file as UTF-8"


def test_a_binary_config_file_names_the_file(tmp_path):
    path = config(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    message = one_error_line(run_interviewer("topics", INTERVIEWER_CONFIG=str(path)))
    assert message == f"{path}:1: not UTF-8 text (byte 0x89 at offset 0); save the config file as UTF-8"


def test_a_mapping_as_data_dir_is_refused_before_anything_is_written(tmp_path):
    path = config(tmp_path, "timeout: 30\nstrictness: lenient\ndata_dir: {a: 1}\n")
    result = run_interviewer("--config", str(path), "grade", "-q", "ML0044", "-a", "An answer.", cwd=tmp_path)
    assert one_error_line(result) == f"{path}:3: setting 'data_dir' must be a text path, not a mapping"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_interviewer_config_naming_no_file_is_an_error_like_config(tmp_path):
    missing = tmp_path / "nonexistent"
    from_environment = run_interviewer("topics", INTERVIEWER_CONFIG=str(missing))
    assert one_error_line(from_environment) == f"INTERVIEWER_CONFIG={missing}: no such file"
    from_flag = run_interviewer("--config", str(missing), "topics")
    assert one_error_line(from_flag) == f"--config {missing}: no such file"


def test_an_invalid_yaml_config_is_one_line_naming_file_and_line(tmp_path):
    path = config(tmp_path, "timeout: 30\nmode: [offline\nretries: 2\n")
    message = one_error_line(run_interviewer("topics", INTERVIEWER_CONFIG=str(path)))
    assert message == (f"{path}:3: invalid YAML: expected ',' or ']', but got ':' "
                       "(while parsing a flow sequence at line 2)")
    assert "<unicode string>" not in message


@pytest.mark.parametrize(("content", "message"), [
    ("timeout: 30\ntimeout: 60\n", "2: duplicate key 'timeout' (first at line 1)"),
    ("timeout: 30\nllm_model: 7\n", "2: setting 'llm_model' must be text, not a number; put it in quotes"),
    ("bank: [corpus]\n", "1: setting 'bank' must be a text path, not a list"),
    ("cache_dir: ''\n", "1: setting 'cache_dir' must be a text path, not empty"),
    ("strictness: lenient\ncolour: blue\n", "2: unknown setting 'colour'; known: api_key, bank, base_url, "
     "cache_dir, data_dir, db, device, embedding_runtime, llm_model, mode, model, retries, strictness, "
     "temperature, timeout, until, web_auth, web_concurrency, web_host, web_port"),
    ("- timeout: 30\n", "1: expected a mapping of setting names to values, not a list"),
    ("timeout: {a: {b: {c: {d: {e: 1}}}}}\n",
     "1: values nested more than 5 levels deep, too deep for a config file"),
])
def test_config_file_mistakes_name_the_file_and_line(tmp_path, content, message):
    path = config(tmp_path, content)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path}:{message}"


def test_an_oversized_config_file_is_refused_before_parsing(tmp_path):
    path = config(tmp_path, "timeout: 30\n" + "# a comment line of some length\n" * 4_000)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == (f"{path}: {path.stat().st_size:,} bytes; a config file may hold at most "
                                 "100,000 (split it, or check that it is the right file)")


def test_an_empty_config_file_and_text_paths_are_fine(tmp_path):
    assert load_settings(config(tmp_path, "")).timeout == 60.0
    settings = load_settings(config(tmp_path, "data_dir: ~/interviews\ntimeout: 5\n"))
    assert settings.data_dir == Path("~/interviews").expanduser() and settings.timeout == 5.0
