"""``anpr`` subcommands that live in ``train``: ``data`` and ``synth``.

This module only builds argparse parsers; heavy imports happen inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from edge.config import OcrConfig


def _add_data_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-root",
        help="folder holding the shared dataset folders (default: $ANPR_DATA, else ../shared/data next to the project)",
    )


def register_data(subparsers: argparse._SubParsersAction) -> None:
    """``anpr data check|split``."""
    data = subparsers.add_parser("data", help="check and split datasets in the common layout")
    sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    check = sub.add_parser("check", help="validate dataset folders and print a per-source summary")
    check.add_argument("dirs", nargs="*", type=Path, help="dataset folders (default: every folder under the data root)")
    _add_data_root(check)
    check.add_argument("--json", type=Path, help="also write the summary as JSON here")
    check.add_argument("--workers", type=int, default=4, help="image decoding threads")
    check.set_defaults(handler=_data_check)

    split = sub.add_parser("split", help="write the leakage-free train/val split manifest")
    split.add_argument("dirs", nargs="*", type=Path, help="dataset folders (default: all under the data root)")
    _add_data_root(split)
    split.add_argument("--out", type=Path, help="manifest path (default: train/splits.json)")
    split.add_argument("--seed", type=int, help="split seed (default: the project's fixed seed)")
    split.add_argument("--val-fraction", type=float, default=0.2, help="share of rows held out (default 0.2)")
    split.set_defaults(handler=_data_split)


def _resolve_dirs(args: argparse.Namespace) -> list[Path]:
    from edge.errors import DataError
    from train.data.paths import data_root, source_dirs

    if args.dirs:
        return list(args.dirs)
    root = data_root(args.data_root)
    dirs = source_dirs(root)
    if not dirs:
        raise DataError(f"no dataset folders under {root} (pass folders, --data-root or set $ANPR_DATA)")
    return dirs


def _data_check(args: argparse.Namespace) -> int:
    from train.data.check import check_dirs, format_summary

    summaries = check_dirs(_resolve_dirs(args), workers=args.workers)
    for summary in summaries:
        print(format_summary(summary))
    errors = sum(len(s.errors) for s in summaries)
    print(f"checked {len(summaries)} source(s): {sum(s.rows for s in summaries)} rows, {errors} error(s)")
    if args.json:
        args.json.write_text(json.dumps({s.name: s.as_dict() for s in summaries}, indent=1) + "\n")
    return 1 if errors else 0


def _data_split(args: argparse.Namespace) -> int:
    from train.data.splits import DEFAULT_MANIFEST, DEFAULT_SEED, build_manifest, write_manifest

    out = args.out or DEFAULT_MANIFEST
    seed = DEFAULT_SEED if args.seed is None else args.seed
    manifest = build_manifest(_resolve_dirs(args), val_fraction=args.val_fraction, seed=seed)
    write_manifest(manifest, out)
    for name, entry in manifest["sources"].items():
        print(
            f"{name:12s} rows {entry['rows']:5d}  images train {len(entry['train']):5d} val {len(entry['val']):5d}"
            f"  groups train {entry['groups']['train']:4d} val {entry['groups']['val']:4d}"
        )
    print(f"wrote {out}")
    return 0


def register_synth(subparsers: argparse._SubParsersAction) -> None:
    """``anpr synth --kind plates|scenes|clip``."""
    synth = subparsers.add_parser("synth", help="render synthetic plates, scenes or a sample clip")
    synth.add_argument(
        "--kind", choices=["plates", "scenes", "clip"], help="what to write (required but with --list-styles)"
    )
    synth.add_argument("--count", type=int, default=100, help="plates or scenes to write (clip: frames)")
    synth.add_argument(
        "--out",
        type=Path,
        help="output folder (common layout: images/ + annotations.csv); clip: a .mp4 file (required but with"
        " --list-styles)",
    )
    synth.add_argument("--seed", type=int, default=0, help="random seed (same seed, same output)")
    synth.add_argument(
        "--styles",
        help="comma-separated plate styles (default: every one-row style; the two-row ones, such as eu_cz_two_row,"
        " only when named); see --list-styles",
    )
    synth.add_argument("--list-styles", action="store_true", help="print the plate styles and exit")
    synth.add_argument("--clean", action="store_true", help="plates only: skip the degradations")
    synth.add_argument(
        "--fonts",
        choices=["bold", "all", "din", "stroke"],
        default="bold",
        help="plate characters' fonts: bold (default), all weights, all plus DIN-style stroke lettering (din), "
        "or that lettering only (stroke)",
    )
    synth.add_argument(
        "--us-extras",
        action="store_true",
        help="US plates also with stacked characters on the right, a disabled-driver symbol, a sun or diamond "
        "emblem, a mascot behind the characters (none of it in the label; train/synth/us_extras.py)",
    )
    synth.add_argument("--preview", type=Path, help="also write a grid of the first images to this PNG")
    _add_data_root(synth)
    synth.add_argument(
        "--no-real", action="store_true", help="scenes: use generated backgrounds only, not the shared photos"
    )
    synth.set_defaults(handler=_synth)


def _synth(args: argparse.Namespace) -> int:
    from train.synth.cli import run_synth

    return run_synth(args)


def register_train(subparsers: argparse._SubParsersAction) -> None:
    """``anpr train ocr|detector``."""
    train = subparsers.add_parser("train", help="train a model (needs the 'train' extra)")
    sub = train.add_subparsers(dest="model_kind", metavar="MODEL", required=True)
    for kind, helptext, handler in (
        ("ocr", "train the plate reader", _train_ocr),
        ("detector", "train the plate detector", _train_detector),
    ):
        parser = sub.add_parser(kind, help=helptext)
        parser.add_argument("--config", type=Path, default=Path(f"train/configs/{kind}.yaml"), help="YAML config")
        parser.add_argument("--run-dir", type=Path, help="run folder (default: runs/<name>)")
        parser.add_argument("--resume", action="store_true", help="continue from the run folder's last checkpoint")
        parser.add_argument("--ship", action="store_true", help="copy the best model and its card into --models")
        parser.add_argument("--models", type=Path, default=Path("models"), help="model folder for --ship")
        parser.add_argument("--manifest", type=Path, help="split manifest (default: train/splits.json)")
        _add_data_root(parser)
        parser.set_defaults(handler=handler)


def _train_detector(args: argparse.Namespace) -> int:
    from train.detector.cli import run_train_detector

    return run_train_detector(args)


def _train_ocr(args: argparse.Namespace) -> int:
    from train.ocr.cli import run_train_ocr

    return run_train_ocr(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the 'anpr' command")


def register_evaluate(subparsers: argparse._SubParsersAction) -> None:
    """``anpr evaluate``."""
    evaluate = subparsers.add_parser("evaluate", help="measure the shipped models on any folder in the common layout")
    evaluate.add_argument("--data", type=Path, nargs="+", required=True, help="dataset folder(s)")
    evaluate.add_argument("--models", type=Path, default=Path("models"), help="model folder (default: models/)")
    evaluate.add_argument("--float", action="store_true", help="evaluate the float models instead of int8")
    evaluate.add_argument(
        "--split",
        choices=["all", "train", "val"],
        default="all",
        help="rows to use: all (default) or one side of the split manifest",
    )
    evaluate.add_argument("--manifest", type=Path, help="split manifest for --split (default: train/splits.json)")
    evaluate.add_argument("--json", type=Path, help="write the results here")
    evaluate.add_argument(
        "--formats",
        help="comma-separated plate formats the reader should prefer (as the agent's ocr.formats), e.g. br_old",
    )
    evaluate.add_argument(
        "--format-max-penalty",
        type=float,
        default=None,
        help="natural-log probability a format-fitting read may lose and still win (default 4.6 = 100x)",
    )
    evaluate.add_argument(
        "--single-crop",
        action="store_true",
        help="read each plate from the trained crop once, not from the card's read_crops (as the agent's "
        "ocr.several_crops: false)",
    )
    evaluate.add_argument(
        "--candidates",
        type=int,
        default=OcrConfig().candidates,
        metavar="N",
        help="list up to N texts per read, as the agent's ocr.candidates, and report how often the truth is "
        "among them (candidate_match; default %(default)s; 0: none)",
    )
    evaluate.add_argument(
        "--no-level",
        action="store_true",
        help="read sloping plates as they are, not also sheared level (as the agent's ocr.level_sloped: false)",
    )
    evaluate.add_argument(
        "--no-two-rows",
        action="store_true",
        help="read every plate as one row, not a square or motorcycle plate also with its two rows side by "
        "side (as the agent's ocr.two_rows: false)",
    )
    evaluate.add_argument(
        "--single-look",
        action="store_true",
        help="run the detector once per image, without the card's second look (as the agent's "
        "detector.second_look: false)",
    )
    evaluate.add_argument(
        "--mirror",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the detector's first look also on the mirrored image and average the heatmaps, or not "
        "(default: as the card's decode.mirror says; the agent's detector.mirror)",
    )
    evaluate.add_argument(
        "--sideways",
        action="store_true",
        help="photos may be stored on their side: the detector also looks at each image turned a quarter and "
        "plates taller than wide are read turned too (as the agent's detector.sideways: true)",
    )
    evaluate.add_argument(
        "--no-refit",
        action="store_true",
        help="read each plate from its ground-truth box only; by default an unsure read of a box is read again "
        "from the smaller box the detector finds inside it, and the surer read kept (edge.refit)",
    )
    evaluate.add_argument(
        "--box-frame",
        choices=["auto", "upright", "stored"],
        default="auto",
        help="for photos with an EXIF orientation tag (decoded upright): boxes drawn on the upright photo, on "
        "its stored pixels, or auto (default): per dataset folder, the frame that holds every box, else the "
        "one whose boxes read surer (train.data.orientation); photos without a tag are never changed",
    )
    evaluate.set_defaults(handler=_evaluate)


def _evaluate(args: argparse.Namespace) -> int:
    from train.evaluate import run_evaluate

    return run_evaluate(args)
