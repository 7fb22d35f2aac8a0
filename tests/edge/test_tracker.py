import pytest

from edge.tracker import Observation, PlateTracker, Track
from edge.types import Box


def obs(frame, text, conf=0.9, x=0.0):
    return Observation(frame, frame / 10, Box(10 + x, 10, 60 + x, 25), 0.9, text, tuple(conf for _ in text))


def test_vote_per_character_weighted():
    track = Track(1, [obs(0, "AB123"), obs(1, "A8123", 0.5), obs(2, "AB123", 0.8), obs(3, "AB12", 0.99)])
    text, confidence = track.vote()
    assert text == "AB123"
    # weakest position (1.7 of 2.2 weight, mean 0.85) times the 3 of 4 reads that have the voted length
    assert confidence == pytest.approx((1.7 / 2.2) * 0.85 * 3 / 4)


def test_vote_of_reads_that_disagree_on_the_length_is_weak():
    # a grille read as fragments: one sure "HH" among empty and shorter reads is not a plate
    track = Track(1, [obs(0, ""), obs(1, "H", 0.93), obs(2, "HH", 0.65), obs(3, "")])
    text, confidence = track.vote()
    assert text == "HH"
    assert confidence == pytest.approx(0.65 / 2)
    agreeing = Track(2, [obs(0, "HH", 0.65), obs(1, ""), obs(2, "HH", 0.65)])
    assert agreeing.vote() == ("HH", pytest.approx(0.65))


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


def moving(frame, text, speed=30.0, width=50.0, growth=0.0):
    """A plate moving right by ``speed`` px and growing by ``growth`` px (width) per frame."""
    x = 10 + speed * frame
    w = width + growth * frame
    return Observation(frame, frame / 25, Box(x, 100, x + w, 100 + w * 0.3), 0.9, text, (0.9,) * len(text))


def test_predicted_box_moves_and_scales_at_the_recent_velocity():
    track = Track(1, [moving(0, "A1"), moving(1, "A1", growth=2), moving(2, "A1", growth=2)])
    # from frame 0 (x 10..60, centre 35) to frame 2 (x 70..124, centre 97): centre +31 px/frame, width +2
    box = track.predicted_box(5)
    assert box.x1 + box.width / 2 == pytest.approx(97 + 31 * 3)
    assert box.width == pytest.approx(54 + 2 * 3)
    assert track.predicted_box(2) == track.box  # not ahead: the last box
    assert Track(2, [moving(0, "A1")]).predicted_box(9) == moving(0, "A1").box  # seen once: no velocity


def test_fast_plate_lost_for_frames_stays_one_track():
    # 30 px per frame on a 50 px plate: after a 3-frame gap the last box no longer overlaps at all
    seen = [0, 1, 2, 3, 7, 8, 9, 10]
    assert moving(3, "FAST1").box.iou(moving(7, "FAST1").box) == 0.0
    tracker = PlateTracker(iou=0.2, max_missed=4, min_reads=2, emit_after=50)
    for f in range(11):
        tracker.update([moving(f, "FAST1")] if f in seen else [])
    ready = tracker.flush()
    assert len(ready) == 1 and len(ready[0].observations) == len(seen)


def test_plate_appearing_elsewhere_starts_its_own_track():
    tracker = PlateTracker(iou=0.2, max_missed=4, min_reads=2, emit_after=50)
    for f in range(4):
        tracker.update([moving(f, "FAST1")])
    other = Observation(4, 0.16, Box(10, 300, 60, 315), 0.9, "OTHER1", (0.9,) * 6)
    tracker.update([other])
    assert [len(t.observations) for t in tracker.tracks] == [4, 1]


def test_one_short_detector_box_does_not_split_the_track():
    # boxes the shipped detector gave on a generated clip: the second is cut short on the right, so the
    # velocity shrinks the predicted box away from the third; the last box still overlaps it
    boxes = [Box(768, 345, 821, 362), Box(767, 350, 803, 363), Box(766, 355, 824, 372)]
    tracker = PlateTracker(iou=0.2, max_missed=8, min_reads=2, emit_after=50)
    for frame, box in enumerate(boxes):
        tracker.update([Observation(frame, frame / 10, box, 0.5, "ROB2770", (0.9,) * 7)])
    track = Track(1, [Observation(f, f / 10, b, 0.5, "ROB2770", (0.9,) * 7) for f, b in enumerate(boxes[:2])])
    assert track.predicted_box(2).iou(boxes[2]) < 0.2  # the prediction alone would start a new track
    assert [len(t.observations) for t in tracker.tracks] == [3]


