from pathlib import Path

import pytest
from pydantic import ValidationError

from edge.errors import ConfigError
from train.ocr.config import OcrTrainConfig


def test_shipped_configs_validate():
    assert OcrTrainConfig.from_yaml("train/configs/ocr.yaml").name == "ocr"
    for path in sorted(Path("train/configs").glob("ocr*.yaml")):  # experiments too: their commands are documented
        OcrTrainConfig.from_yaml(path)
    quick = OcrTrainConfig.from_yaml("train/configs/ocr_quick.yaml")
    assert quick.time_budget_minutes and quick.time_budget_minutes <= 30


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("epochs: [1\n", "malformed YAML"),
        ("epochs: zero\n", "epochs"),
        ("batch_size: 0\n", "batch_size"),
        ("colour_jitter: 1\n", "colour_jitter"),
        ("input: {height: 48, width: 160, colour: purple}\n", "input.colour"),
        ("- a list\n", "mapping"),
    ],
)
def test_bad_configs_name_the_field(tmp_path, text, fragment):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=fragment):
        OcrTrainConfig.from_yaml(path)
    with pytest.raises(ConfigError, match="not found"):
        OcrTrainConfig.from_yaml(tmp_path / "absent.yaml")


def test_config_is_frozen():
    cfg = OcrTrainConfig()
    with pytest.raises(ValidationError):
        cfg.epochs = 3
