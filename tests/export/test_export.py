"""Export a tiny trained OCR: int8 with integer tensors, parity with Keras, card checks, clear errors."""

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from edge.cli.main import main
from edge.errors import AnprError
from edge.models import file_sha256, open_model
from edge.runtime.interpreter import ModelLoadError, TFLiteModel
from export.edgetpu import check_model


@pytest.fixture(scope="module")
def exported(tiny_models):
    return tiny_models


def test_int8_model_is_fully_integer_with_uint8_io(exported):
    card = json.loads((exported / "ocr.json").read_text())
    model = TFLiteModel(exported / card["tflite"]["int8"]["file"])
    assert model.inputs[0].dtype == np.uint8 and all(o.dtype == np.uint8 for o in model.outputs)
    assert check_model(exported / "ocr_int8.tflite").ok
    assert card["tflite"]["int8"]["input"]["scale"] == pytest.approx(1 / 255, rel=1e-3)
    assert card["tflite"]["int8"]["sha256"] == file_sha256(exported / "ocr_int8.tflite")
    parity = card["export"]["parity"]
    assert parity["n"] == 300 and set(parity["int8"]) == {"exact_match", "char_accuracy", "n"}


def test_int8_outputs_agree_with_keras(tmp_path):
    """A randomly initialised reader (non-trivial outputs) converted with the export code path."""
    import keras

    from edge.metadata import InputSpec
    from edge.preprocess import normalise
    from edge.text import ALPHABET
    from export.convert import to_tflite
    from train.ocr.model import build_ocr_model

    keras.utils.set_random_seed(1)
    spec = InputSpec(height=48, width=160, colour="grey")
    keras_model = build_ocr_model(spec, len(ALPHABET) + 1, width=0.5)
    rng = np.random.default_rng(0)
    calibration = rng.integers(0, 255, (64, *spec.shape), dtype=np.uint8)
    int8 = TFLiteModel(to_tflite(keras_model, tmp_path / "m_int8.tflite", spec.shape, calibration), output_names=["p"])
    agree = []
    for pixels in calibration[:8]:
        expected = np.asarray(keras_model.predict_on_batch(normalise(pixels[None])))[0]
        got = int8.run(pixels)["p"]
        assert got.shape == expected.shape
        assert np.abs(got - expected).mean() < 0.01
        agree.append((got.argmax(-1) == expected.argmax(-1)).mean())
    assert np.mean(agree) > 0.8


def test_card_mismatch_and_corrupt_files_are_one_clear_error(exported, tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(exported, copy)
    data = (copy / "ocr_int8.tflite").read_bytes()
    (copy / "ocr_int8.tflite").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="does not match its card"):
        open_model(copy, "ocr", "int8")
    with pytest.raises(ModelLoadError, match="not a valid TFLite model"):
        TFLiteModel(copy / "ocr_int8.tflite")
    (copy / "ocr.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not valid JSON"):
        open_model(copy, "ocr", "int8")
    with pytest.raises(ModelLoadError, match="not found"):
        open_model(tmp_path / "absent", "ocr")


def test_card_input_shape_is_checked(exported, tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(exported, copy)
    card = json.loads((copy / "ocr.json").read_text())
    card["tflite"]["int8"]["input_shape"] = [1, 64, 192, 1]
    (copy / "ocr.json").write_text(json.dumps(card))
    with pytest.raises(ModelLoadError, match="input shape"):
        open_model(copy, "ocr", "int8")


def test_edgetpu_file_without_delegate_falls_back_to_cpu(exported, tmp_path, caplog):
    copy = tmp_path / "models"
    shutil.copytree(exported, copy)
    shutil.copyfile(copy / "ocr_int8.tflite", copy / "ocr_edgetpu.tflite")
    card = json.loads((copy / "ocr.json").read_text())
    card["tflite"]["edgetpu"] = {**card["tflite"]["int8"], "file": "ocr_edgetpu.tflite"}
    (copy / "ocr.json").write_text(json.dumps(card))
    caplog.set_level("INFO")
    model, _ = open_model(copy, "ocr", "int8")
    assert model.path.name == "ocr_int8.tflite"
    assert "libedgetpu is not loadable" in caplog.text


def test_check_edgetpu_cli_and_compile_hint(exported, capsys):
    assert main(["export", "--models", str(exported), "--check-edgetpu"]) == 0
    assert "ocr: OK for the Edge TPU" in capsys.readouterr().out
    assert main(["export", "--models", str(exported), "--compile-edgetpu"]) == 0
    assert "edgetpu_compiler -s" in capsys.readouterr().out


def test_export_without_cards_is_an_error(tmp_path):
    with pytest.raises(AnprError):
        from export.cli import _export

        _export(type("A", (), {"models": tmp_path, "only": None, "check_edgetpu": False, "compile_edgetpu": False})())


def test_detector_threshold_is_rechosen_on_the_int8_detections():
    from export.pipeline import export_threshold

    truth = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], np.float32)
    boxes = np.array([[0, 0, 10, 10], [20, 0, 30, 10], [50, 50, 60, 60]], np.float32)
    # 95 % precision only above the 0.6 false box, at 50 % recall: the rule falls back to the best F1
    chosen = export_threshold([(boxes, np.array([0.9, 0.4, 0.6]), truth)], trained_threshold=0.65)
    assert chosen["score_threshold"] == 0.1 and chosen["trained_threshold"] == 0.65
    assert "int8 model, at export" in chosen["threshold_rule"]
    # with a second look the detections are found anew at each threshold: from 0.5 up, no false box
    looked = export_threshold(
        [], 0.65, lambda t: [(boxes, np.array([0.9, 0.8, 0.0]) if t >= 0.5 else np.array([0.9, 0.4, 0.6]), truth)]
    )
    assert looked["score_threshold"] == 0.5 and "second look" in looked["threshold_rule"]
    fixed = export_threshold([(boxes, np.array([0.9, 0.4, 0.6]), truth)], 0.65, fixed=0.45)
    assert fixed["score_threshold"] == 0.45 and fixed["rule_threshold"] == 0.1
    assert "--detector-threshold 0.45" in fixed["threshold_rule"] and "chose 0.1" in fixed["threshold_rule"]


