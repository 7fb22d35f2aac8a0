"""``anpr export``: convert, gate and document the models; ``--check-edgetpu`` inspects them."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="int8/float32 TFLite export with a parity gate (needs 'train')")
    export.add_argument("--models", type=Path, default=Path("models"), help="model folder (default: models/)")
    export.add_argument("--only", choices=["ocr", "detector"], action="append", help="export only these models")
    export.add_argument("--data-root", help="shared data root (default: $ANPR_DATA or ../shared/data)")
    export.add_argument("--manifest", type=Path, help="split manifest (default: train/splits.json)")
    export.add_argument(
        "--calibration-seed",
        type=int,
        help="seed of the calibration draw (default: 0 for the OCR, 1 for the detector); recorded in the card",
    )
    export.add_argument(
        "--tolerance",
        type=float,
        help="most points int8 may lose against float32 on validation before the export is refused (default: "
        "0.5; recorded in the card)",
    )
    export.add_argument(
        "--detector-threshold",
        type=float,
        help="set the detector's score threshold instead of choosing it by the card's rule (what the rule "
        "chooses is still recorded in the card)",
    )
    export.add_argument(
        "--check-edgetpu", action="store_true", help="only inspect the int8 models against the Edge TPU's constraints"
    )
    export.add_argument(
        "--compile-edgetpu",
        action="store_true",
        help="run edgetpu_compiler -s on the int8 models (or print how to install it)",
    )
    export.set_defaults(handler=_export)


def _names(args: argparse.Namespace) -> list[str]:
    names = args.only or ["detector", "ocr"]
    return [n for n in names if (args.models / f"{n}.json").is_file()]


def _export(args: argparse.Namespace) -> int:
    from edge.errors import AnprError

    names = _names(args)
    if not names:
        raise AnprError(f"{args.models}: no model cards (ocr.json, detector.json) to export")
    if args.check_edgetpu:
        return _check_edgetpu(args.models, names)
    if args.compile_edgetpu:
        return _compile_edgetpu(args.models, names)
    from export.pipeline import export_detector, export_ocr
    from train.data.paths import data_root
    from train.data.splits import DEFAULT_MANIFEST

    exporters = {"ocr": export_ocr, "detector": export_detector}
    options: dict = {} if args.calibration_seed is None else {"calibration_seed": args.calibration_seed}
    if args.tolerance is not None:
        if not 0.0 <= args.tolerance <= 100.0:
            raise AnprError(f"--tolerance must be between 0 and 100 points, got {args.tolerance}")
        options["tolerance"] = args.tolerance
    if args.detector_threshold is not None and not 0.0 < args.detector_threshold < 1.0:
        raise AnprError(f"--detector-threshold must be between 0 and 1, got {args.detector_threshold}")
    failures = []
    for name in names:
        if name not in exporters:
            raise AnprError(f"no exporter for {name!r} yet")
        try:  # each exporter prints both figures and refuses an int8 model that fails the parity gate
            extra = {"threshold": args.detector_threshold} if name == "detector" else {}
            exporters[name](
                args.models, data_root(args.data_root), args.manifest or DEFAULT_MANIFEST, **options, **extra
            )
        except AnprError as exc:
            failures.append(str(exc))
    if failures:
        raise AnprError("; ".join(failures))
    return 0


def _check_edgetpu(models: Path, names: list[str]) -> int:
    from edge.errors import AnprError
    from edge.models import load_card
    from export.edgetpu import check_model

    failed = 0
    for name in names:
        entry = load_card(models, name).get("tflite", {}).get("int8")
        if not entry:
            raise AnprError(f"{name}: no int8 model in its card (run 'make export' first)")
        report = check_model(models / entry["file"])
        ops = ", ".join(f"{k} x{v}" for k, v in sorted(report.ops.items()))
        print(f"{name}: {'OK' if report.ok else 'NOT READY'} for the Edge TPU ({ops})")
        for problem in report.problems:
            print(f"  {problem}")
        failed += not report.ok
    return 1 if failed else 0


def _compile_edgetpu(models: Path, names: list[str]) -> int:
    from edge.models import file_sha256, load_card
    from export.edgetpu import INSTALL_HINT, compiler_available, compiler_command
    from train.model_card import write_card

    inputs = [models / load_card(models, n)["tflite"]["int8"]["file"] for n in names]
    command = compiler_command(inputs, models)
    if not compiler_available():
        print(INSTALL_HINT.format(command=" ".join(command)))
        return 0
    subprocess.run(command, check=True)
    for name, source in zip(names, inputs):
        compiled = models / source.name.replace(".tflite", "_edgetpu.tflite")
        target = models / f"{name}_edgetpu.tflite"
        compiled.replace(target)
        card = load_card(models, name)
        tflite = card.get("tflite", {})
        tflite["edgetpu"] = {**tflite["int8"], "file": target.name, "sha256": file_sha256(target)}
        write_card(models / f"{name}.json", {"tflite": tflite})
        print(f"wrote {target}")
    return 0
