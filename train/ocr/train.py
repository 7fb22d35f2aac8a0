"""``anpr train ocr``: train the plate reader, with checkpoints, early stopping and resume.

The run folder holds ``last.keras`` (resume point), ``best.keras`` (best validation exact
match), ``state.json`` (epoch, best score, history), ``history.csv``, ``learning_curve.png`` and
``confusion.png``. ``--ship`` copies the best model and its card into ``models/``.
"""

from __future__ import annotations

import json
import logging
import math
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from edge.ctc import decode_text
from edge.preprocess import crop_box, normalise, prepare_ocr_input
from edge.text import ALPHABET
from train.checkpoint import EpochBookkeeper
from train.metrics import group_summary, grouped_scores
from train.ocr.augment import augment_real, shrink_plate
from train.ocr.config import OcrTrainConfig
from train.ocr.data import OcrCrop, encode_batch, load_real_crops, prepare_real, synthetic_set, two_row_set
from train.ocr.scene_crops import scene_crop_set
from train.quant_aware import calibrate, quantisation_aware
from train.widen import carry_weights

#: Tensors besides the ReLU6 outputs that int8 export quantises with a calibrated range.
MEASURED_TENSORS = ("logits",)

log = logging.getLogger(__name__)


def slots_loss_fn():
    """Cross-entropy per slot on logits (class 0 = empty slot), averaged over slots."""
    import keras

    @keras.saving.register_keras_serializable(package="anpr", name="slots_loss")
    def slots_loss(y_true, y_pred):
        per_slot = keras.losses.sparse_categorical_crossentropy(
            keras.ops.cast(y_true, "int32"), y_pred, from_logits=True
        )
        return keras.ops.mean(per_slot, axis=-1)

    return slots_loss


def ctc_loss_fn():
    """CTC loss on per-step logits (blank = class 0); registered so saved models reload."""
    import keras

    @keras.saving.register_keras_serializable(package="anpr", name="ctc_loss")
    def ctc_loss(y_true, y_pred):
        labels = keras.ops.cast(y_true, "int32")
        label_length = keras.ops.sum(keras.ops.cast(labels > 0, "int32"), axis=1)
        steps = keras.ops.shape(y_pred)[1]
        batch = keras.ops.shape(y_pred)[0]
        logit_length = keras.ops.full((batch,), steps, dtype="int32")
        return keras.ops.ctc_loss(labels, y_pred, label_length, logit_length, mask_index=0)

    return ctc_loss


class TrainingSequence:
    """Batches of (normalised inputs, CTC labels): synthetic plates plus augmented real crops."""

    def __init__(
        self,
        cfg: OcrTrainConfig,
        synth_images: np.ndarray,
        synth_texts: list[str],
        real: list[OcrCrop],
        epoch_seed: int,
        scene: list[OcrCrop] | None = None,
    ) -> None:
        self.cfg = cfg
        self.synth_images, self.synth_texts = synth_images, synth_texts
        self.real = real + (scene or [])
        rng = np.random.default_rng([cfg.seed, epoch_seed])
        items = [("s", i) for i in range(len(synth_texts))] + [("r", i) for i in range(len(real))] * cfg.real_repeat
        items += [("r", len(real) + i) for i in range(len(scene or []))]
        self.order = [items[i] for i in rng.permutation(len(items))]
        self.rng = rng

    def __len__(self) -> int:
        return max(1, len(self.order) // self.cfg.batch_size)

    def _shrink(self, image: np.ndarray, box, width: float, rng: np.random.Generator):
        blur = (0.05, self.cfg.small_plate_blur) if self.cfg.small_plate_blur > 0 else None
        return shrink_plate(image, box, width, rng, blur_sigma=blur)

    def batch(self, index: int, rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Batch ``index``, augmented from the sequence's one random stream (batches made in order) or
        from ``rng`` (batches made in any order, by :meth:`batches` with loader threads)."""
        rng = self.rng if rng is None else rng
        spec = self.cfg.input
        chunk = self.order[index * self.cfg.batch_size : (index + 1) * self.cfg.batch_size]
        images, texts = [], []
        for kind, i in chunk:
            # no draw when the option is off: the random stream of earlier configs stays as it was
            small = self.cfg.small_plate_fraction > 0 and rng.random() < self.cfg.small_plate_fraction
            width = rng.uniform(*self.cfg.small_plate_width) if small else 0.0
            if kind == "s":
                image = self.synth_images[i]
                if small:  # the stored input is the plate: shrink it, then fit it back
                    image = prepare_ocr_input(self._shrink(image, None, width, rng)[0], None, spec)
                images.append(image)
                texts.append(self.synth_texts[i])
            else:
                crop = self.real[i]
                image, box = augment_real(
                    crop.image,
                    crop.box,
                    rng,
                    self.cfg.augment_strength,
                    self.cfg.loose_box_probability,
                    self.cfg.loose_box_max,
                )
                if crop.box is None and self.cfg.crops_as_read:  # cut the jittered crop, read it as it is
                    image, box = crop_box(image, box), None
                if small:
                    image, box = self._shrink(image, box, width, rng)
                images.append(prepare_ocr_input(image, box, spec))
                texts.append(crop.text)
        return normalise(np.stack(images)), encode_batch(texts, self.cfg.max_length)

    def batches(self, workers: int = 0, seed: tuple[int, ...] = (0,)):
        """Every batch in order. ``workers`` 0: made one after another from the sequence's random stream
        (the stream every config before ``loader_threads`` trained on). More: made ahead by that many
        threads (OpenCV and numpy release the GIL), batch ``i`` from its own stream seeded by
        ``(*seed, i)``, so the batches do not depend on the threads' timing."""
        if workers <= 0:
            yield from (self.batch(i) for i in range(len(self)))
            return
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        def make(index: int):
            return self.batch(index, np.random.default_rng([*seed, index]))

        count, depth = len(self), 2 * workers
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = deque(pool.submit(make, i) for i in range(min(count, depth)))
            for following in range(depth, count + depth):
                batch = pending.popleft().result()
                if following < count:
                    pending.append(pool.submit(make, following))
                yield batch


def read_batch(model, images_uint8: np.ndarray, batch_size: int = 256, decoder: str = "ctc") -> list[str]:
    """Decoded texts for uint8 inputs, with a Keras model."""
    texts = []
    for start in range(0, len(images_uint8), batch_size):
        probs = model.predict_on_batch(normalise(images_uint8[start : start + batch_size]))
        texts += [decode_text(p, ALPHABET, decoder).text for p in np.asarray(probs)]
    return texts


def _lr(cfg: OcrTrainConfig, epoch: int) -> float:
    if epoch == 0:
        return cfg.learning_rate * 0.3
    progress = min(1.0, epoch / max(1, cfg.epochs - 1))
    return cfg.learning_rate * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))