def test_read_crops_scores_read_the_validation_crops_as_the_device_does(exported, make_layout, tmp_path):
    from export.pipeline import read_crops_scores
    from tests.conftest import noise_image
    from train.data.splits import build_manifest, write_manifest

    rows = [(f"c{i}.jpg", "", "", "", "", f"AB{i:03d}") for i in range(10)]
    source = make_layout("plates", rows, {f"c{i}.jpg": noise_image(i, 40, 120) for i in range(10)})
    manifest = tmp_path / "splits.json"
    write_manifest(build_manifest([source], val_fraction=0.5, seed=1), manifest)
    card = json.loads((exported / "ocr.json").read_text())
    model = TFLiteModel(exported / "ocr_int8.tflite", output_names=["probs"])
    scores = read_crops_scores(model, card, tmp_path, manifest, ["plates"])
    assert scores["crops"] == ["base", "tight", "loose", "tighter", "looser"] and scores["n"] >= 1
    assert scores["level"] == card["read_crops"]["level"] and scores["level"]["min_degrees"] == 6.0
    assert scores["int8"]["n"] == scores["n"] and 0.0 <= scores["int8"]["exact_match"] <= 100.0
    without = {k: v for k, v in card.items() if k != "read_crops"}
    assert read_crops_scores(model, without, tmp_path, manifest, ["plates"]) == {}
    assert read_crops_scores(model, card, tmp_path / "absent", manifest, ["plates"]) == {}


def test_calibration_seed_is_chosen_on_the_command_line_and_recorded(exported, tmp_path):
    assert json.loads((exported / "ocr.json").read_text())["export"]["calibration_seed"] == 0
    assert json.loads((exported / "detector.json").read_text())["export"]["calibration_seed"] == 1
    models = tmp_path / "models"
    shutil.copytree(exported, models)
    before = file_sha256(models / "detector_int8.tflite")
    args = ["export", "--models", str(models), "--only", "detector", "--data-root", str(tmp_path / "no-data")]
    assert main([*args, "--calibration-seed", "5", "--tolerance", "2"]) == 0
    card = json.loads((models / "detector.json").read_text())
    assert card["export"]["calibration_seed"] == 5
    assert card["export"]["parity"]["tolerance_points"] == 2.0
    assert card["tflite"]["int8"]["sha256"] == file_sha256(models / "detector_int8.tflite") != before


def test_parity_gate_refuses_an_int8_model_that_loses_more_than_the_tolerance(tmp_path, capsys):
    from export.pipeline import ExportResult, ParityError, check_parity

    result = ExportResult("ocr", 54.08, 53.06, 588, "exact_match", 1.0)
    candidate = tmp_path / "ocr_int8.candidate.tflite"
    candidate.write_bytes(b"int8")
    with pytest.raises(ParityError, match=r"more than 0\.5 points below"):
        check_parity(result, candidate)
    assert not candidate.exists()  # the refused candidate is removed; a shipped model stays as it was
    check_parity(result, None, tolerance=2.0)
    assert "int8 53.06 %" in capsys.readouterr().out


def test_export_tolerance_out_of_range_is_one_clear_error(exported, capsys):
    assert main(["export", "--models", str(exported), "--tolerance", "-1"]) != 0
    assert "--tolerance must be between 0 and 100" in capsys.readouterr().err
