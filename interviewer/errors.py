"""Errors whose messages tell the user what went wrong and what to do."""


class InterviewerError(Exception):
    """Base class for every error the CLI reports as a one-line message."""

    exit_code = 1


class CorpusError(InterviewerError):
    """A question bank or source document is malformed."""

    exit_code = 2


class ConfigError(InterviewerError):
    """The configuration names something that cannot be used."""

    exit_code = 2


class BackendError(InterviewerError):
    """An embedding model, index or grader could not do its work."""
