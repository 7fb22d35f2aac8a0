"""train/ocr/parallel.py: several tiny readers trained at once, each an ordinary run folder."""

import json
import tarfile

import pytest

from train.ocr.parallel import main


def _config(path, seed):
    path.write_text(
        "name: ocr\nsynthetic_count: 48\nreal_sources: []\nepochs: 1\nbatch_size: 16\nwidth_multiplier: 0.25\n"
        f"seed: {seed}\nloader_threads: 2\n"
    )
    return path


def test_two_readers_train_at_once_and_are_packed(tmp_path, capsys):
    pytest.importorskip("keras")
    configs = [_config(tmp_path / "first.yaml", 1), _config(tmp_path / "second.yaml", 2)]
    runs, out = tmp_path / "runs", tmp_path / "out"
    args = ["--data-root", str(tmp_path / "no-data"), "--run-root", str(runs), "--render-workers", "1"]
    assert main([*args, "--out", str(out), *map(str, configs)]) == 0
    printed = capsys.readouterr().out
    for stem in ("first", "second"):
        state = json.loads((runs / stem / "state.json").read_text())
        assert state["epoch"] == 1 and (runs / stem / "best.keras").is_file()
        assert f"{stem}: best " in printed
        with tarfile.open(out / f"{stem}.tgz") as tar:
            assert {f"{stem}/best.keras", f"{stem}/state.json", f"{stem}/train.log"} <= set(tar.getnames())
    assert len(list((runs / "cache").glob("synth_ocr_*.npz"))) == 2  # one synthetic set per seed


def test_configs_need_distinct_names(tmp_path):
    first = _config(tmp_path / "a.yaml", 1)
    (tmp_path / "other").mkdir()
    second = _config(tmp_path / "other" / "a.yaml", 2)
    with pytest.raises(SystemExit):
        main(["--run-root", str(tmp_path / "runs"), str(first), str(second)])
    with pytest.raises(SystemExit):
        main(["--run-root", str(tmp_path / "runs")])
