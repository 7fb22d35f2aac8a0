import pytest

from edge.tracker import Observation, PlateTracker, Track
from edge.types import Box


def obs(frame, text, conf=0.9, x=0.0):
    return Observation(frame, frame / 10, Box(10 + x, 10, 60 + x, 25), 0.9, text, tuple(conf for _ in text))


def test_vote_per_character_weighted():
    track = Track(1, [obs(0, "AB123"), obs(1, "A8123", 0.5), obs(2, "AB123", 0.8), obs(3, "AB12", 0.99)])
    text, confidence = track.vote()
    assert text == "AB123"
    assert confidence == pytest.approx((1.7 / 2.2) * 0.85)


def test_track_emits_once_when_it_ends():
    tracker = PlateTracker(iou=0.3, max_missed=2, min_reads=2, emit_after=10)
    for f in range(4):
        assert tracker.update([obs(f, "XYZ1", x=f)]) == []
    ready = []
    for _ in range(4, 8):
        ready += tracker.update([])
    assert len(ready) == 1 and ready[0].vote()[0] == "XYZ1"
    assert tracker.tracks == []


def test_early_emit_on_agreement_and_separate_tracks():
    tracker = PlateTracker(iou=0.3, max_missed=2, min_reads=2, emit_after=3)
    far = Observation(0, 0, Box(300, 10, 350, 25), 0.9, "OTHER1", (0.9,) * 6)
    emitted = []
    for f in range(3):
        emitted += tracker.update([obs(f, "SAME1"), far])
    assert [t.vote()[0] for t in emitted] == ["SAME1", "OTHER1"] or [t.vote()[0] for t in emitted] == [
        "OTHER1",
        "SAME1",
    ]
    assert tracker.flush() == []  # already emitted


def test_single_sighting_is_not_published():
    tracker = PlateTracker(min_reads=2)
    tracker.update([obs(0, "ONCE1")])
    assert tracker.flush() == []
