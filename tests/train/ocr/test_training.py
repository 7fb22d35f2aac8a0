"""A tiny reader trains for a few steps, ships, reloads, and ``anpr evaluate`` writes the contract keys."""

import json

import numpy as np
import pytest

pytest.importorskip("keras")

from edge.cli.main import main
from edge.metadata import InputSpec
from edge.text import ALPHABET
from train.ocr.model import build_ocr_model


def test_model_shapes_and_ops():
    spec = InputSpec(height=48, width=160, colour="grey")
    model = build_ocr_model(spec, len(ALPHABET) + 1, width=0.5)
    assert model.output.shape[1:] == (40, 37)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert kinds <= {"InputLayer", "Conv2D", "DepthwiseConv2D", "BatchNormalization", "ReLU", "Reshape", "Softmax"}
    out = model.predict_on_batch(np.zeros((2, *spec.shape), np.float32))
    assert np.allclose(out.sum(axis=-1), 1.0, atol=1e-4)
    slots = build_ocr_model(spec, len(ALPHABET) + 1, width=0.5, head="slots", slots=10)
    assert slots.output.shape[1:] == (10, 37)


def test_train_ship_evaluate(tmp_path, capsys):
    config = tmp_path / "tiny.yaml"
    config.write_text(
        "name: ocr_tiny\nsynthetic_count: 96\ntwo_row_count: 16\nreal_sources: []\nepochs: 2\nbatch_size: 16\n"
        "width_multiplier: 0.25\n"
    )
    models, run = tmp_path / "models", tmp_path / "runs" / "ocr"
    assert (
        main(["train", "ocr", "--config", str(config), "--run-dir", str(run), "--ship", "--models", str(models)]) == 0
    )
    for name in ("best.keras", "last.keras", "state.json", "learning_curve.png", "confusion.png"):
        assert (run / name).is_file(), name
    card = json.loads((models / "ocr.json").read_text())  # the file the device loads, whatever the run's name
    assert card["name"] == "ocr_tiny" and (models / "ocr.keras").is_file()
    assert card["alphabet"] == ALPHABET and card["input"]["height"] == 48 and card["mmacs"] > 0
    assert len(card["keras"]["sha256"]) == 64
    assert [c["name"] for c in card["read_crops"]["crops"]] == ["base", "tight", "loose", "tighter", "looser"]
    assert card["read_crops"]["two_rows"]["max_aspect"] == 2.5
    state = json.loads((run / "state.json").read_text())
    assert state["epoch"] == 2 and len(state["history"]) == 2

    # resume one more epoch from the checkpoint
    config.write_text(config.read_text().replace("epochs: 2", "epochs: 3"))
    assert main(["train", "ocr", "--config", str(config), "--run-dir", str(run), "--resume"]) == 0
    assert json.loads((run / "state.json").read_text())["epoch"] == 3

    data = tmp_path / "plates"
    assert main(["synth", "--kind", "plates", "--count", "6", "--out", str(data), "--styles", "br_grey,eu_cz"]) == 0
    out = tmp_path / "eval.json"
    assert main(["evaluate", "--data", str(data), "--models", str(models), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    ocr = report["ocr"]
    assert ocr["n"] == 6 and 0.0 <= ocr["exact_match"] <= 100.0 and 0.0 <= ocr["char_accuracy"] <= 100.0
    assert set(ocr["by_group"]) <= {"br_grey", "eu_cz"}
    for scores in ocr["by_group"].values():
        assert set(scores) == {"exact_match", "char_accuracy", "n", "candidate_match"}
    # a right read is always among its own candidates: the candidates match at least as often
    assert ocr["exact_match"] <= ocr["candidate_match"] <= 100.0
    assert all(r["read"] in r["candidates"] for r in report["ocr_reads"] if r["read"])
    assert report["models"]["ocr"]["candidates"] == 3
    assert report["models"]["ocr"]["backend"] == "keras"
    assert report["models"]["ocr"]["crops"] == ["base", "tight", "loose", "tighter", "looser"]
    assert "overall" in capsys.readouterr().out
    single = tmp_path / "single.json"
    assert main(["evaluate", "--data", str(data), "--models", str(models), "--json", str(single), "--single-crop"]) == 0
    assert json.loads(single.read_text())["models"]["ocr"]["crops"] == ["base"]
    none = tmp_path / "none.json"
    no_candidates = ["--json", str(none), "--candidates", "0"]
    assert main(["evaluate", "--data", str(data), "--models", str(models), *no_candidates]) == 0
    assert "candidate_match" not in json.loads(none.read_text())["ocr"]
    assert card["read_crops"]["level"]["min_degrees"] == report["models"]["ocr"]["level_min_degrees"] == 6.0
    flat = tmp_path / "flat.json"
    assert main(["evaluate", "--data", str(data), "--models", str(models), "--json", str(flat), "--no-level"]) == 0
    assert json.loads(flat.read_text())["models"]["ocr"]["level_min_degrees"] is None
    assert card["read_crops"]["combine"] == report["models"]["ocr"]["combine"] == "ctc_likelihood"
    # a card that asks a fixed-slot reader to combine crops by CTC likelihood: one error naming the card
    (models / "ocr.json").write_text(json.dumps({**card, "decoder": "slots"}))
    capsys.readouterr()
    assert main(["evaluate", "--data", str(data), "--models", str(models), "--json", str(single)]) == 2
    err = capsys.readouterr().err
    assert "ocr.json" in err and "needs a CTC reader" in err and "--formats" not in err


def test_evaluate_errors_are_one_line(tmp_path, capsys):
    assert main(["evaluate", "--data", str(tmp_path), "--models", str(tmp_path)]) == 2
    assert "not a dataset folder" in capsys.readouterr().err
