"""The kernel's own sub-commands: ``run``, ``plugins`` and ``describe``."""

from __future__ import annotations

import json
import sys

from sigvae.errors import RegistryError


def run_arguments(parser) -> None:
    parser.add_argument("pipeline", help="pipeline YAML file")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override any key, e.g. --set train.epochs=1 (repeatable)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run files in an existing run directory",
    )
    parser.add_argument(
        "--check", action="store_true", help="validate the pipeline and exit without running it"
    )


def run_command(args) -> int:
    from sigvae.pipeline import load_pipeline
    from sigvae.pipeline.runner import is_main_process

    pipeline = load_pipeline(args.pipeline, args.overrides)
    if args.check:
        print(f"{args.pipeline}: valid")
        return 0
    result = pipeline.run(overwrite=args.overwrite)
    if is_main_process():
        print(result.run_dir)
    return 0


def plugins_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--kind", help="only this kind (model, preprocessor, evaluator, ...)")


def plugins_command(args) -> int:
    from sigvae.registry import default_registry

    rows = [
        {"kind": s.kind, "name": s.name, "plugin": s.plugin, "doc": s.summary}
        for s in default_registry().specs(args.kind)
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    widths = [max([len(h)] + [len(r[h]) for r in rows]) for h in ("kind", "name", "plugin")]
    header = ("KIND", "NAME", "PLUGIN")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  SUMMARY")
    for r in rows:
        cells = (r["kind"], r["name"], r["plugin"])
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths)) + "  " + r["doc"])
    return 0


def describe_arguments(parser) -> None:
    parser.add_argument("name", help="component name, e.g. vae or window")
    parser.add_argument("--kind", help="disambiguate when several kinds share the name")
    parser.add_argument("--json", action="store_true", help="print JSON")


def describe_params(params_cls) -> list[dict]:
    """One row per parameter: name, type, default, description."""
    from pydantic_core import PydanticUndefined

    rows = []
    for name, info in params_cls.model_fields.items():
        ann = info.annotation
        annotation = ann.__name__ if isinstance(ann, type) else str(ann)
        annotation = annotation.replace("typing.", "").replace("sigvae.nn.params.", "")
        if info.default is not PydanticUndefined:
            default = info.default
        elif info.default_factory is not None:
            default = info.default_factory()
        else:
            default = "(required)"
        rows.append(
            {"name": name, "type": annotation, "default": default, "doc": info.description or ""}
        )
    return rows


def describe_command(args) -> int:
    from sigvae.registry import default_registry

    reg = default_registry()
    found = [reg.get(args.kind, args.name)] if args.kind else reg.find(args.name)
    if not found:
        reg.get("model", args.name) if not reg.specs() else None
        names = sorted({s.name for s in reg.specs()})
        import difflib

        close = difflib.get_close_matches(args.name, names, n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise RegistryError(f"no component named {args.name!r}{hint}")
    out = [
        {
            "kind": s.kind,
            "name": s.name,
            "plugin": s.plugin,
            "doc": s.doc.strip(),
            "params": describe_params(s.params),
        }
        for s in found
    ]
    if args.json:
        print(json.dumps(out, indent=2, default=str))
        return 0
    for item in out:
        print(f"{item['name']}  ({item['kind']}, plugin {item['plugin']})")
        if item["doc"]:
            print("\n".join("  " + line for line in item["doc"].splitlines()))
        print("  parameters:" if item["params"] else "  no parameters")
        for p in item["params"]:
            print(f"    {p['name']}: {p['type']} = {p['default']!r}")
            if p["doc"]:
                print(f"        {p['doc']}")
    sys.stdout.flush()
    return 0
