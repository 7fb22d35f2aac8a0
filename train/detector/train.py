"""``anpr train detector``: train the plate detector with checkpoints, early stopping and resume."""

from __future__ import annotations

import json
import logging
import math
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from edge.detector import DecodeParams, decode
from edge.preprocess import normalise, prepare_detector_input
from train.checkpoint import EpochBookkeeper
from train.detection_metrics import choose_threshold, detection_scores
from train.detector import augment
from train.detector.config import DetectorTrainConfig
from train.detector.data import build_training_set, real_data, validation_set
from train.detector.model import MEASURED_TENSORS, OUTPUT_NAMES, STRIDE
from train.detector.targets import encode
from train.quant_aware import calibrate, quantisation_aware

log = logging.getLogger(__name__)


def detector_losses(offset_weight: float, size_weight: float) -> dict:
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="anpr", name="centre_focal")
    def centre_focal(y_true, y_pred):
        p = y_pred  # no clipping: a clipped probability has no gradient where it is needed most
        pos = ops.cast(y_true >= 0.999, "float32")
        pos_loss = -ops.log(p + 1e-6) * ops.square(1 - p) * pos
        neg_loss = -ops.log(1 - p + 1e-6) * ops.square(p) * ops.power(1 - y_true, 4) * (1 - pos)
        n_pos = ops.maximum(ops.sum(pos, axis=(1, 2, 3)), 1.0)
        return ops.sum(pos_loss + neg_loss, axis=(1, 2, 3)) / n_pos

    def masked_l1(weight: float, name: str):
        @keras.saving.register_keras_serializable(package="anpr", name=name)
        def loss(y_true, y_pred):
            target, mask = y_true[..., :2], y_true[..., 2:3]
            return (
                weight
                * ops.sum(ops.abs(target - y_pred) * mask, axis=(1, 2, 3))
                / ops.maximum(ops.sum(mask, axis=(1, 2, 3)), 1.0)
            )

        return loss

    return {
        "heatmap": centre_focal,
        "offset": masked_l1(offset_weight, "offset_l1"),
        "size": masked_l1(size_weight, "size_l1"),
    }


def _batch(
    images: np.ndarray,
    boxes: list[np.ndarray],
    indices: np.ndarray,
    rng: np.random.Generator,
    cfg: DetectorTrainConfig | None = None,
):
    """Inputs (0-1) and targets for one step: mirror, contrast and brightness, noise, and the config's
    optional shrink, blur and night (each draws from ``rng`` only when its probability is set, so
    configs without them replay the same batches)."""
    h, w = images.shape[1:3]
    grid = (h // STRIDE, w // STRIDE)
    xs, heat, off, size = [], [], [], []
    for i in indices:
        image, b = images[i], boxes[i].copy()
        if cfg and cfg.shrink_probability and rng.random() < cfg.shrink_probability:
            image, b = augment.shrink(image, b, rng.uniform(cfg.shrink_min, 1.0), cfg.input.pad_value, rng)
        if rng.random() < 0.5:  # mirror
            image = image[:, ::-1]
            b[:, [0, 2]] = w - b[:, [2, 0]]
        x = image.astype(np.float32)
        if cfg and cfg.blur_probability and rng.random() < cfg.blur_probability:
            x = augment.blur(x, rng)
        x = (x - x.mean()) * rng.uniform(0.7, 1.3) + x.mean() + rng.uniform(-30, 30)
        if cfg and cfg.night_probability and rng.random() < cfg.night_probability:
            x = augment.night(x, rng)
        if rng.random() < 0.3:
            x += rng.normal(0, rng.uniform(2, 10), x.shape)
        xs.append(np.clip(x, 0, 255) / 255.0)
        t = encode(b, grid, STRIDE)
        heat.append(t["heatmap"])
        off.append(np.concatenate([t["offset"], t["mask"]], -1))
        size.append(np.concatenate([t["size"], t["mask"]], -1))
    return np.stack(xs).astype(np.float32), {"heatmap": np.stack(heat), "offset": np.stack(off), "size": np.stack(size)}


def predict_frame(model, frame: np.ndarray, cfg: DetectorTrainConfig, threshold: float = 0.05):
    """Boxes (frame pixels) and scores for one frame with a Keras model: the device's pre/post-processing."""
    pixels, transform = prepare_detector_input(frame, cfg.input)
    outputs = model.predict_on_batch(normalise(pixels[None]))
    heat, off, size = (np.asarray(o)[0] for o in outputs)
    boxes, scores = decode(heat, off, size, DecodeParams(stride=STRIDE, score_threshold=threshold))
    return transform.to_frame(boxes), scores


def _lr(cfg: DetectorTrainConfig, epoch: int) -> float:
    if epoch == 0:
        return cfg.learning_rate * 0.3
    progress = min(1.0, epoch / max(1, cfg.epochs - 1))
    return cfg.learning_rate * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))


