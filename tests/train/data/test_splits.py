import json

import pytest

from edge.errors import DataError
from tests.conftest import noise_image
from train.data.annotations import read_dataset
from train.data.splits import (
    DEFAULT_MANIFEST,
    assign_groups,
    build_manifest,
    group_rows,
    load_manifest,
    select_split,
    split_dataset,
    video_of,
    write_manifest,
)


def _crops_dataset(make_layout, n: int = 60):
    rows, images = [], {}
    for i in range(n):
        name = f"c{i}.jpg"
        images[name] = noise_image(i)
        rows.append((name, "", "", "", "", f"AB{i % 20:03d}"))  # each text appears three times
    return read_dataset(make_layout("crops", rows, images))


def test_video_of():
    assert video_of("train/dayride_type1_001.mp4_t1054.jpg") == "dayride_type1_001.mp4"
    assert video_of("photo.jpg") is None


def test_same_text_never_crosses(make_layout):
    dataset = _crops_dataset(make_layout)
    entry = split_dataset(dataset, 0.2, seed=1)
    texts = {split: {a.text for a in dataset.annotations if a.image in set(entry[split])} for split in ("train", "val")}
    assert texts["train"] and texts["val"]
    assert not texts["train"] & texts["val"]
    assert len(entry["val"]) == 12  # four whole groups of three = exactly 20 %


def test_video_frames_and_identical_photos_stay_together(make_layout):
    rows, images = [], {}
    for v in range(5):
        for t in range(4):
            name = f"train/v{v}.mp4_t{t:04d}.jpg"
            images[name] = noise_image(100 * v + t)
            rows.append((name, 1, 1, 20, 10, ""))
    same = noise_image(999)
    images.update({"dup_a.jpg": same, "dup_b.jpg": same})
    rows += [("dup_a.jpg", 1, 1, 20, 10, ""), ("dup_b.jpg", 2, 2, 21, 11, "")]
    dataset = read_dataset(make_layout("video", rows, images))
    groups = group_rows(dataset)
    for members in groups.values():
        videos = {video_of(a.image) for a in members}
        assert len(videos) == 1
    dup_groups = [g for g, members in groups.items() if {a.image for a in members} & {"dup_a.jpg", "dup_b.jpg"}]
    assert len(dup_groups) == 1
    entry = split_dataset(dataset, 0.2, seed=3)
    for v in range(5):
        frames = {f"train/v{v}.mp4_t{t:04d}.jpg" for t in range(4)}
        assert frames <= set(entry["train"]) or frames <= set(entry["val"])


def test_assignment_is_deterministic_and_keeps_both_sides():
    sizes = {f"g{i}": 1 for i in range(100)}
    assert assign_groups(sizes, 0.2, 5) == assign_groups(sizes, 0.2, 5)
    assert len(assign_groups(sizes, 0.2, 5)) == 20
    assert assign_groups(sizes, 0.2, 5) != assign_groups(sizes, 0.2, 6)
    assert len(assign_groups({"a": 10, "b": 10}, 0.9, 0)) == 1  # never everything in val
    assert len(assign_groups({"a": 100, "b": 30, "c": 30}, 0.2, 0)) == 1  # one whole group, the nearest


def test_manifest_round_trip_and_staleness(make_layout, tmp_path):
    dataset = _crops_dataset(make_layout)
    manifest = build_manifest([dataset.root], seed=7)
    path = tmp_path / "m.json"
    write_manifest(manifest, path)
    loaded = load_manifest(path)
    train = select_split(dataset, loaded, "train").annotations
    val = select_split(dataset, loaded, "val").annotations
    assert len(train) + len(val) == len(dataset.annotations)
    (dataset.root / "annotations.csv").write_text((dataset.root / "annotations.csv").read_text() + "c0.jpg,,,,,ZZ1\n")
    with pytest.raises(DataError, match="changed since the split manifest"):
        select_split(read_dataset(dataset.root), loaded, "val")
    with pytest.raises(DataError, match="not found"):
        load_manifest(tmp_path / "absent.json")


@pytest.mark.shared_data
def test_shipped_manifest_is_current_and_leak_free(shared_sources):
    manifest = load_manifest(DEFAULT_MANIFEST)
    assert json.loads(DEFAULT_MANIFEST.read_text())["val_fraction"] == 0.2
    for directory in shared_sources:
        dataset = read_dataset(directory)
        train = select_split(dataset, manifest, "train").annotations
        val = select_split(dataset, manifest, "val").annotations
        assert train and val
        assert not {a.image for a in train} & {a.image for a in val}
        assert not {a.text for a in train if a.text} & {a.text for a in val if a.text}
        assert not {video_of(a.image) for a in train if video_of(a.image)} & {
            video_of(a.image) for a in val if video_of(a.image)
        }
        share = len(val) / (len(train) + len(val))
        assert 0.1 < share < 0.3, (dataset.name, share)
