import numpy as np

from edge.types import Box
from train.synth.lettering import paint_lettering, random_words
from train.synth.scenes import render_scene


def test_words_are_never_plate_texts():
    rng = np.random.default_rng(0)
    for _ in range(300):
        text = random_words(rng)
        assert text
        # a plate text is capitals and digits with both; lettering has lower case, or no digit, or is a
        # short model badge
        plate_like = text.isupper() and any(c.isdigit() for c in text) and len(text) > 6
        assert not plate_like, text


def test_lettering_stays_clear_of_plates_and_changes_only_its_boxes():
    rng = np.random.default_rng(1)
    plate = Box(300, 200, 400, 230)
    for _ in range(10):
        image = np.full((360, 640, 3), 100, np.uint8)
        painted = paint_lettering(image, rng, [plate], 4)
        assert painted
        changed = np.abs(image.astype(int) - 100).sum(axis=2) > 0
        inside = np.zeros_like(changed)
        for box in painted:
            assert box.is_inside(640, 360)
            grown = Box(250, 185, 450, 245)
            assert box.iou(grown) == 0.0
            inside[int(box.y1) : int(box.y2), int(box.x1) : int(box.x2)] = True
        assert changed.any() and not changed[~inside].any()
        assert not changed[200:230, 300:400].any()


def test_scenes_with_lettering_keep_their_plate_boxes():
    plain = render_scene(np.random.default_rng(5), [], [], camera=False)
    lettered = render_scene(np.random.default_rng(5), [], [], camera=False, lettering=1.0)
    assert lettered.boxes == plain.boxes and lettered.texts == plain.texts
    assert not np.array_equal(lettered.image, plain.image)
