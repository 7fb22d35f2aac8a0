"""The scoring helpers of the benchmark scripts (they are scripts, loaded by path)."""

import importlib.util
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clip_score_counts_read_missed_and_wrong():
    score = load("clip_reads").score_clip(["AB123", "CD456", "EF789"], ["AB123", "CD456", "CD4S6", "AB123"])
    assert score == {"plates": 3, "read": 2, "missed": ["EF789"], "wrong": ["CD4S6"]}
    listed = [["AB123"], ["CD456", "CD4S6"], ["CD4S6", "CD456"], ["AB123", "EF789"]]
    score = load("clip_reads").score_clip(["AB123", "CD456", "EF789"], ["AB123", "CD456", "CD4S6", "AB123"], listed)
    assert score["read_or_listed"] == 3 and score["wrong_listing_a_plate"] == ["CD4S6"]


def test_differences_report_share_and_maximum():
    differences = load("int8_outputs").differences
    a = np.array([[0, 1, 2, 3]], np.uint8)
    assert differences(a, np.array([[0, 1, 5, 2]], np.uint8)) == "50.0 % of 4 values differ, max 3"
    assert differences(a, a) == "0.0 % of 4 values differ, max 0"
    assert differences(a, a[0]).startswith("shapes differ")


def test_box_variants_scale_about_the_centre_shift_and_clip():
    from edge.types import Box

    vary = load("box_tolerance").vary_box
    box = Box(100, 50, 200, 70)
    assert vary(box, (1.0, 1.0, 0.0, 0.0), 640, 480) == box
    assert vary(box, (1.5, 2.0, 0.0, 0.0), 640, 480) == Box(75, 40, 225, 80)
    assert vary(box, (1.0, 1.0, 0.1, -0.5), 640, 480) == Box(110, 40, 210, 60)
    assert vary(Box(0, 0, 100, 20), (1.5, 1.5, 0.0, 0.0), 640, 480) == Box(0, 0, 125, 25)
    image = np.arange(48 * 64 * 3, dtype=np.uint8).reshape(48, 64, 3)
    cut = load("box_tolerance").cut(image, Box(10.5, 4.2, 20.0, 9.8))  # rounded out to x 10..20, y 4..10
    np.testing.assert_array_equal(cut, image[4:10, 10:20])


def test_zoomed_out_merge_swaps_only_wide_boxes_it_is_surer_of():
    merge = load("detector_rescaled_looks")._merge_max
    default = (np.array([[0, 0, 100, 20], [200, 0, 210, 5]], np.float32), np.array([0.5, 0.6], np.float32))
    zoomed = (np.array([[5, 0, 105, 22], [200, 0, 211, 5]], np.float32), np.array([0.8, 0.9], np.float32))
    boxes, scores = merge(default, zoomed, width=1000, min_width=0.05, nms_iou=0.45)
    # the 100-px box (10 % of the frame) takes the surer zoomed-out box; the 10-px one (1 %) is left alone
    assert boxes.tolist() == [[5, 0, 105, 22], [200, 0, 210, 5]]
    assert np.allclose(scores, [0.8, 0.6])
    unsure = (zoomed[0], np.array([0.1, 0.1], np.float32))
    boxes, scores = merge(default, unsure, width=1000, min_width=0.05, nms_iou=0.45)
    # nothing changes (NMS puts the surer box first)
    assert boxes.tolist() == default[0][::-1].tolist() and np.allclose(scores, default[1][::-1])


def test_unmarked_candidates_are_the_detections_no_marked_box_overlaps():
    unmarked = load("unmarked_candidates").unmarked
    truth = np.array([[0, 0, 10, 10]], np.float32)
    boxes = np.array([[0, 0, 10, 10], [9, 0, 19, 10], [8, 0, 18, 10], [50, 50, 60, 60]], np.float32)
    # IoU 1, 1/19 (under 0.1), 2/18 (over), 0
    assert unmarked(truth, boxes, 0.1) == [1, 3]
    assert unmarked(np.zeros((0, 4), np.float32), boxes, 0.1) == [0, 1, 2, 3]
    assert unmarked(truth, np.zeros((0, 4), np.float32), 0.1) == []


