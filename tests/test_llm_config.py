"""LLM settings: file, then environment, then flags; numbers checked; the API key never shown."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.config import Settings, load_settings
from interviewer.errors import ConfigError
from interviewer.grading.choice import grader_kind, grader_kinds

SECRET = "sk-test-secret-9876"


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(f"base_url: http://file.example/v1\napi_key: {SECRET}\nllm_model: file-model\n"
                    "timeout: 30\nretries: 4\nstrictness: lenient\n")
    return path


def test_file_then_environment_then_flags(config_file, monkeypatch):
    from_file = load_settings(config_file)
    assert (from_file.base_url, from_file.llm_model, from_file.timeout, from_file.retries) == (
        "http://file.example/v1", "file-model", 30.0, 4)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.example/v1")
    monkeypatch.setenv("INTERVIEWER_LLM_MODEL", "env-model")
    monkeypatch.setenv("INTERVIEWER_TIMEOUT", "12.5")
    monkeypatch.setenv("INTERVIEWER_STRICTNESS", "Strict")
    from_env = load_settings(config_file)
    assert (from_env.base_url, from_env.llm_model, from_env.timeout, from_env.strictness) == (
        "http://env.example/v1", "env-model", 12.5, "strict")
    from_flags = load_settings(config_file, llm_model="flag-model", mode="offline", strictness="standard")
    assert (from_flags.llm_model, from_flags.mode) == ("flag-model", "offline")
    assert from_flags.strictness == "standard"
    assert from_flags.retries == 4 and from_flags.api_key == SECRET


@pytest.mark.parametrize(("values", "kind", "kinds"), [
    ({}, "offline", ["offline"]),
    ({"base_url": "http://127.0.0.1:8080/v1"}, "llm", ["llm", "offline"]),
    ({"api_key": SECRET}, "llm", ["llm", "offline"]),
    ({"base_url": "http://127.0.0.1:8080/v1", "mode": "offline"}, "offline", ["llm", "offline"]),
    ({"mode": "llm"}, "llm", ["llm", "offline"]),
])
def test_auto_mode_uses_the_llm_when_one_is_configured(values, kind, kinds):
    settings = Settings().with_overrides(**values)
    assert grader_kind(settings) == kind
    assert grader_kinds(settings) == kinds


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("INTERVIEWER_TIMEOUT", "soon", "INTERVIEWER_TIMEOUT: setting 'timeout' must be a number of seconds"),
    ("INTERVIEWER_TIMEOUT", "-1", "setting 'timeout' must be a number of seconds above 0, not '-1'"),
    ("INTERVIEWER_RETRIES", "2.5", "INTERVIEWER_RETRIES: setting 'retries' must be a whole number"),
    ("INTERVIEWER_TEMPERATURE", "nan", "setting 'temperature' must be a number from 0 to 2"),
    ("INTERVIEWER_MODE", "cloud", "setting 'mode' must be one of auto, offline, llm, not 'cloud'"),
    ("INTERVIEWER_STRICTNESS", "harsh", "setting 'strictness' must be one of lenient, standard, strict"),
])
def test_bad_values_are_one_line_errors_naming_the_setting(variable, value, message, monkeypatch):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings()
    assert "\n" not in str(caught.value)


def test_a_bad_value_in_the_file_names_the_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("retries: many\n")
    with pytest.raises(ConfigError, match=r"config.yaml:1: setting 'retries' must be a whole number"):
        load_settings(path)


def test_numbers_from_yaml_and_strings_are_coerced(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("timeout: 5\nretries: '3'\ntemperature: 0.2\n")
    settings = load_settings(path)
    assert settings.timeout == 5.0 and isinstance(settings.timeout, float)
    assert settings.retries == 3 and isinstance(settings.retries, int) and settings.temperature == 0.2


def test_the_api_key_is_never_printed(config_file, monkeypatch):
    settings = load_settings(config_file)
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("INTERVIEWER_TIMEOUT", "never")
    result = CliRunner().invoke(cli, ["--config", str(config_file), "topics"])
    assert result.exit_code == 2 and result.output.startswith("Error: INTERVIEWER_TIMEOUT")
    assert SECRET not in result.output


def test_cli_flags_choose_the_grader_and_strictness(index, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    runner = CliRunner()
    answer = "Adam adapts the learning rate of every parameter using averages of past gradients."

    def graded(*flags: str) -> dict:
        result = runner.invoke(cli, [*flags, "grade", "-q", "F004-37", "-a", answer, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    lenient = graded("--offline", "--strictness", "lenient")
    strict = graded("--offline", "--strictness", "strict")
    assert lenient["grader"] == strict["grader"] == "offline" and not lenient["notes"]
    assert lenient["score"] > strict["score"]


def test_llm_mode_without_a_server_or_key_is_a_clear_error(index):
    result = CliRunner().invoke(cli, ["--llm", "grade", "-q", "F004-37", "-a", "Adam adapts learning rates."])
    assert result.exit_code == 2
    assert "Error: no LLM configured: set OPENAI_BASE_URL" in result.output
