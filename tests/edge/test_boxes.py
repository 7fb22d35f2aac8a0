import numpy as np
import pytest

from edge.boxes import iou_matrix, nms
from edge.detector import DecodeParams, decode, local_maxima


def test_iou_exact_values():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 5, 5]])
    assert iou_matrix(a, b)[0] == pytest.approx([1.0, 50 / 150, 0.0, 0.25])


def test_nms_keeps_best_of_overlapping():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 0, 30, 10], [0, 0, 10, 10]])
    scores = np.array([0.8, 0.9, 0.5, 0.1])
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    assert nms(boxes, scores, 0.5, max_keep=1).tolist() == [1]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []


def test_local_maxima():
    heat = np.zeros((5, 5))
    heat[1, 1], heat[1, 2], heat[3, 4] = 0.9, 0.5, 0.7
    peaks = local_maxima(heat) & (heat > 0.1)
    assert list(zip(*np.nonzero(peaks))) == [(1, 1), (3, 4)]


def test_encode_decode_round_trip():
    from train.detector.targets import encode

    boxes = np.array([[40, 20, 120, 44], [200, 150, 232, 160]], np.float32)
    t = encode(boxes, (56, 96), 4)
    assert t["mask"].sum() == 2 and t["heatmap"].max() == 1.0
    decoded, scores = decode(t["heatmap"], t["offset"], t["size"], DecodeParams(stride=4, score_threshold=0.99))
    order = np.argsort(decoded[:, 0])
    assert np.allclose(decoded[order], boxes, atol=1e-3)
    assert np.allclose(scores, 1.0)