def _training_views(model, int8_aware: bool):
    """(model trained on logits, model scored on validation, context around each step).

    Plain training: the logits view of ``model``, ``model`` itself and a no-op context. Quantisation-
    aware: BatchNorm frozen, fake quantisation on the logits view, a softmax on top of it for scoring,
    and kernels rounded to their int8 grid inside the context (see :mod:`train.quant_aware`).
    """
    import keras

    from train.ocr.model import logits_model

    if not int8_aware:
        return logits_model(model), model, nullcontext()
    view, rounding = quantisation_aware(logits_model(model), MEASURED_TENSORS)
    scorer = keras.Model(view.input, keras.layers.Softmax(name="probs_int8_view")(view.output))
    return view, scorer, rounding


def train_ocr(cfg: OcrTrainConfig, run_dir: Path, data_root: Path, manifest: Path, resume: bool = False) -> dict:
    """Train (or resume) and return the final state: best epoch, scores per source, timing."""
    import keras
    from tqdm import tqdm

    from train.ocr.model import build_ocr_model
    from train.ocr.plots import plot_confusion, plot_history

    keras.utils.set_random_seed(cfg.seed)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(cfg.model_dump_json(indent=1))
    real_train = load_real_crops(data_root, manifest, cfg.real_sources, "train") if cfg.real_sources else []
    real_val = load_real_crops(data_root, manifest, cfg.real_sources, "val") if cfg.real_sources else []
    synth_images, synth_texts, _ = synthetic_set(
        cfg.input,
        cfg.synthetic_count,
        cfg.seed,
        cfg.synthetic_styles,
        run_dir.parent / "cache",
        fonts=cfg.synthetic_fonts,
        us_extras=cfg.synthetic_us_extras,
    )
    if cfg.two_row_count:
        rows_images, rows_texts, _ = two_row_set(
            cfg.input, cfg.two_row_count, cfg.seed, run_dir.parent / "cache", fonts=cfg.synthetic_fonts
        )
        synth_images, synth_texts = np.concatenate([synth_images, rows_images]), synth_texts + rows_texts
    scene_train = scene_crop_set(
        data_root, manifest, cfg.scene_plates, cfg.seed, cfg.scene_min_plate_width, run_dir.parent / "cache"
    )
    if not len(synth_texts) and not real_train and not scene_train:
        raise ValueError("no training data: enable synthetic plates or point --data-root at the shared data")
    # validation: real held-out crops, else a held-back slice of synthetic plates
    if real_val:
        val_images, val_texts = prepare_real(real_val, cfg.input), [c.text for c in real_val]
        val_groups = [c.group for c in real_val]
    else:
        n = max(1, len(synth_texts) // 10)
        val_images, val_texts, val_groups = synth_images[-n:], synth_texts[-n:], ["synthetic"] * n
        synth_images, synth_texts = synth_images[:-n], synth_texts[:-n]
    log.info(
        "OCR data: %d synthetic, %d real train crops (x%d), %d scene plates, %d validation",
        len(synth_texts),
        len(real_train),
        cfg.real_repeat,
        len(scene_train),
        len(val_texts),
    )

    state_path = run_dir / "state.json"
    state = {"epoch": 0, "best_exact": -1.0, "best_epoch": -1, "history": [], "seconds": 0.0}
    loss = slots_loss_fn() if cfg.head == "slots" else ctc_loss_fn()
    if resume and state_path.is_file() and (run_dir / "last.keras").is_file():
        state = json.loads(state_path.read_text())
        model = keras.models.load_model(run_dir / "last.keras", compile=False)
        log.info(
            "resuming from epoch %d (best exact %.2f at epoch %d); the optimizer restarts",
            state["epoch"],
            state["best_exact"],
            state["best_epoch"],
        )
    else:
        model = build_ocr_model(cfg.input, len(ALPHABET) + 1, cfg.width_multiplier, head=cfg.head, slots=cfg.max_length)
        if cfg.init_from:
            carry_weights(keras.models.load_model(cfg.init_from, compile=False), model)
            log.info("starting from the weights of %s", cfg.init_from)
    trainer, scorer, rounding = _training_views(model, cfg.quantisation_aware)
    trainer.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss=loss)
    keeper = EpochBookkeeper(
        run_dir, state, "best_exact", cfg.patience, cfg.time_budget_minutes, keep_epochs=cfg.keep_epochs
    )
    for epoch in range(state["epoch"], cfg.epochs):
        trainer.optimizer.learning_rate.assign(_lr(cfg, epoch))
        sequence = TrainingSequence(cfg, synth_images, synth_texts, real_train, epoch, scene_train)
        if cfg.quantisation_aware:
            probe = (sequence.batch(i)[0] for i in range(min(20, len(sequence))))
            calibrate(trainer, model, probe, MEASURED_TENSORS)
        losses = []
        batches = sequence.batches(cfg.loader_threads, seed=(cfg.seed, epoch))
        bar = tqdm(batches, total=len(sequence), desc=f"epoch {epoch + 1}/{cfg.epochs}", unit="batch", leave=False)
        for index, (x, y) in enumerate(bar):
            with rounding:
                losses.append(float(trainer.train_on_batch(x, y)))
            if index % 20 == 0:
                bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
        with rounding:
            predictions = read_batch(scorer, val_images, decoder=cfg.head)
            val_loss = float(
                trainer.evaluate(
                    normalise(val_images), encode_batch(val_texts, cfg.max_length), verbose=0, batch_size=256
                )
            )
        scores = grouped_scores(zip(val_groups, val_texts, predictions))
        record = {
            "epoch": epoch + 1,
            "loss": float(np.mean(losses)),
            "val_loss": val_loss,
            "val_exact": scores["exact_match"],
            "val_char": scores["char_accuracy"],
            "lr": _lr(cfg, epoch),
        }
        if cfg.quantisation_aware:
            float_reads = read_batch(model, val_images, decoder=cfg.head)
            record["val_exact_float"] = grouped_scores(zip(val_groups, val_texts, float_reads))["exact_match"]
        state["history"].append(record)
        log.info(
            "epoch %d: loss %.3f val_loss %.3f val exact %.2f %% char %.2f %% (%s)",
            epoch + 1,
            record["loss"],
            val_loss,
            scores["exact_match"],
            scores["char_accuracy"],
            group_summary(scores),
        )
        stop = keeper.end_epoch(
            model, epoch, scores["exact_match"], tie_break=scores["char_accuracy"], best_scores=scores
        )
        plot_history(state["history"], run_dir / "learning_curve.png")
        if stop:
            break
        if cfg.stop_after_epoch and epoch + 1 >= cfg.stop_after_epoch:
            log.info("stopped after epoch %d as configured; continue with --resume", epoch + 1)
            break
    best = keras.models.load_model(run_dir / "best.keras", compile=False)
    predictions = read_batch(best, val_images, decoder=cfg.head)
    plot_confusion(zip(val_texts, predictions), run_dir / "confusion.png")
    state["val_predictions"] = [
        {"group": g, "truth": t, "read": p} for g, t, p in zip(val_groups, val_texts, predictions)
    ]
    keeper.save()
    return state
