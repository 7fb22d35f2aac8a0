"""``anpr``: one command with subcommands.

Subcommands are registered by small ``register(subparsers)`` functions that only build
argparse parsers; the work (and every heavy import) happens inside the handler when the
subcommand runs, so ``anpr --help`` stays instant and ``anpr run`` works without TensorFlow.

Subcommands that live outside ``edge`` (training, data tools, export) are found through the
``anpr.commands`` entry-point group, so ``edge`` never imports ``train`` or ``export``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

from edge import __version__
from edge.errors import AnprError

log = logging.getLogger("anpr")


def _builtin_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    from edge import bench, soak
    from edge.cli import run, serve

    return [run.register, serve.register, bench.register, soak.register]


def _plugin_registrars() -> list[tuple[str, Callable[[argparse._SubParsersAction], None] | Exception]]:
    found = []
    for entry in sorted(entry_points(group="anpr.commands"), key=lambda e: e.name):
        try:
            found.append((entry.name, entry.load()))
        except Exception as exc:  # a broken or absent optional part must not break the CLI
            found.append((entry.name, exc))
    return found


def build_parser() -> argparse.ArgumentParser:
    """The full ``anpr`` parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="anpr", description="Edge ANPR kit: train, export, run and benchmark plate reading."
    )
    parser.add_argument("--version", action="version", version=f"anpr {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _builtin_commands():
        register(subparsers)
    for name, registrar in _plugin_registrars():
        if isinstance(registrar, Exception):
            missing = subparsers.add_parser(name, help=f"(unavailable: {registrar})")
            missing.set_defaults(handler=_unavailable(name, registrar))
        else:
            registrar(subparsers)
    return parser


def _unavailable(name: str, exc: Exception) -> Callable[[argparse.Namespace], int]:
    def handler(_args: argparse.Namespace) -> int:
        raise AnprError(f"'anpr {name}' is not available in this install: {exc}")

    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``anpr`` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except AnprError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for the user; --debug shows it
        if args.debug:
            raise
        log.debug("unexpected error", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
