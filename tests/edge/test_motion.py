"""The motion gate: still frames skip the detector; change, reading and the heartbeat let it run."""

import itertools

import numpy as np
import pytest

from edge.config import MotionConfig, load_agent_config
from edge.errors import ConfigError
from edge.motion import MotionGate

FPS = 30


def _scene(seed: int = 0) -> np.ndarray:
    """A textured 720p background (grey BGR)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(60, 200, size=(45, 80), dtype=np.uint8)
    grey = np.kron(small, np.ones((16, 16), np.uint8))
    return np.repeat(grey[:, :, None], 3, axis=2)


def _with_car(background: np.ndarray, x: int, width: int = 150) -> np.ndarray:
    frame = background.copy()
    frame[400:480, x : x + width] = 20
    frame[440:460, x + 60 : x + 90] = 240  # the plate
    return frame


def _decisions(gate: MotionGate, frames: list[np.ndarray], tracking: bool = False) -> list[bool]:
    return [gate.should_detect(frame, i / FPS, tracking) for i, frame in enumerate(frames)]


def test_a_still_scene_runs_the_detector_once_then_at_the_heartbeat():
    gate = MotionGate(MotionConfig(max_idle_seconds=2.0))
    decisions = _decisions(gate, [_scene()] * (5 * FPS))
    assert [i for i, run in enumerate(decisions) if run] == [0, 2 * FPS, 4 * FPS]


def test_a_car_arriving_runs_the_detector_and_the_still_frames_after_it_do_not():
    gate = MotionGate(MotionConfig())
    background = _scene()
    frames = [background] * 10 + [_with_car(background, 600)] * 10
    decisions = _decisions(gate, frames)
    assert decisions[0] and not any(decisions[1:10])
    assert decisions[10] and not any(decisions[11:])
    assert gate.last_change == 0.0


def test_change_accumulates_so_a_creeping_car_is_seen_before_the_heartbeat():
    """One pixel per frame in a 1280 px frame is 1/8 px in the compared copy: frame to frame nothing
    changes enough, but against the frame the detector last saw it soon does."""
    gate = MotionGate(MotionConfig(max_idle_seconds=10.0))
    background = _scene()
    frames = [_with_car(background, 300 + i) for i in range(2 * FPS)]
    decisions = _decisions(gate, frames)
    runs = [i for i, run in enumerate(decisions) if run]
    assert runs[0] == 0 and len(runs) >= 3  # seen moving several times within two seconds
    # the same frames compared only with their predecessor would never pass
    pairwise = MotionGate(MotionConfig(max_idle_seconds=10.0))
    assert not any(
        pairwise.changed_share(pairwise.small_grey(b)) > pairwise.cfg.area_threshold
        for a, b in itertools.pairwise(frames)
        if pairwise.should_detect(a, 0.0, True)  # makes ``a`` the reference
    )


def test_sensor_noise_alone_does_not_run_the_detector():
    gate = MotionGate(MotionConfig(max_idle_seconds=100.0))
    rng = np.random.default_rng(1)
    background = _scene().astype(np.float32)
    frames = [np.clip(background + rng.normal(0, 8, background.shape), 0, 255).astype(np.uint8) for _ in range(30)]
    assert _decisions(gate, frames) == [True] + [False] * 29


def test_reading_a_plate_and_a_disabled_gate_always_run_the_detector():
    frames = [_scene()] * 20
    assert all(_decisions(MotionGate(MotionConfig()), frames, tracking=True))
    assert all(_decisions(MotionGate(MotionConfig(enabled=False)), frames))


def test_a_source_that_restarts_its_clock_runs_the_detector():
    gate = MotionGate(MotionConfig())
    frame = _scene()
    assert gate.should_detect(frame, 50.0, False)
    assert not gate.should_detect(frame, 50.5, False)
    assert gate.should_detect(frame, 0.0, False)


def test_grey_frames_and_a_new_frame_size_are_handled():
    gate = MotionGate(MotionConfig())
    grey = _scene()[:, :, 0]
    assert gate.should_detect(grey, 0.0, False) and not gate.should_detect(grey, 0.1, False)
    assert gate.should_detect(_scene()[:360, :640], 0.2, False)  # the camera changed resolution


@pytest.mark.parametrize(
    ("field", "value"),
    [("area_threshold", 1.5), ("pixel_threshold", 0), ("width", 8), ("max_idle_seconds", 0), ("enabld", True)],
)
def test_bad_motion_settings_are_one_error_naming_the_field(field, value):
    with pytest.raises(ConfigError, match=f"motion.{field}"):
        load_agent_config(None, {f"motion.{field}": value})


def test_with_a_zone_only_change_inside_it_counts():
    """A driveway camera that also sees the street: cars passing outside the zone where plates are read
    do not run the detector; one entering the zone does."""
    zone = [(0, 360), (640, 360), (640, 720), (0, 720)]  # bottom-left quarter of the 720p frame
    gate = MotionGate(MotionConfig(max_idle_seconds=100.0), zone)
    background = _scene()
    passing = background.copy()
    passing[100:200, 700:1000] = 20  # a car on the street, top right
    arriving = passing.copy()
    arriving[500:600, 200:400] = 20  # a car in the zone
    assert _decisions(gate, [background, passing, passing, arriving]) == [True, False, False, True]
    whole = MotionGate(MotionConfig(max_idle_seconds=100.0))
    assert _decisions(whole, [background, passing]) == [True, True]  # without the zone it would run


def test_a_zone_outside_the_frame_falls_back_to_the_whole_frame():
    gate = MotionGate(MotionConfig(max_idle_seconds=100.0), [(5000, 5000), (5100, 5000), (5100, 5100)])
    background = _scene()
    changed = background.copy()
    changed[100:200, 700:1000] = 20
    assert _decisions(gate, [background, background, changed]) == [True, False, True]
