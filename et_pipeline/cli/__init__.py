"""`et-pipeline`: an ET:Legacy server's stopwatch nights, from its files to a report, Discord and a season.

The command line: this module builds the parser and dispatches; each command lives in its
own module (`run`, `report`, `forget`, `discord`, `synth`, `season`, `balance`), and what
they share in `common` (exit codes, `--db`, the JSON printer). `output` is what `run`
shows a person.
"""
import argparse
import gc
import os
import re
import sys
from typing import get_args

from et_pipeline.choices import PublishMode
from et_pipeline.cli.balance import add_balance_parser
from et_pipeline.cli.common import EXIT_USAGE, add_db_option, die, keep_sigterm_working
from et_pipeline.cli.discord import cmd_discord
from et_pipeline.cli.forget import cmd_forget
from et_pipeline.cli.report import cmd_report
from et_pipeline.cli.run import cmd_run
from et_pipeline.cli.season import add_season_parsers
from et_pipeline.cli.synth import add_synth_parser


class _HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default (when it has one worth showing), passwords masked."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return text + " (default: %s)" % re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", str(action.default))


def finish_parser(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Give every subcommand (also ones added later) the same help treatment: defaults
    shown, and a description under its usage (its one-line help when it has none)."""
    for action in ap._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {c.dest: c.help for c in action._choices_actions}
            for name, sub in action.choices.items():
                sub.formatter_class = _HelpFormatter
                if not sub.description and helps.get(name):
                    sub.description = helps[name][0].upper() + helps[name][1:] + "."
                finish_parser(sub)
    return ap


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="et-pipeline", description=__doc__.splitlines()[0],
                                 formatter_class=_HelpFormatter)
    ap.add_argument("--version", action="version", version="%(prog)s " + _version())
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    r = sub.add_parser("run", help="process a server folder (or sftp://) through the Dagster assets",
                       description="Process a game-server folder through the Dagster assets: only the session "
                                   "dates whose files changed, one ranged run per block of dates.")
    r.add_argument("--source", required=True, help="the server's fs_game folder holding gamestats/ and gametimes/, "
                                                   "or sftp://user@host:port/path")
    add_db_option(r, "app database: sqlite:///file.db or postgresql+psycopg2://user:pass@host/db ($ET_DB_URL)")
    r.add_argument("--dagster-home", default=None,
                   help="Dagster instance folder (default: $DAGSTER_HOME, else ./.dagster_home)")
    r.add_argument("--publish", choices=get_args(PublishMode), default="dry-run",
                   help="Discord: off, dry-run (payloads and graphs written under --out) or live "
                        "($ET_DISCORD_WEBHOOK_URL)")
    r.add_argument("--out", default="out", help="folder for dry-run payloads and graphs")
    r.add_argument("--force", action="store_true", help="re-run every date, changed or not (re-score)")
    r.add_argument("--season", choices=("auto", "skip"), default="auto",
                   help="auto: run the season job when the season is behind the nights (after a night changed, "
                        "or a season run that failed or was skipped); skip: the nights only, the next run "
                        "brings the season up to date (a long backfill)")
    r.add_argument("--sftp-key", default=os.environ.get("ET_SFTP_KEY_PATH"),
                   help="SFTP only: private key file ($ET_SFTP_KEY_PATH)")
    r.add_argument("--known-hosts", default=os.environ.get("ET_SFTP_KNOWN_HOSTS"),
                   help="SFTP only: known_hosts file holding the server's host key ($ET_SFTP_KNOWN_HOSTS)")
    r.add_argument("--sftp-cache", default=os.environ.get("ET_SFTP_CACHE_DIR"),
                   help="SFTP only: download cache folder ($ET_SFTP_CACHE_DIR)")
    r.add_argument("-v", "--verbose", action="store_true",
                   help="print each step as it finishes, with its numbers and the assets' own messages")
    r.set_defaults(fn=cmd_run)
    p = sub.add_parser("report", help="print the JSON session report of one date",
                       description="Print the JSON report of the sessions that started on one local date.")
    add_db_option(p)
    p.add_argument("--date", required=True, help="local date of the session's first round, YYYY-MM-DD")
    p.set_defaults(fn=cmd_report)
    f = sub.add_parser("forget", help="remove one night from the archive (raw files and every derived row)",
                       description="Remove one session date from the app database: its archived raw files and "
                                   "every row derived from them (the season is recomputed without it).")
    add_db_option(f)
    f.add_argument("--date", required=True, help="the session date to forget, YYYY-MM-DD")
    f.set_defaults(fn=cmd_forget)
    d = sub.add_parser("discord", help="list Discord messages that were maybe posted or rejected; settle one",
                       description="Without options: list the Discord messages that were maybe posted (the "
                                   "answer was lost) or that Discord refused. With --found or --retry: settle "
                                   "one, after looking for it in the channel.")
    add_db_option(d)
    d.add_argument("--retry", nargs=2, metavar=("SESSION_ID", "KEY"),
                   help="the message is not in the channel: post it on the next live run")
    d.add_argument("--found", nargs=3, metavar=("SESSION_ID", "KEY", "MESSAGE_ID"),
                   help="the message is in the channel with this id: keep it (later changes edit it)")
    d.set_defaults(fn=cmd_discord)
    add_synth_parser(sub)
    add_season_parsers(sub)
    add_balance_parser(sub)
    return ap


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("et-pipeline")
    except PackageNotFoundError:
        return "unknown"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    ap = finish_parser(build_parser())
    if not argv:                     # a bare `et-pipeline`: what it can do, not an error
        ap.print_help()
        return 0
    a = ap.parse_args(argv)
    a.argv = argv                    # the command as given (run re-runs itself with a secret in a child's environment)
    from et_pipeline.config import rules_from_env
    from et_pipeline.env_values import SettingError
    from et_pipeline.settings import settings_from_env

    try:
        rules_from_env()             # a typo in .env is one line, before any command reads or writes
        settings_from_env()
        if getattr(a, "db", None) is not None:
            from et_pipeline.storage.database import database_url_problem

            given_as_option = any(x.split("=")[0] == "--db" for x in argv)
            named = "ET_DB_URL" if os.environ.get("ET_DB_URL") and not given_as_option else "--db"
            problem = database_url_problem(a.db, named)
            if problem:
                return die(problem, EXIT_USAGE)
        return a.fn(a)
    except SettingError as e:        # also one found later (a freshness window Dagster refuses)
        return die(str(e), EXIT_USAGE)
    except BrokenPipeError:          # `et-pipeline run | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def console_main() -> int:
    """The `et-pipeline` command (pyproject's entry point; in-process callers use main()).
    After the command, the heap (about 300,000 objects of Dagster's and ours after a run) is
    parked in the permanent generation: the interpreter's collections at exit skip it. They
    took 0.5 s of a 2 s one-night run to free memory the process was about to give back."""
    keep_sigterm_working()
    rc = main()
    gc.freeze()
    return rc


