"""Every detector config in train/configs validates (their commands are documented in README and cards)."""

from pathlib import Path

import pytest

from train.detector.config import DetectorTrainConfig


@pytest.mark.parametrize("path", sorted(Path("train/configs").glob("detector*.yaml")), ids=lambda p: p.name)
def test_detector_configs_validate(path):
    cfg = DetectorTrainConfig.from_yaml(path)
    assert cfg.input.resize == "letterbox"