def test_a_plate_parked_in_view_keeps_bounded_observations_and_its_first_frame():
    tracker = PlateTracker(iou=0.3, max_missed=2, min_reads=2, emit_after=3, keep_observations=5)
    emitted = []
    for f in range(1000):  # a car waiting at a gate: one track, emitted once, memory flat
        emitted += tracker.update([obs(f, "PARK1")])
    (track,) = tracker.tracks
    assert len(emitted) == 1 and emitted[0] is track
    assert len(track.observations) == 5 and [o.frame for o in track.observations] == [995, 996, 997, 998, 999]
    assert track.seen == 1000 and track.first is not None and track.first.frame == 0


def test_keep_observations_must_cover_the_reads_a_track_needs():
    with pytest.raises(ValueError, match="keep_observations"):
        PlateTracker(min_reads=2, emit_after=8, keep_observations=4)


def test_an_unchanged_frame_repeats_the_last_detector_run():
    """Seen at the last run: the track stays as it is (no miss); missing then: it misses again and ends
    after max_missed such frames, published if it never was."""
    tracker = PlateTracker(iou=0.3, max_missed=2, min_reads=2, emit_after=10)
    for f in range(3):
        tracker.update([obs(f, "STAY1")])
    for _ in range(50):
        assert tracker.update_unchanged() == []
    (track,) = tracker.tracks
    assert track.missed == 0 and track.seen == 3 and tracker.collecting
    assert tracker.update([]) == []  # the plate is gone at the next run: one miss
    assert track.missed == 1
    assert tracker.update_unchanged() == []  # a second miss, still within max_missed
    (ended,) = tracker.update_unchanged()  # the third ends it, with its reads, unpublished until now
    assert ended is track and ended.emitted and tracker.tracks == []


def test_collecting_until_published_or_seen_as_often_as_kept():
    tracker = PlateTracker(iou=0.3, max_missed=2, min_reads=2, emit_after=3, keep_observations=5)
    assert not tracker.collecting
    tracker.update([obs(0, "AB1")])
    assert tracker.collecting
    for f in range(1, 3):
        tracker.update([obs(f, "AB1")])
    assert not tracker.collecting  # three agreeing reads: published
    junk = PlateTracker(iou=0.3, max_missed=2, min_reads=2, emit_after=3, keep_observations=5)
    for f, text in enumerate(["A1", "B2", "C3", "D4", "E5"]):
        junk.update([obs(f, text)])
        assert junk.collecting == (f < 4)  # five reads that never agree (a sign) stop holding it on
    assert len(junk.tracks) == 1 and not junk.tracks[0].emitted


def listing(frame, text, candidates):
    return Observation(frame, frame / 10, Box(10, 10, 60, 25), 0.9, text, (0.8,) * len(text), None, candidates)


def test_track_candidates_average_over_the_reads_that_list_them():
    track = Track(
        1,
        [
            listing(0, "OEC617", (("OEC617", 0.6), ("0EC617", 0.3))),
            listing(1, "0EC617", (("0EC617", 0.5), ("OEC617", 0.4), ("OEC6177", 0.02))),
            listing(2, "", ()),  # an empty read lists nothing and does not count
            obs(3, "OEC617"),  # a read without candidates (the reader was not asked) does not count either
        ],
    )
    listed = track.candidates("OEC617", 3)
    assert [t for t, _ in listed] == ["OEC617", "0EC617", "OEC6177"]
    assert [p for _, p in listed] == pytest.approx([0.5, 0.4, 0.01])
    assert [t for t, _ in track.candidates("OEC617", 3, min_probability=0.05)] == ["OEC617", "0EC617"]
    assert track.candidates("OEC617", 1) == [("OEC617", pytest.approx(0.5))]
    # the voted plate comes first even when no read listed it (probability 0)
    assert track.candidates("QEC617", 2) == [("QEC617", 0.0), ("OEC617", pytest.approx(0.5))]
    assert Track(2, [obs(0, "AB12")]).candidates("AB12", 3) == []
