"""The `interviewer` command line: ask, review, stats, web, grade, calibrate, history, topics, search,
index, ingest, import, export, eval."""

from __future__ import annotations

import functools
import io
import json
import random
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click

from interviewer import display, practice
from interviewer.config import STRICTNESS_LEVELS, Settings, apply, flag_name, load_settings
from interviewer.crash_log import record_unexpected, unexpected_message
from interviewer.errors import CorpusError, InterviewerError
from interviewer.history import LOCAL_USER, Entry, open_history
from interviewer.models import Grade, Question
from interviewer.runtime import Runtime
from interviewer.selection import review_questions, select_questions
from interviewer.session import EmptyAnswerError, Interview

SKIP_WORDS = {"/skip", "skip"}
HINT_WORDS = {"/hint", "hint"}
QUIT_WORDS = {"/quit", "quit", "/exit", "exit"}


class ReportingGroup(click.Group):
    """Turns any error into one 'Error: ...' line and a non-zero exit: an InterviewerError says what to
    do; anything else is a bug, its traceback written to the data folder's error log, named in the line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InterviewerError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # the last resort: one line, never a traceback
            settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
            log = record_unexpected(exc, settings.data_dir)
            click.echo(f"Error: {unexpected_message(exc, log)}", err=True)
            sys.exit(1)


def grader_flags(function: Callable) -> Callable:
    """Adds the grader's flags, --offline, --llm, --llm-model and --strictness, to a group or command."""
    options = [
        click.option("--offline", "mode", flag_value="offline", help="Grade with the offline grader only."),
        click.option("--llm", "mode", flag_value="llm",
                     help="Grade with the LLM at OPENAI_BASE_URL (or OpenAI)."),
        click.option("--llm-model", help="Model name to ask the LLM server for."),
        click.option("--strictness", type=click.Choice(STRICTNESS_LEVELS), help="How hard to mark."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def takes_grader_flags(command: Callable) -> Callable:
    """Gives a command the grader's flags too: given after the command, they override those before it."""

    @functools.wraps(command)
    def with_grader_settings(*args: object, mode: str | None, llm_model: str | None, strictness: str | None,
                             **kwargs: object) -> object:
        ctx = click.get_current_context()
        flags = {"mode": mode, "llm_model": llm_model, "strictness": strictness}
        ctx.obj = apply(ctx.obj, {k: v for k, v in flags.items() if v is not None}, flag_name)
        return command(*args, **kwargs)

    return grader_flags(with_grader_settings)


DB_HELP = ("The history's database: a SQLite file or a postgresql:// URL (default: history.sqlite3 in the "
           "data folder).")


def takes_db_flag(command: Callable) -> Callable:
    """Gives a command --db too: given after the command, it overrides one before it."""

    @click.option("--db", metavar="PATH_OR_URL", help=DB_HELP)
    @functools.wraps(command)
    def with_db_setting(*args: object, db: str | None, **kwargs: object) -> object:
        ctx = click.get_current_context()
        if db is not None:
            ctx.obj = apply(ctx.obj, {"db": db}, flag_name)
        return command(*args, **kwargs)

    return with_db_setting


def until_option(command: Callable) -> Callable:
    """Adds --until DATE (the interview's date), which overrides the `until` setting."""

    @functools.wraps(command)
    def with_until(*args: object, until: datetime | None, **kwargs: object) -> object:
        if until is not None:
            ctx = click.get_current_context()
            ctx.obj = apply(ctx.obj, {"until": until.date()}, flag_name)
        return command(*args, **kwargs)

    return click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                        help="Date of your interview: reviews grow more frequent as it nears, the weakest "
                             "topics first (default: the 'until' setting).")(with_until)


def local_now() -> datetime:
    """The time now in this machine's timezone: days, streaks and due dates are the candidate's."""
    return datetime.now().astimezone()


@click.group(cls=ReportingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--bank", type=click.Path(path_type=Path), help="Question bank folder (default: corpus/).")
@click.option("--model", help="Embedding model: local folder or cached hub id (default: shipped MiniLM).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="YAML config file.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where indexes are cached.")
@click.option("--db", metavar="PATH_OR_URL", help=DB_HELP)
@grader_flags
@click.version_option(package_name="interviewer")
@click.pass_context
def cli(ctx: click.Context, bank: Path | None, model: str | None, config_path: Path | None,
        cache_dir: Path | None, db: str | None, mode: str | None, llm_model: str | None,
        strictness: str | None) -> None:
    """A mock interviewer for ML and deep-learning interviews, graded offline or by an LLM."""
    ctx.obj = load_settings(config_path, bank=bank, model=model, cache_dir=cache_dir, db=db, mode=mode,
                            llm_model=llm_model, strictness=strictness)


def runtime_for(ctx: click.Context) -> Runtime:
    """The runtime for this invocation's settings."""
    settings: Settings = ctx.obj
    return Runtime(settings, notify=say_dimly)


def say_dimly(message: str) -> None:
    """A notice on stderr while the user waits (the LLM being retried, say)."""
    click.echo(click.style(message, dim=True), err=True)


def wait_notice() -> None:
    say_dimly("Loading the embedding model and index...")


def grade_saved_answers(runtime: Runtime) -> None:
    """Grade the answers saved but not graded last time (the process ended first), and say how many."""
    count = runtime.grade_saved(LOCAL_USER, wait_notice)
    if count:
        click.echo(display.graded_last_time(count), err=True)


def graded(runtime: Runtime, question: Question, answer: str, my_grade: float | None = None,
           my_reason: str = "") -> Grade:
    """One answer graded by a one-question interview: saved first, so it survives a failing grader; MY_GRADE,
    when given, recorded beside the grade as the candidate's own (a follow-up, if one is asked, declined)."""
    interview = runtime.interview([question], on_wait=wait_notice)
    try:
        grade = interview.answer(answer)
    except EmptyAnswerError:
        raise EmptyAnswerError("the answer is empty (nothing but spaces or control characters): give its "
                               "text with --answer, or '--answer -' to read it from stdin") from None
    if my_grade is not None:
        if interview.phase == "follow-up":
            interview.skip()
        interview.disagree(my_grade, my_reason)
    for said in interview.transcript:
        if said.kind == "notice":
            click.echo(said.text, err=True)
    return grade


def own_grade_flags(command: Callable) -> Callable:
    """Adds --my-grade and --my-reason: the candidate's own grade of the answer, kept beside the grader's."""
    command = click.option("--my-reason", default="", help="Why you grade it so (with --my-grade).")(command)
    return click.option("--my-grade", type=click.FloatRange(0, 10), metavar="0-10",
                        help="Your own grade of the answer, recorded beside the grader's (what `stats` "
                             "compares and `calibrate` learns from).")(command)


def emit_grade(grade: Grade, as_json: bool) -> None:
    click.echo(json.dumps(grade.to_dict(), indent=2, ensure_ascii=False) if as_json
               else display.grade_block(grade))


def stdin_text() -> str:
    """All of standard input as text; bytes that are not UTF-8 arrive as lone surrogates, which the
    interview replaces (and says so) rather than failing on them."""
    stream = getattr(sys.stdin, "buffer", None)
    return sys.stdin.read() if stream is None else stream.read().decode("utf-8", "surrogateescape")


def typed_line(prompt: str) -> str:
    """One line typed at PROMPT; bytes that are not UTF-8 arrive as lone surrogates, as with stdin_text,
    where the terminal's strict decoding would stop the interview."""
    if isinstance(sys.stdin, io.TextIOWrapper) and sys.stdin.errors == "strict":
        sys.stdin.reconfigure(errors="surrogateescape")
    return input(prompt)


def read_answer(hint: Callable[[], object]) -> str | None:
    """A multi-line answer ended by an empty line or end of input; None at end of input with no text.

    '/hint' on any line asks for a hint (HINT shows it) and goes on reading; '/skip' or '/quit' as the first
    line is returned.
    """
    click.echo(click.style("Your answer (end with an empty line; /hint, /skip, /quit):", dim=True))
    lines: list[str] = []
    while True:
        try:
            line = typed_line("> " if not lines else "  ")
        except EOFError:
            return "\n".join(lines) if lines else None
        if line.strip().lower() in HINT_WORDS:
            hint()
            continue
        if not line.strip():
            if lines:
                return "\n".join(lines)
            continue
        lines.append(line)
        if len(lines) == 1 and line.strip().lower() in SKIP_WORDS | QUIT_WORDS:
            return line.strip().lower()


class Conversation:
    """The terminal's side of an interview: it prints what the interview says and passes on what the
    candidate types; after a grade it goes on to the next question."""

    def __init__(self, interview: Interview) -> None:
        self.interview = interview
        self.shown = 0

    def show_new(self) -> None:
        """Print what the interview said since last time."""
        total = len(self.interview.questions)
        for said in self.interview.transcript[self.shown:]:
            block = display.said_block(said, total)
            if block:
                click.echo(block)
        self.shown = len(self.interview.transcript)

    def hint(self) -> None:
        self.interview.hint()
        self.show_new()

    def answer(self, reply: str) -> None:
        """Pass on an answer; an empty one (only control characters) is said and the question stays."""
        if self.interview.grader.name == "llm":
            click.echo(click.style("Grading...", dim=True))
        try:
            self.interview.answer(reply)
        except EmptyAnswerError as exc:
            self.interview.report_error(str(exc))

    def run(self) -> Interview:
        """Ask each question and pass on each answer, until the interview ends or the candidate quits."""
        interview = self.interview
        while interview.phase != "ended":
            self.show_new()
            if interview.phase == "graded":
                interview.next()
                continue
            reply = read_answer(self.hint)
            if reply is None or reply in QUIT_WORDS:
                interview.end()
            elif reply in SKIP_WORDS:
                interview.skip()
            else:
                self.answer(reply)
        self.show_new()
        return interview


@cli.command()
@click.option("--topic", "-t", "topics", multiple=True, help="Topic tag or free text; repeatable.")
@click.option("--count", "-n", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many questions to ask.")
@click.option("--question", "-q", "question_id", help="Ask this question id instead of choosing.")
@click.option("--answer", "-a", help="Grade this answer to the first question and exit ('-' reads stdin).")
@click.option("--json", "as_json", is_flag=True, help="Print the grade as JSON (with --answer).")
@click.option("--seed", type=int, help="Seed for the question order.")
@own_grade_flags
@until_option
@takes_grader_flags
@takes_db_flag
@click.pass_context
def ask(ctx: click.Context, topics: tuple[str, ...], count: int, question_id: str | None,
        answer: str | None, as_json: bool, seed: int | None, my_grade: float | None, my_reason: str) -> None:
    """Run a mock interview: ask questions (due ones first, then new ones), read answers, grade them."""
    runtime = runtime_for(ctx)
    grade_saved_answers(runtime)
    if question_id:
        questions = [runtime.bank.get(question_id)]
    else:
        questions = runtime.questions_on(list(topics), count, random.Random(seed), wait_notice,
                                         practice.practice_records(runtime), local_now())
    if answer is not None:
        text = stdin_text() if answer == "-" else answer
        if not as_json:
            click.echo(display.question_block(questions[0], 1, 1))
        emit_grade(graded(runtime, questions[0], text, my_grade, my_reason), as_json)
        return
    if my_grade is not None:
        raise click.UsageError("--my-grade grades the answer given with --answer")
    converse(runtime, questions)


def converse(runtime: Runtime, questions: list[Question]) -> None:
    """A mock interview in the terminal on QUESTIONS, summed up however it ends."""
    runtime.start_loading()
    interview = runtime.interview(questions, on_wait=wait_notice)
    try:
        Conversation(interview).run()
    except KeyboardInterrupt:
        click.echo("\nStopped.")
    finally:  # what was answered is summed up however the interview ends
        if interview.turns:
            click.echo(display.summary_block(interview.summary()))


@cli.command()
@click.option("--topic", "-t", "topics", multiple=True, help="Only questions on this topic; repeatable.")
@click.option("--count", "-n", type=click.IntRange(min=1), default=5, show_default=True,
              help="At most this many questions.")
@click.option("--weak", is_flag=True, help="Ask the questions holding the key points you miss most.")
@until_option
@takes_grader_flags
@click.pass_context
def review(ctx: click.Context, topics: tuple[str, ...], count: int, weak: bool) -> None:
    """Answer again the questions that are due (spaced repetition over your past answers)."""
    runtime = runtime_for(ctx)
    records = practice.practice_records(runtime)
    candidates = select_questions(runtime.bank, list(topics), lambda: runtime.index(wait_notice))
    now = local_now()
    questions = review_questions(candidates, records, count, now, runtime.settings.until, weak)
    if not questions:
        click.echo(nothing_to_review(records, weak))
        return
    converse(runtime, questions)


def nothing_to_review(records: list, weak: bool) -> str:
    """Why review has no question to ask, and what to do instead."""
    if not records:
        return "No answers recorded yet: `interviewer ask` asks new questions."
    if weak:
        return "No key point missed yet on these topics: `interviewer ask` asks new questions."
    return "Nothing is due now on these topics: `interviewer ask` asks new ones; `interviewer stats` shows " \
           "what is due this week."


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the progress as one JSON object.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.png",
              help="Also draw the mean score per day and per topic to this PNG file.")
@until_option
@click.pass_context
def stats(ctx: click.Context, as_json: bool, plot: Path | None) -> None:
    """Your progress: answers, scores and recall per topic, streak, weakest key points, what is due."""
    from interviewer.practice.progress import bank_topics, figure, progress, rich_text

    runtime = runtime_for(ctx)
    result = progress(practice.practice_records(runtime), bank_topics(runtime.bank), local_now(),
                      runtime.settings.until)
    if plot is not None:
        write_plot(figure(result), plot)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(rich_text(result, colour=sys.stdout.isatty()), nl=False)


def write_plot(drawing: object, path: Path) -> None:
    """Save the progress figure as PNG to PATH; with nothing graded there is nothing to draw."""
    if drawing is None:
        raise InterviewerError(f"{path}: nothing to draw yet: no answer has been graded")
    try:
        drawing.savefig(path, format="png")
    except OSError as exc:
        raise InterviewerError(f"{path}: cannot write: {exc.strerror}") from exc
    click.echo(f"Wrote the progress chart to {path}", err=True)


@cli.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every "
                             "network, deliberately).")
@click.option("--port", type=int, help="Port to listen on (default 7860; 0 picks a free one).")
@click.option("--auth", metavar="USER:PASSWORD", help="Ask for this login, for a shared deployment.")
@click.option("--concurrency", type=int, help="How many requests run at once (default 4); others queue.")
@takes_grader_flags
@takes_db_flag
@click.pass_context
def web(ctx: click.Context, host: str | None, port: int | None, auth: str | None,
        concurrency: int | None) -> None:
    """Serve the mock interview as a web chat and print its URL."""
    from interviewer.web.app import serve

    flags = {"web_host": host, "web_port": port, "web_auth": auth, "web_concurrency": concurrency}
    settings = apply(ctx.obj, {k: v for k, v in flags.items() if v is not None},
                     lambda name: "--" + name.removeprefix("web_"))
    serve(settings, click.echo)


@cli.command()
@click.option("--question", "-q", "question_id", required=True, help="Question id, e.g. ML0023.")
@click.option("--answer", "-a", required=True, help="The answer text ('-' reads stdin).")
@click.option("--json", "as_json", is_flag=True, help="Print the grade as JSON.")
@own_grade_flags
@takes_grader_flags
@takes_db_flag
@click.pass_context
def grade(ctx: click.Context, question_id: str, answer: str, as_json: bool, my_grade: float | None,
          my_reason: str) -> None:
    """Grade one answer to one question."""
    runtime = runtime_for(ctx)
    grade_saved_answers(runtime)
    question = runtime.bank.get(question_id)
    text = stdin_text() if answer == "-" else answer
    emit_grade(graded(runtime, question, text, my_grade, my_reason), as_json)


USER_OPTION = click.option("--user", help="Whose history (default: local): the terminal's is 'local'; the "
                                          "web chat's are its logins' user names.")


@cli.group(invoke_without_command=True)
@click.option("--question", "-q", "question_id", help="Only the answers to this question id.")
@click.option("--show", "entry_id", metavar="ENTRY", help="Print one entry (its id, or the id's start) with "
                                                          "its grade card, as `history show ENTRY` does.")
@click.option("--export", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the history to FILE as JSON Lines, oldest first ('-': standard output).")
@click.option("--delete", is_flag=True, help="Delete the whole history of the user, after asking.")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
@USER_OPTION
@takes_db_flag
@click.pass_context
def history(ctx: click.Context, question_id: str | None, entry_id: str | None, export: Path | None,
            delete: bool, yes: bool, user: str | None) -> None:
    """List past answers, newest first: time, question, score and grader; show, export or delete them."""
    user = user or LOCAL_USER
    if ctx.invoked_subcommand is not None:
        if question_id or entry_id or export or delete:
            raise click.UsageError(f"`history {ctx.invoked_subcommand}` takes no --question, --show, "
                                   "--export or --delete")
        return
    if sum(map(bool, (entry_id, export, delete))) > 1:
        raise click.UsageError("choose one of --show, --export and --delete")
    if delete and question_id:
        raise click.UsageError("--delete deletes the whole history; it takes no --question")
    settings: Settings = ctx.obj
    if entry_id:
        show_entry(settings, user, entry_id)
        return
    past = open_history(settings.db, settings.data_dir)
    if export:
        write_jsonl(export, [e.to_dict() for e in past.entries(user, question_id, newest_first=False)],
                    "history entries")
    elif delete:
        count = len(past.entries(user))
        if count and not yes:
            click.confirm(f"Delete all {count} entries of {user}'s history at {past.where}?", abort=True)
        click.echo(f"Deleted {past.delete(user)} entries from {user}'s history.")
    else:
        rows = past.entries(user, question_id)
        for entry in rows:
            click.echo(display.entry_line(entry))
        if not rows:
            wanted = f" to {question_id}" if question_id else ""
            click.echo(f"No answers{wanted} in {user}'s history at {past.where}.")


@cli.command()
@click.option("--reset", is_flag=True, help="Remove the calibration: grades are the grader's as is again.")
@USER_OPTION
@takes_db_flag
@click.pass_context
def calibrate(ctx: click.Context, reset: bool, user: str | None) -> None:
    """Map the grader's scores to your own standard, learnt from your own grades (--my-grade, I disagree)."""
    from interviewer.grading import calibration as own_standard

    settings: Settings = ctx.obj
    user = user or LOCAL_USER
    if reset:
        removed = own_standard.reset_calibration(settings.data_dir, user)
        click.echo(f"Removed {user}'s calibration: grades are the grader's as is." if removed
                   else f"{user} has no calibration to remove.")
        return
    entries = open_history(settings.db, settings.data_dir).entries(user, newest_first=False)
    calibration, agreement = own_standard.calibrate(own_standard.own_grade_pairs(entries))
    path = own_standard.save_calibration(calibration, settings.data_dir, user)
    click.echo(display.calibration_report(calibration, agreement))
    click.echo(f"Saved to {path}: every grade from now on is mapped through it; "
               "`interviewer calibrate --reset` removes it.")


@history.command("show")
@click.argument("entry_id", metavar="ENTRY")
@USER_OPTION
@takes_db_flag
@click.pass_context
def history_show(ctx: click.Context, entry_id: str, user: str | None) -> None:
    """Print one entry (its id, or the id's start) with its grade card."""
    show_entry(ctx.obj, user or ctx.parent.params["user"] or LOCAL_USER, entry_id)


def show_entry(settings: Settings, user: str, entry_id: str) -> None:
    """USER's entry ENTRY_ID with its question and grade card."""
    entry = open_history(settings.db, settings.data_dir).entry(user, entry_id)
    click.echo(display.entry_block(entry, known_question(settings, entry)))


def known_question(settings: Settings, entry: Entry) -> Question | None:
    """ENTRY's question in the bank, or None when the bank no longer has it."""
    try:
        return Runtime(settings).bank.get(entry.question_id)
    except CorpusError:
        return None


@cli.command()
@click.pass_context
def topics(ctx: click.Context) -> None:
    """List the bank's topics and how many questions each has."""
    bank = runtime_for(ctx).bank
    for topic in bank.taxonomy:
        count = sum(1 for q in bank.questions if topic.name in q.topics)
        click.echo(f"{topic.name:20s} {count:3d}  {topic.title}")
    click.echo(f"{len(bank.questions)} questions in {bank.folder}")


@cli.command()
@click.argument("query")
@click.option("--limit", "-k", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """Find questions by meaning."""
    hits = runtime_for(ctx).index().search(query, limit)
    if as_json:
        rows = [{"id": h.question.id, "score": round(h.score, 4), "question": h.question.question}
                for h in hits]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for hit in hits:
        click.echo(f"{hit.score:.3f}  {hit.question.id:8s} {hit.question.question}")


@cli.command()
@click.option("--check", is_flag=True,
              help="Only check the cached index (sizes, checksums, shapes): exit 0 if it is current.")
@click.option("--rebuild", is_flag=True, help="Rebuild even if a current index is cached.")
@click.pass_context
def index(ctx: click.Context, check: bool, rebuild: bool) -> None:
    """Build the bank's index, or check that the cached one is current."""
    from interviewer.embeddings import embedder_for
    from interviewer.index import NOT_BUILT, build_index, check_index, index_folder, save_index

    runtime = runtime_for(ctx)
    settings = runtime.settings
    embedder = embedder_for(settings)
    folder = index_folder(runtime.bank, embedder, settings.cache_dir)
    problems = check_index(runtime.bank, embedder, settings.cache_dir)
    if check:
        state = "current" if not problems else "missing" if problems == [NOT_BUILT] else "damaged"
        click.echo(f"{state}: {folder}" + (f" ({'; '.join(problems)})" if problems else ""))
        ctx.exit(1 if problems else 0)
    if not problems and not rebuild:
        click.echo(f"Index is current: {folder}")
        return
    built = build_index(runtime.bank, embedder)
    save_index(built, settings.cache_dir)
    click.echo(f"Indexed {len(built.bank.questions)} questions with {embedder.identity}: {folder}")


@cli.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path),
              help="YAML file to write (default: print to stdout).")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.pass_context
def ingest(ctx: click.Context, sources: tuple[Path, ...], out: Path | None, force: bool) -> None:
    """Parse source documents (Q&A pages, flashcard decks) into draft bank YAML.

    Review the draft's key points, topics and mistakes by hand, then put it in the bank folder.
    """
    from interviewer.corpus import dump_questions, load_taxonomy
    from interviewer.ingest import parse_document

    settings: Settings = ctx.obj
    taxonomy = list(load_taxonomy(settings.bank))
    questions = [q for source in sources for q in parse_document(source, taxonomy)]
    text = dump_questions(questions)
    if out is None:
        click.echo(text, nl=False)
        return
    if out.exists() and not force:
        raise CorpusError(f"{out}: already exists; pass --force to overwrite your edits there")
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(questions)} questions from {len(sources)} documents to {out}", err=True)


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Add your own questions to the bank: YAML (the bank's format), Markdown (a heading per question, the
    answer under it, bullet lines its key points), CSV/TSV (question, answer, key points, topics) or Anki's
    plain-text export (.txt). Importing a question again updates it."""
    from interviewer.corpus import OWN_FILE, load_bank
    from interviewer.own_questions import import_questions

    settings: Settings = ctx.obj
    report = import_questions(list(files), load_bank(settings.bank), settings.data_dir / OWN_FILE)
    read = report.read
    for question in read.questions:
        click.echo(f"{question.id}  {' '.join(question.question.split())}")
        if question.id in read.drafted:
            click.echo(f"  key points drafted from the answer ({len(question.key_points)}): review them in "
                       f"{report.path}")
    for line in read.notes + read.errors:
        click.echo(line, err=True)
    click.echo(f"Imported {len(read.questions)} questions ({report.added} new, {report.updated} updated) "
               f"into {report.path}")
    if read.errors:
        rows = "1 row was" if len(read.errors) == 1 else f"{len(read.errors)} rows were"
        click.echo(f"{rows} not imported: fix the file and import it again.", err=True)
        ctx.exit(1)


@cli.command()
@click.option("--anki", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.apkg",
              help="Write the bank (with your own questions) as a type-in-answer Anki deck.")
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the bank as Markdown that `interviewer import` reads back ('-': standard output).")
@click.option("--history", "with_history", is_flag=True,
              help="With --markdown: write your history (questions, answers, scores, key points) instead.")
@click.option("--topic", "-t", "topics", multiple=True, help="Only questions on this topic tag; repeatable.")
@USER_OPTION
@takes_db_flag
@click.pass_context
def export(ctx: click.Context, anki: Path | None, markdown: Path | None, with_history: bool,
           topics: tuple[str, ...], user: str | None) -> None:
    """Write the bank as an Anki deck or as Markdown, or your history as Markdown."""
    from interviewer.exports import bank_markdown, history_markdown, write_anki

    if (anki is None) == (markdown is None):
        raise click.UsageError("choose one of --anki FILE.apkg and --markdown FILE")
    if with_history and (markdown is None or topics):
        raise click.UsageError("--history is written with --markdown FILE and takes no --topic")
    bank = runtime_for(ctx).bank
    unknown = [t for t in topics if t not in bank.topic_names()]
    if unknown:
        raise CorpusError(f"no topic {unknown[0]!r}; choose from {', '.join(bank.topic_names())}")
    questions = [q for q in bank.questions if not topics or set(topics) & set(q.topics)]
    if anki is not None:
        count = write_anki(questions, anki)
        click.echo(f"Wrote {count} notes to {anki}")
        return
    if with_history:
        settings: Settings = ctx.obj
        entries = open_history(settings.db, settings.data_dir).entries(user or LOCAL_USER, newest_first=False)
        text, what = history_markdown(entries, {q.id.lower(): q for q in bank.questions}), "history entries"
        count = len(entries)
    else:
        text, what, count = bank_markdown(questions), "questions", len(questions)
    if str(markdown) == "-":
        click.echo(text, nl=False)
        return
    try:
        markdown.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InterviewerError(f"{markdown}: cannot write: {exc.strerror}") from exc
    click.echo(f"Wrote {count} {what} to {markdown}")


@cli.command("eval")
@click.argument("dataset")
@click.option("--grader", "grader_name", type=click.Choice(["offline", "llm"]),
              help="Which grader to measure (default: llm with --llm or mode 'llm', else offline).")
@click.option("--split", help="Split of a benchmark (default: its held-out test split); for a JSONL file, "
                              "keep only rows whose 'split' field equals it.")
@click.option("--ways", type=click.Choice(["2", "3"]), default="2", show_default=True,
              help="SemEval labels: 2 (correct/incorrect) or 3 (correct/contradictory/incorrect).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding saf/ and semeval2013/ (default: ../shared/benchmarks from the checkout, "
                   "or $INTERVIEWER_BENCHMARKS).")
@click.option("--limit", type=click.IntRange(min=1), help="Grade only the first N answers.")
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="Grade each answer N times and report how much the grades spread.")
@click.option("--pass-mark", type=click.FloatRange(0, 10),
              help="Score out of 10 that counts as 'correct' (default: as fitted on the training split).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON object per answer: its fields, 'predicted' and 'grader'.")
@takes_grader_flags
@click.pass_context
def eval_command(ctx: click.Context, dataset: str, grader_name: str | None, split: str | None, ways: str,
                 data_dir: Path | None, limit: int | None, repeat: int, pass_mark: float | None,
                 as_json: bool, out: Path | None) -> None:
    """Measure a grader against human grades: saf, semeval-sciEntsBank, semeval-beetle or a JSONL file."""
    from interviewer.embeddings import CachingEmbedder
    from interviewer.evaluation.datasets import default_data_dir, load_dataset
    from interviewer.evaluation.prefetch import prefetch_dataset
    from interviewer.evaluation.runner import default_pass_mark, evaluate, output_rows, summary, table
    from interviewer.grading.choice import build_grader
    from interviewer.grading.offline import OfflineGrader

    runtime = runtime_for(ctx)
    data = load_dataset(dataset, data_dir or default_data_dir(), split, int(ways), runtime.bank.get)
    data = data.head(limit) if limit else data
    embedder = CachingEmbedder(runtime.index(wait_notice).embedder)
    grader = OfflineGrader(runtime.index(), embedder=embedder, strictness=runtime.settings.strictness)
    prefetch_dataset(embedder, data.items)
    if measured_grader(grader_name, runtime.settings) == "llm":
        grader = build_grader(runtime.settings.with_overrides(mode="llm"), grader, runtime.chat_client("llm"))
    report = evaluate(grader, data, pass_mark if pass_mark is not None else default_pass_mark(grader, data),
                      repeat)
    if out is not None:
        write_jsonl(out, output_rows(report))
    click.echo(json.dumps(summary(report)) if as_json else table(report))


def measured_grader(grader_name: str | None, settings: Settings) -> str:
    """The grader eval measures: --grader's, else the LLM when the settings force it (--llm), else offline."""
    return grader_name or ("llm" if settings.mode == "llm" else "offline")


def write_jsonl(path: Path, rows: list[dict], what: str = "graded answers") -> None:
    """ROWS as JSON Lines in PATH ('-': standard output)."""
    if str(path) == "-":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    try:
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InterviewerError(f"{path}: cannot write: {exc.strerror}") from exc
    click.echo(f"Wrote {len(rows)} {what} to {path}", err=True)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="interviewer")