def _initial_model(source, cfg: DetectorTrainConfig):
    """``source`` itself, or its weights carried into the detector ``cfg`` describes.

    The network is fully convolutional: only its resizing layers depend on the input size, so a
    detector trained at one resolution starts training at another with every weight carried over.
    A wider ``width_multiplier`` grows the trained detector (train/widen.py: its weights in the
    leading channels, new channels silent at first, outputs checked unchanged); widening and a new
    input size are two separate runs.
    """
    from train.detector.model import build_detector
    from train.widen import carry_weights

    model = build_detector(cfg.input, cfg.width_multiplier)
    same_layers = [w.shape for w in model.get_weights()] == [w.shape for w in source.get_weights()]
    if same_layers and tuple(source.input_shape[1:]) == cfg.input.shape:
        return source
    try:
        carry_weights(source, model)
    except ValueError as error:
        raise ValueError(f"init_from {cfg.init_from}: {error}") from None
    if same_layers:
        log.info("input %s -> %s: weights carried over", tuple(source.input_shape[1:]), cfg.input.shape)
    return model


def train_detector(
    cfg: DetectorTrainConfig, run_dir: Path, data_root: Path, manifest: Path, resume: bool = False
) -> dict:
    import keras
    from tqdm import tqdm

    from train.detector.model import build_detector

    keras.utils.set_random_seed(cfg.seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(cfg.model_dump_json(indent=1))
    have_data = data_root.is_dir() and cfg.real_sources
    photos, crops = (
        real_data(data_root, manifest, cfg.real_sources, ["us_crops", "br_crops"], "train", cfg.added_boxes)
        if have_data
        else ([], [])
    )
    val_photos, _ = real_data(data_root, manifest, cfg.real_sources, [], "val") if have_data else ([], [])
    images, boxes = build_training_set(
        cfg.input,
        photos,
        crops,
        cfg.synthetic_scenes,
        cfg.real_zoom_copies,
        cfg.seed,
        run_dir.parent / "cache",
        lettering=cfg.lettering_probability,
        two_row=cfg.two_row_share,
    )
    validation = validation_set(val_photos)
    if not validation:  # no shared data: hold back synthetic scenes
        n = max(1, len(images) // 10)
        validation = [
            (images[i][:, :, ::-1].copy() if cfg.input.colour == "rgb" else images[i], boxes[i])
            for i in range(len(images) - n, len(images))
        ]
        images, boxes = images[:-n], boxes[:-n]
    log.info("detector data: %d training images, %d validation frames", len(images), len(validation))

    losses = detector_losses(cfg.offset_weight, cfg.size_weight)
    state_path = run_dir / "state.json"
    state = {"epoch": 0, "best": -1.0, "best_epoch": -1, "history": [], "seconds": 0.0}
    fresh = not (resume and state_path.is_file() and (run_dir / "last.keras").is_file())
    if not fresh:
        state = json.loads(state_path.read_text())
        model = keras.models.load_model(run_dir / "last.keras", custom_objects=losses)
    elif cfg.init_from:
        model = _initial_model(keras.models.load_model(cfg.init_from, custom_objects=losses), cfg)
        log.info("starting from the weights of %s", cfg.init_from)
    else:
        model = build_detector(cfg.input, cfg.width_multiplier)
    trainer, rounding = model, nullcontext()
    if cfg.quantisation_aware:
        trainer, rounding = quantisation_aware(model, MEASURED_TENSORS)
    if fresh or cfg.quantisation_aware:
        trainer.compile(
            optimizer=keras.optimizers.Adam(cfg.learning_rate, clipnorm=5.0), loss=[losses[n] for n in OUTPUT_NAMES]
        )
    keeper = EpochBookkeeper(run_dir, state, "best", cfg.patience, cfg.time_budget_minutes, keep_epochs=cfg.keep_epochs)
    for epoch in range(state["epoch"], cfg.epochs):
        trainer.optimizer.learning_rate.assign(_lr(cfg, epoch))
        rng = np.random.default_rng([cfg.seed, epoch])
        order = rng.permutation(len(images))
        steps = max(1, len(order) // cfg.batch_size)
        if cfg.quantisation_aware:
            chunks = [order[i * cfg.batch_size : (i + 1) * cfg.batch_size] for i in range(min(10, steps))]
            probe = (_batch(images, boxes, chunk, np.random.default_rng([cfg.seed, epoch, 1]))[0] for chunk in chunks)
            calibrate(trainer, model, probe, MEASURED_TENSORS)
        history = []
        bar = tqdm(range(steps), desc=f"epoch {epoch + 1}/{cfg.epochs}", unit="batch", leave=False)
        for step in bar:
            x, y = _batch(images, boxes, order[step * cfg.batch_size : (step + 1) * cfg.batch_size], rng, cfg)
            with rounding:
                result = trainer.train_on_batch(x, [y[n] for n in OUTPUT_NAMES])
            history.append(float(result[0] if isinstance(result, list) else result))
            if step % 20 == 0:
                bar.set_postfix(loss=f"{np.mean(history[-50:]):.3f}")
        with rounding:
            predictions = [(*predict_frame(trainer, frame, cfg), truth) for frame, truth in validation]
        threshold = choose_threshold(predictions)
        scores = detection_scores(predictions, threshold)
        record = {"epoch": epoch + 1, "loss": float(np.mean(history)), "threshold": threshold, **scores}
        state["history"].append(record)
        log.info(
            "epoch %d: loss %.3f  val recall %.1f %% precision %.1f %% ap50 %.1f (threshold %.2f)",
            epoch + 1,
            record["loss"],
            scores["recall"],
            scores["precision"],
            scores["ap50"],
            threshold,
        )
        stop = keeper.end_epoch(model, epoch, scores["ap50"], best_scores=scores, threshold=threshold)
        _plot(state["history"], run_dir / "learning_curve.png")
        if stop:
            break
    best = keras.models.load_model(run_dir / "best.keras", custom_objects=losses, compile=False)
    if not cfg.quantisation_aware:  # quantisation-aware: keep the best epoch's threshold, chosen on int8
        predictions = [(*predict_frame(best, frame, cfg), truth) for frame, truth in validation]
        state["threshold"] = choose_threshold(predictions)
        state["best_scores"] = detection_scores(predictions, state["threshold"])
    keeper.save()
    _examples(best, validation[:8], cfg, state["threshold"], run_dir / "examples.png")
    return state


def _plot(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5))
    a.plot(epochs, [h["loss"] for h in history], label="train loss")
    a.legend()
    for key in ("recall", "precision", "ap50"):
        b.plot(epochs, [h[key] for h in history], label=key)
    b.set_ylim(0, 100)
    b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _examples(model, frames, cfg: DetectorTrainConfig, threshold: float, path: Path) -> None:
    import cv2

    from train.synth.writer import preview_grid

    items = []
    for frame, truth in frames:
        shown = frame.copy()
        for b in truth:
            cv2.rectangle(shown, (int(b[0]), int(b[1])), (int(b[2]), int(b[3])), (255, 0, 0), 2)
        boxes, scores = predict_frame(model, frame, cfg, threshold)
        for b, s in zip(boxes, scores):
            cv2.rectangle(shown, (int(b[0]), int(b[1])), (int(b[2]), int(b[3])), (0, 0, 255), 2)
            cv2.putText(shown, f"{s:.2f}", (int(b[0]), int(b[1]) - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 255), 2)
        items.append((shown, [], [f"truth {len(truth)} found {len(boxes)}"]))
    if items:
        cv2.imwrite(str(path), preview_grid(items, (320, 200), 4))