def test_detections_of_unmarked_plates_are_left_out_only_when_they_match_no_marked_plate():
    without = load("detector_unmarked_precision").without_unmarked
    truth = np.array([[0, 0, 10, 10]], np.float32)
    unmarked = np.array([[20, 0, 30, 10], [0, 0, 10, 9]], np.float32)
    boxes = np.array([[0, 0, 10, 10], [20, 0, 30, 10], [21, 0, 31, 10], [50, 0, 60, 10]], np.float32)
    scores = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
    kept, kept_scores = without(boxes, scores, truth, unmarked)
    # the marked plate stays though it also overlaps an unmarked box; IoU 1 and 9/11 go; the stray stays
    assert kept.tolist() == [[0, 0, 10, 10], [50, 0, 60, 10]] and kept_scores.tolist() == scores[[0, 3]].tolist()
    kept, _ = without(boxes, scores, np.zeros((0, 4), np.float32), unmarked)
    assert kept.tolist() == [[50, 0, 60, 10]]
    kept, _ = without(boxes, scores, truth, np.zeros((0, 4), np.float32))
    assert len(kept) == 4


def test_turned_photos_keep_each_plate_on_its_pixels_and_its_text(make_layout, tmp_path):
    import cv2

    from train.data.annotations import read_dataset

    photo = np.random.default_rng(5).integers(0, 255, (40, 90, 3), dtype=np.uint8)
    crop = np.random.default_rng(6).integers(0, 255, (20, 60, 3), dtype=np.uint8)
    rows = [("cars/a.jpg", 10, 5, 40, 15, "AB12"), ("cars/a.jpg", 50, 20, 80, 30, ""), ("b.png", "", "", "", "", "XY9")]
    source = make_layout("src", rows, {"cars/a.jpg": photo, "b.png": crop})
    count = load("turned_photos").write_turned(source, tmp_path / "out", "all", [1, 3], tmp_path / "no-manifest")
    turned = read_dataset(tmp_path / "out")
    assert count == 3 and not turned.errors
    texts = [(a.image, a.text, a.box.as_list() if a.box else None) for a in turned.annotations]
    # first image turned once (90 wide: x -> 90 - x), the second three times
    assert texts == [
        ("cars/a.png", "AB12", [5.0, 50.0, 15.0, 80.0]),
        ("cars/a.png", "", [20.0, 10.0, 30.0, 40.0]),
        ("b.png", "XY9", None),
    ]
    stored = cv2.imread(str(tmp_path / "out" / "images" / "cars" / "a.png"))
    np.testing.assert_array_equal(stored, np.rot90(cv2.imread(str(source / "images" / "cars" / "a.jpg"))))
    assert cv2.imread(str(tmp_path / "out" / "images" / "b.png")).shape == (60, 20, 3)


def test_tagged_photos_store_turned_pixels_that_decode_upright_with_boxes_in_either_frame(make_layout, tmp_path):
    from edge.imageio import read_image
    from edge.orientation import exif_orientation, stored_box_to_upright
    from train.data.annotations import read_dataset

    photo = np.zeros((40, 90, 3), np.uint8)
    photo[5:15, 10:40] = 255
    rows = [("cars/a.jpg", 10, 5, 40, 15, "AB12"), ("b.jpg", 50, 20, 80, 30, ""), ("c.png", "", "", "", "", "XY9")]
    source = make_layout("src", rows, {"cars/a.jpg": photo, "b.jpg": photo, "c.png": photo[:20]})
    script = load("tagged_photos")
    for boxes in ("stored", "upright"):
        out = tmp_path / boxes
        assert script.write_tagged(source, out, "all", [6, 3], boxes, tmp_path / "no-manifest") == 2  # no crop
        tagged = read_dataset(out)
        for annotation, orientation, original in zip(tagged.annotations, [6, 3], rows):
            path = tagged.image_path(annotation)
            assert exif_orientation(path.read_bytes()) == orientation
            shown = read_image(path)
            assert shown.shape == photo.shape and np.abs(shown.astype(int) - photo).mean() < 3
            stored_size = (40, 90) if orientation == 6 else (90, 40)
            box = annotation.box
            if boxes == "stored":
                box = stored_box_to_upright(box, orientation, *stored_size)
            assert box.as_list() == [float(v) for v in original[1:5]]
