"""``anpr bench --quick`` and ``anpr run`` on tiny exported models (functional, no speed asserted)."""

import json

import pytest

from edge.cli.main import main


def test_bench_quick_keys_and_order(tiny_models, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert (
        main(
            [
                "bench",
                "--models",
                str(tiny_models),
                "--quick",
                "--threads",
                "1",
                "--json",
                str(out),
                "--markdown",
                str(tmp_path / "b.md"),
                "--plot",
                str(tmp_path / "b.png"),
            ]
        )
        == 0
    )
    r = json.loads(out.read_text())
    for key in ("detector", "ocr"):
        for precision in ("int8", "float32"):
            assert r[key][precision]["p50_ms"] > 0
    assert r["pipeline"]["int8"]["p50_ms"] > 0 and r["pipeline"]["int8"]["fps"] > 0
    stages = r["runs"]["int8/1"]["stages"]
    assert r["pipeline"]["int8"]["fps_one_look"] > 0 and "pipeline_3_plates_one_look" in stages
    assert {"ocr_candidates", "ocr_candidates_unsure"} <= set(stages)
    assert r["rss_mb"] > 0 and r["board"]["cores"] >= 1 and "interpreter" in r["board"]
    for run in r["runs"].values():
        for s in run["stages"].values():
            assert 0 < s["p50_ms"] <= s["p90_ms"] <= s["p99_ms"]
    assert r["models"]["ocr"]["mmacs"] > 0 and r["models"]["detector"]["mmacs"] > 0
    # a detected plate never gets the crops meant for whole crop images
    card = json.loads((tiny_models / "ocr.json").read_text())
    whole = {c["name"] for c in card["read_crops"]["crops"] if c.get("whole_only")}
    ocr = r["models"]["ocr"]
    assert whole and ocr["boxed_read_crops"] == [n for n in ocr["read_crops"] if n not in whole]
    assert (tmp_path / "b.png").is_file() and "pipeline_1_plate" in (tmp_path / "b.md").read_text()


def test_run_cli_on_a_clip_exits_zero(tiny_models, tmp_path, capsys):
    pytest.importorskip("PIL")
    from train.synth.clip import write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, frames=20, seed=1)
    code = main(["run", "--source", str(clip), "--models", str(tiny_models), "--state-dir", str(tmp_path / "s")])
    assert code == 0  # tiny models read nothing useful; the point is a clean run and exit


def test_run_cli_errors_are_one_line(tiny_models, tmp_path, capsys):
    assert (
        main(
            [
                "run",
                "--source",
                str(tmp_path / "missing.mp4"),
                "--models",
                str(tiny_models),
                "--state-dir",
                str(tmp_path / "s"),
            ]
        )
        == 2
    )
    assert "no such file" in capsys.readouterr().err
    assert main(["run", "--models", str(tmp_path / "nomodels"), "--state-dir", str(tmp_path / "s")]) == 2
    assert "model card not found" in capsys.readouterr().err
    bad = tmp_path / "agent.yaml"
    bad.write_text("mqtt: {port: nope}\n")
    assert main(["run", "--config", str(bad)]) == 2
    assert "mqtt.port" in capsys.readouterr().err


def test_run_cli_sigterm_exits_zero(tiny_models, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    pytest.importorskip("PIL")
    from train.synth.clip import write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, frames=200, seed=2)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "edge.cli.main",
            "run",
            "--source",
            str(clip),
            "--fps",
            "10",
            "--models",
            str(tiny_models),
            "--state-dir",
            str(tmp_path / "s"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "finishing the frame in hand" in err and "frames" in err


def test_run_cli_undelivered_reads_exit_nonzero_and_stay(tiny_models, tmp_path, capsys):
    """A read left from an earlier run cannot reach a closed broker: exit 3, and it stays on disk."""
    from edge.outbox import Outbox
    from tests.edge.broker import free_port

    pytest.importorskip("PIL")
    from train.synth.clip import write_clip

    state = tmp_path / "s"
    Outbox(state).put({"id": "left-over", "plate": "AB123", "ts": "2026-11-23T00:00:00Z"})
    clip = tmp_path / "clip.mp4"
    write_clip(clip, frames=5, seed=3)
    code = main(
        [
            "run",
            "--source",
            str(clip),
            "--models",
            str(tiny_models),
            "--state-dir",
            str(state),
            "--mqtt-host",
            "127.0.0.1",
            "--mqtt-port",
            str(free_port()),
            "--drain-timeout",
            "1",
        ]
    )
    assert code == 3
    assert "1 read(s) not delivered" in capsys.readouterr().err
    assert Outbox(state).size() == 1
    assert main(["reads", "--state-dir", str(state)]) == 0
    assert '"left-over"' in capsys.readouterr().out


def test_peer_comparison_on_labelled_crops(tiny_models, make_layout):
    """Our reader and the peers on the same crops; absent peers are reported, never dropped."""
    import numpy as np

    from edge.models import open_model
    from edge.peers import INSTALL_HINTS, compare_peers, load_labelled_crops
    from edge.recognizer import PlateRecognizer

    rng = np.random.default_rng(0)
    images = {f"p{i}.png": rng.integers(0, 255, (40, 120, 3), np.uint8) for i in range(6)}
    rows = [(f"p{i}.png", "", "", "", "", f"AB{i}23") for i in range(5)] + [("p5.png", "", "", "", "", "")]
    folder = make_layout("plates", rows, images)
    model, card = open_model(tiny_models, "ocr", "int8", 1)
    recognizer = PlateRecognizer.from_card(model, card)
    crops = load_labelled_crops([folder], recognizer.spec, limit=4)
    assert [c.text for c in crops] == ["AB023", "AB123", "AB223", "AB323"]  # unlabelled rows are left out
    result = compare_peers(recognizer, crops)
    assert result["crops"] == 4 and 0 < result["ours"]["p50_ms"] <= result["ours"]["p99_ms"]
    assert 0 <= result["ours"]["exact_pct"] <= 100
    for name in ("ppocrv4_rapidocr", "tesseract"):
        assert result[name] == INSTALL_HINTS[name] or result[name]["speed_ratio"] > 0
    assert compare_peers(recognizer, [])["crops"] == 0


def test_agent_reads_the_cards_crops_unless_configured_not_to(tiny_models):
    from edge.assembly import load_readers
    from edge.config import AgentConfig
    from edge.metadata import DEFAULT_READ_CROPS, SINGLE_CROP

    assert load_readers(AgentConfig(models=tiny_models)).recognizer.crops == DEFAULT_READ_CROPS
    single = AgentConfig(models=tiny_models, ocr={"several_crops": False})
    assert load_readers(single).recognizer.crops == SINGLE_CROP
    unlevelled = load_readers(AgentConfig(models=tiny_models, ocr={"level_sloped": False})).recognizer.crops
    assert unlevelled.level is None and unlevelled.crops == DEFAULT_READ_CROPS.crops


def test_agent_sideways_setting_turns_on_the_detectors_look_and_the_readers_turning(tiny_models):
    from edge.assembly import load_readers
    from edge.config import AgentConfig

    plain = load_readers(AgentConfig(models=tiny_models))
    assert plain.detector.params.sideways is False and plain.recognizer.sideways is False
    sideways = load_readers(AgentConfig(models=tiny_models, detector={"sideways": True}))
    assert sideways.detector.params.sideways is True and sideways.recognizer.sideways is True
