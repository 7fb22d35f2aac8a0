import numpy as np
import pytest

from edge.detector import DecodeParams, PlateDetector, SecondLook
from edge.metadata import InputSpec
from edge.runtime.interpreter import ModelLoadError

SPEC = InputSpec(height=96, width=160, colour="rgb", resize="letterbox")
STRIDE = 4


class BrightBoxModel:
    """A fake detector model: one plate where the input is bright, sure in proportion to its width in
    the input (``sure_width`` px and wider: 1.0), plus a fixed false peak at ``ghost`` (input pixels)."""

    def __init__(self, sure_width: float = 40.0, ghost: tuple[int, int, float] | None = None) -> None:
        self.sure_width, self.ghost, self.calls = sure_width, ghost, 0

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        self.calls += 1
        image = pixels.reshape(pixels.shape[-3:]).astype(np.float32).mean(axis=-1)
        h, w = image.shape[0] // STRIDE, image.shape[1] // STRIDE
        heat, offset, size = np.zeros((h, w, 1), np.float32), np.zeros((h, w, 2), np.float32), np.zeros((h, w, 2))
        ys, xs = np.nonzero(image > 200)
        if ys.size:
            x1, x2, y1, y2 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
            cx, cy = (x1 + x2) / 2 / STRIDE, (y1 + y2) / 2 / STRIDE
            heat[int(cy), int(cx), 0] = min(1.0, (x2 - x1) / self.sure_width)
            offset[int(cy), int(cx)] = (cx - int(cx), cy - int(cy))
            size[int(cy), int(cx)] = np.log([(x2 - x1) / STRIDE, (y2 - y1) / STRIDE])
        if self.ghost is not None:
            gx, gy, score = self.ghost
            heat[gy // STRIDE, gx // STRIDE, 0] = score
            offset[gy // STRIDE, gx // STRIDE] = (0.5, 0.5)
            size[gy // STRIDE, gx // STRIDE] = np.log([8 / STRIDE, 3 / STRIDE])
        return {"heatmap": heat, "offset": offset, "size": size.astype(np.float32)}


def frame_with_plate(box: tuple[int, int, int, int], width: int = 640, height: int = 384) -> np.ndarray:
    frame = np.full((height, width, 3), 40, np.uint8)
    x1, y1, x2, y2 = box
    frame[y1:y2, x1:x2] = 255
    return frame


def detector(model: BrightBoxModel, second_look: bool, threshold: float = 0.45, **look) -> PlateDetector:
    card = {"stride": STRIDE, "score_threshold": threshold, "nms_iou": 0.45, "max_detections": 20}
    card["second_look"] = look
    return PlateDetector(model, SPEC, DecodeParams.from_card(card, second_look=second_look))


def test_from_card_threshold_and_second_look():
    card = {"stride": 4, "score_threshold": 0.4, "nms_iou": 0.5, "max_detections": 7}
    assert DecodeParams.from_card(card) == DecodeParams(4, 0.4, 0.5, 7)
    raised = DecodeParams.from_card({**card, "second_look": {"context": 5.0}}, min_score=0.6)
    assert raised.score_threshold == 0.6 and raised.second_look == SecondLook(context=5.0)
    assert raised.second_look_min_score == pytest.approx(0.36)
    assert DecodeParams.from_card({**card, "second_look": {}}, second_look=False).second_look is None
    for bad in ({"zoom": 2}, {"context": 0.5}, {"max_candidates": -1}, {"sure_score": 2.0}):
        with pytest.raises(ModelLoadError, match=r"decode\.second_look"):
            DecodeParams.from_card({**card, "second_look": bad})


def test_second_look_finds_a_small_plate_one_look_misses():
    plate = (300, 190, 360, 202)  # 60 px of a 640 px frame: 15 px of the 160 px input, score 0.375
    one = detector(BrightBoxModel(), second_look=False).detect(frame_with_plate(plate))
    assert one == []
    model = BrightBoxModel()
    found = detector(model, second_look=True).detect(frame_with_plate(plate))
    assert model.calls == 2 and len(found) == 1
    # the window is 6 plates wide: 60 of 360 px become 26.7 of 160 input px, score 0.667
    assert found[0].score == pytest.approx(np.sqrt(0.375 * 60 / 360 * 160 / 40), abs=0.02)
    assert found[0].box.as_list() == pytest.approx(list(plate), abs=2.0)


def test_a_candidate_the_closer_look_does_not_confirm_is_dropped():
    # a false peak at the same input pixels whatever the input: seen up close, it is somewhere else
    model = BrightBoxModel(ghost=(20, 20, 0.5))
    frame = np.full((384, 640, 3), 40, np.uint8)
    assert len(detector(BrightBoxModel(ghost=(20, 20, 0.5)), second_look=False).detect(frame)) == 1
    assert detector(model, second_look=True).detect(frame) == [] and model.calls == 2


def test_close_ups_and_sure_plates_keep_their_first_look():
    close_up = frame_with_plate((40, 60, 600, 330))  # its window would be the whole frame
    model = BrightBoxModel(sure_width=200.0)  # 140 input px: first look 0.7
    found = detector(model, second_look=True).detect(close_up)
    assert model.calls == 1 and len(found) == 1 and found[0].score == pytest.approx(0.7)
    sure = frame_with_plate((300, 190, 380, 202))  # 20 input px: first look 1.0; window 480 px, not the frame
    model = BrightBoxModel(sure_width=20.0)
    found = detector(model, second_look=True).detect(sure)
    assert model.calls == 1 and len(found) == 1 and found[0].score == pytest.approx(1.0)
    model = BrightBoxModel(sure_width=20.0)
    assert len(detector(model, second_look=True, sure_score=1.01).detect(sure)) == 1 and model.calls == 2


def test_only_the_most_likely_candidates_are_looked_at_again():
    frame = frame_with_plate((300, 190, 360, 202))  # first look 0.375; the false peak 0.5 comes first
    model = BrightBoxModel(ghost=(20, 20, 0.5))
    assert detector(model, second_look=True, max_candidates=1).detect(frame) == [] and model.calls == 2
    model = BrightBoxModel(ghost=(20, 20, 0.5))
    assert len(detector(model, second_look=True, max_candidates=2).detect(frame)) == 1 and model.calls == 3
    unsure = detector(BrightBoxModel(), second_look=True, threshold=0.9)
    assert unsure.params.second_look_min_score == pytest.approx(0.81)
    assert unsure.detect(frame) == [] and unsure.runner.calls == 1  # 0.375 < 0.81: not worth a second look


def test_settled_plates_get_no_second_look_and_looks_are_counted():
    from edge.types import Box

    plate = (300, 190, 360, 202)  # first look 0.375: found only by a second look
    model = BrightBoxModel()
    finder = detector(model, second_look=True)
    assert len(finder.detect(frame_with_plate(plate))) == 1 and finder.second_looks == 1
    assert finder.detect(frame_with_plate(plate), settled=[Box(298, 189, 362, 203)]) == []  # first look decides
    assert model.calls == 3 and finder.second_looks == 1
    assert len(finder.detect(frame_with_plate(plate), settled=[Box(0, 0, 50, 20)])) == 1  # elsewhere: looked at
    assert finder.second_looks == 2


def test_from_card_mirror_look_follows_the_card_unless_told():
    card = {"stride": 4, "score_threshold": 0.4, "nms_iou": 0.5, "max_detections": 7}
    assert DecodeParams.from_card(card).mirror is False
    assert DecodeParams.from_card({**card, "mirror": True}).mirror is True
    assert DecodeParams.from_card({**card, "mirror": True}, mirror=False).mirror is False
    assert DecodeParams.from_card(card, mirror=True).mirror is True
    with pytest.raises(ModelLoadError, match=r"decode\.mirror"):
        DecodeParams.from_card({**card, "mirror": "yes"})


def test_mirror_look_drops_a_peak_the_mirrored_frame_does_not_see_and_keeps_the_plate():
    plate = (200, 150, 360, 186)  # input x 50..90: 40 px wide, score 1.0, centre mid-cell
    ghost = (20, 40, 0.6)  # a false peak at fixed input pixels: the mirrored run puts it elsewhere
    card = {"stride": STRIDE, "score_threshold": 0.45, "nms_iou": 0.45, "max_detections": 20}
    plain = PlateDetector(BrightBoxModel(ghost=ghost), SPEC, DecodeParams.from_card(card))
    both = plain.detect(frame_with_plate(plate))
    assert sorted(round(d.score, 2) for d in both) == [0.6, 1.0]
    model = BrightBoxModel(ghost=ghost)
    mirrored = PlateDetector(model, SPEC, DecodeParams.from_card(card, mirror=True))
    found = mirrored.detect(frame_with_plate(plate))
    assert model.calls == 2 and mirrored.mirror_looks == 1
    assert len(found) == 1 and found[0].score == pytest.approx(1.0)
    plate_before = max(both, key=lambda d: d.score)
    assert found[0].box == plate_before.box  # boxes come from the unmirrored run


class FlatPlateModel(BrightBoxModel):
    """:class:`BrightBoxModel` that, like a detector trained on upright plates, sees only bright regions
    wider than tall."""

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        out = super().run(pixels)
        image = pixels.reshape(pixels.shape[-3:]).astype(np.float32).mean(axis=-1)
        ys, xs = np.nonzero(image > 200)
        if ys.size and ys.max() - ys.min() > xs.max() - xs.min():
            out["heatmap"][:] = 0.0
        return out


def test_from_card_sideways_look_follows_the_card_unless_told():
    card = {"stride": 4, "score_threshold": 0.4, "nms_iou": 0.5, "max_detections": 7}
    assert DecodeParams.from_card(card).sideways is False
    assert DecodeParams.from_card({**card, "sideways": True}).sideways is True
    assert DecodeParams.from_card({**card, "sideways": True}, sideways=False).sideways is False
    with pytest.raises(ModelLoadError, match=r"decode\.sideways"):
        DecodeParams.from_card({**card, "sideways": 1})


@pytest.mark.parametrize("second_look", [False, True])
def test_a_plate_standing_on_end_is_found_only_by_the_sideways_look(second_look):
    from edge.types import Box

    plate = (300, 150, 320, 230)  # 20 x 80 frame px: a plate on its side
    truth = Box(*map(float, plate))
    card = {"stride": STRIDE, "score_threshold": 0.45, "nms_iou": 0.45, "max_detections": 20, "second_look": {}}
    upright = PlateDetector(FlatPlateModel(sure_width=20), SPEC, DecodeParams.from_card(card, second_look=second_look))
    assert upright.detect(frame_with_plate(plate)) == []
    params = DecodeParams.from_card(card, second_look=second_look, sideways=True)
    finder = PlateDetector(FlatPlateModel(sure_width=20), SPEC, params)
    found = finder.detect(frame_with_plate(plate))
    assert len(found) == 1 and found[0].box.iou(truth) > 0.6
    # first look 12 input px wide of the 20 sure: 0.6; the second look, on the turned frame, is sure
    assert found[0].score == pytest.approx(np.sqrt(0.6) if second_look else 0.6, abs=0.05)
    assert finder.second_looks == int(second_look) and finder.sideways_looks == 1 + int(second_look)
    assert finder.detect(frame_with_plate((260, 180, 340, 200))) != []  # a flat plate is still found
