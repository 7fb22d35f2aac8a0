import numpy as np
import pytest

from train.detection_metrics import (
    CANDIDATE_THRESHOLDS,
    average_precision,
    choose_threshold,
    choose_threshold_each,
    detection_scores,
    match,
)


def test_match_greedy_by_score():
    truth = np.array([[0, 0, 10, 10]])
    preds = np.array([[0, 0, 10, 10], [1, 1, 10, 10]])
    assert match(preds, np.array([0.5, 0.9]), truth).tolist() == [False, True]
    assert match(preds, np.array([0.9, 0.5]), truth).tolist() == [True, False]
    assert match(np.zeros((0, 4)), np.zeros(0), truth).tolist() == []


def test_average_precision_exact():
    # ranked: hit, miss, hit with 2 truths -> precision envelope 1.0 at r=.5, 2/3 at r=1
    ap = average_precision(np.array([0.9, 0.8, 0.7]), np.array([True, False, True]), 2)
    assert ap == pytest.approx(100 * (0.5 * 1.0 + 0.5 * 2 / 3))
    assert average_precision(np.array([]), np.array([], bool), 0) == 0.0


def test_detection_scores_and_threshold():
    truth = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], np.float32)
    boxes = np.array([[0, 0, 10, 10], [20, 0, 30, 10], [50, 50, 60, 60]], np.float32)
    images = [(boxes, np.array([0.9, 0.4, 0.6]), truth)]
    at_half = detection_scores(images, 0.5)
    assert at_half["recall"] == 50.0 and at_half["precision"] == 50.0 and at_half["n"] == 2
    low = detection_scores(images, 0.3)
    assert low["recall"] == 100.0 and low["precision"] == pytest.approx(200 / 3)
    assert choose_threshold(images, 95.0, min_recall=50.0) == 0.65  # lowest candidate above the 0.6 false box
    assert choose_threshold(images, 95.0, min_recall=60.0) == 0.1  # recall too low there: best F1 instead
    assert choose_threshold(images) == 0.1  # the default asks 90 % recall at 95 % precision


def test_threshold_chosen_on_detections_found_anew_at_each_threshold():
    truth = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], np.float32)
    boxes = np.array([[0, 0, 10, 10], [20, 0, 30, 10], [50, 50, 60, 60]], np.float32)
    asked = []

    def found_at(threshold: float) -> list:
        # as a second look would: from 0.5 up the false box is dropped and the second plate is confirmed
        asked.append(threshold)
        scores = np.array([0.9, 0.4, 0.6]) if threshold < 0.5 else np.array([0.9, 0.8, 0.0])
        return [(boxes, scores, truth)]

    assert choose_threshold_each(found_at) == 0.5  # 100 % recall at 100 % precision from there on
    assert asked == [float(t) for t in CANDIDATE_THRESHOLDS]
    assert choose_threshold([(boxes, np.array([0.9, 0.4, 0.6]), truth)]) == 0.1  # one look: best F1
