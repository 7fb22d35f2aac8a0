"""The architecture's promises: ``edge`` stands alone, and preprocessing exists once."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREPROCESS_FUNCTIONS = {
    "letterbox",
    "crop_plate",
    "crop_box",
    "expand_box",
    "prepare_ocr_input",
    "prepare_detector_input",
    "normalise",
    "fit_to_spec",
    "convert_colour",
}


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_edge_imports_nothing_from_train_or_export_or_tensorflow():
    for path in (ROOT / "edge").rglob("*.py"):
        bad = _imports(path) & {"train", "export", "keras"}
        # tensorflow.lite is the interpreter's last-resort fallback, imported lazily inside a function only
        bad |= _imports(path, top_level_only=True) & {"tensorflow"}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_importing_edge_and_its_cli_loads_no_heavy_module():
    code = (
        "import sys, edge, edge.preprocess, edge.imageio, edge.cli.main as m; m.build_parser();"
        "heavy = [n for n in ('tensorflow', 'keras', 'matplotlib', 'PIL') if n in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_preprocessing_is_defined_only_in_edge_preprocess():
    for package in ("edge", "train", "export"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "edge" / "preprocess.py":
                continue
            defined = {n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)}
            assert not defined & PREPROCESS_FUNCTIONS, (
                f"{path.relative_to(ROOT)} redefines {defined & PREPROCESS_FUNCTIONS}"
            )


def test_training_samples_use_the_device_functions():
    import edge.preprocess
    import train.data.samples

    assert train.data.samples.prepare_ocr_input is edge.preprocess.prepare_ocr_input
    assert train.data.samples.prepare_detector_input is edge.preprocess.prepare_detector_input
