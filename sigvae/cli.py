"""The ``sigvae`` command line: ``run``, ``plugins``, ``describe`` and every command a plugin
contributes. User errors print one line and exit with code 2; ``--debug`` shows tracebacks."""

from __future__ import annotations

import argparse
import sys
import warnings

from sigvae import __version__
from sigvae.errors import SigvaeError


def build_parser(registry) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sigvae",
        description="Variational autoencoders for biosignals and finance.",
        epilog="Run 'sigvae COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"sigvae {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in registry.specs("command"):
        cmd = sub.add_parser(spec.name, help=spec.summary, description=spec.doc)
        cmd.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show full tracebacks on errors",
        )
        spec.add_arguments(cmd)
        cmd.set_defaults(_spec=spec)
    return parser


def _load_registry():
    from sigvae.registry import default_registry

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry = default_registry()
        registry.tables  # noqa: B018 - build the tables now so load problems show here
    for w in caught:
        print(f"sigvae: warning: {w.message}", file=sys.stderr)
    return registry


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        registry = _load_registry()
        parser = build_parser(registry)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return int(args._spec.factory(args) or 0)
    except SigvaeError as exc:
        if debug:
            raise
        print(f"sigvae: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sigvae: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
