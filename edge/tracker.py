"""Track plates across frames and vote their text per character; emit once per track.

A track is continued by the detection that overlaps (IoU) the box the track is predicted to have in
the new frame: its last box moved and scaled at the constant velocity of its recent observations. A
plate crossing the frame fast, or missed by the detector for a few frames, so stays one track (one
read) instead of splitting into several that may vote differently.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from edge.types import Box

#: Observations (most recent) over which a track's velocity is measured for its predicted box.
VELOCITY_HISTORY = 4


@dataclass(frozen=True)
class Observation:
    """One plate seen in one frame: box, detector score, read text and per-character confidences, the
    base crop (for a snapshot) and the texts the read may also be, ``(text, probability)``."""

    frame: int
    ts: float
    box: Box
    score: float
    text: str
    char_confidences: tuple[float, ...]
    crop: np.ndarray | None = None
    candidates: tuple[tuple[str, float], ...] = ()

    @property
    def confidence(self) -> float:
        return min(self.char_confidences) if self.char_confidences else 0.0


@dataclass
class Track:
    """One plate followed across frames: its most recent observations (at most the tracker's
    ``keep_observations``, so a car parked in view for hours holds bounded memory), how many it has had
    in all and the first one (which names the read)."""

    track_id: int
    observations: list[Observation] = field(default_factory=list)
    missed: int = 0
    emitted: bool = False
    seen: int = 0
    first: Observation | None = None

    def __post_init__(self) -> None:
        self.seen = max(self.seen, len(self.observations))
        if self.first is None and self.observations:
            self.first = self.observations[0]

    def add(self, observation: Observation, keep: int) -> None:
        """Append ``observation``, forgetting the oldest beyond the ``keep`` most recent."""
        if self.first is None:
            self.first = observation
        self.observations.append(observation)
        self.seen += 1
        if len(self.observations) > keep:
            del self.observations[: len(self.observations) - keep]

    @property
    def box(self) -> Box:
        return self.observations[-1].box

    def predicted_box(self, frame: int, history: int = VELOCITY_HISTORY) -> Box:
        """The last box moved to ``frame`` at the velocity (centre and size per frame) measured over the
        last ``history`` observations; the last box itself for a track seen once or a frame not ahead."""
        last = self.observations[-1]
        first = self.observations[max(0, len(self.observations) - 1 - history)]
        span, ahead = last.frame - first.frame, frame - last.frame
        if span <= 0 or ahead <= 0:
            return last.box
        a, b = first.box, last.box
        step = ahead / span
        cx = (b.x1 + b.x2) / 2 + ((b.x1 + b.x2) - (a.x1 + a.x2)) / 2 * step
        cy = (b.y1 + b.y2) / 2 + ((b.y1 + b.y2) - (a.y1 + a.y2)) / 2 * step
        half_w = max(1.0, b.width + (b.width - a.width) * step) / 2
        half_h = max(1.0, b.height + (b.height - a.height) * step) / 2
        return Box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)

    def vote(self) -> tuple[str, float]:
        """Per-character vote over the reads of the most common length, weighted by confidence.

        A position's confidence is the winning character's share of the weight times its mean
        confidence; the text's confidence is the weakest position's, times the share of the track's
        non-empty reads that have the voted length (reads that disagree on the length, such as the
        fragments "H" and "HH" of a grille, make a weak vote however sure one of them is).
        """
        reads = [o for o in self.observations if o.text]
        if not reads:
            return "", 0.0
        lengths = Counter(len(o.text) for o in reads)
        length = max(lengths, key=lambda n: (lengths[n], n))
        same = [o for o in reads if len(o.text) == length]
        text, confidences = [], []
        for i in range(length):
            weight: dict[str, float] = defaultdict(float)
            members: dict[str, list[float]] = defaultdict(list)
            for o in same:
                c = o.char_confidences[i] if i < len(o.char_confidences) else o.confidence
                weight[o.text[i]] += c
                members[o.text[i]].append(c)
            best = max(weight, key=lambda ch: (weight[ch], ch))
            share = weight[best] / max(1e-9, sum(weight.values()))
            text.append(best)
            confidences.append(share * float(np.mean(members[best])))
        return "".join(text), float(min(confidences)) * len(same) / len(reads)

    def candidates(self, text: str, count: int, min_probability: float = 0.0) -> list[tuple[str, float]]:
        """What the track's plate may be: ``text`` (the voted plate) first, then the other texts its reads
        list (:attr:`Observation.candidates`), likeliest first, at most ``count`` in all. A text's
        probability is its mean over the reads that list candidates, a read that does not list it
        counting 0 (so a voted text that no single read produced has 0). Other texts under
        ``min_probability`` are left out. Empty when no read lists candidates."""
        listing = [o for o in self.observations if o.text and o.candidates]
        if not listing or count < 1:
            return []
        totals: dict[str, float] = defaultdict(float)
        for o in listing:
            for candidate, probability in o.candidates:
                totals[candidate] += probability
        mean = {candidate: total / len(listing) for candidate, total in totals.items()}
        others = sorted((t for t in mean if t != text and mean[t] >= min_probability), key=lambda t: (-mean[t], t))
        return [(text, mean.get(text, 0.0)), *((t, mean[t]) for t in others)][:count]

    def best_observation(self, text: str) -> Observation:
        """The most confident observation whose read equals ``text`` (else the most confident one)."""
        matching = [o for o in self.observations if o.text == text] or self.observations
        return max(matching, key=lambda o: (o.confidence, o.box.area))


class PlateTracker:
    """Greedy association by IoU with each track's predicted box (or its last box, whichever overlaps
    more); a track is ready once (early on agreement, or when it ends) and votes over its most recent
    ``keep_observations``."""

    def __init__(
        self,
        iou: float = 0.2,
        max_missed: int = 8,
        min_reads: int = 2,
        emit_after: int = 8,
        keep_observations: int = 64,
    ) -> None:
        if keep_observations < max(min_reads, emit_after):
            raise ValueError(f"keep_observations ({keep_observations}) must be at least min_reads and emit_after")
        self.iou, self.max_missed, self.min_reads, self.emit_after = iou, max_missed, min_reads, emit_after
        self.keep_observations = keep_observations
        self.tracks: list[Track] = []
        self._next_id = 1

    @property
    def collecting(self) -> bool:
        """True while a track is still gathering reads before its publication: not yet emitted and seen
        fewer than ``keep_observations`` times (a box whose reads never agree, a sign say, stops
        counting)."""
        return any(not t.emitted and t.seen < self.keep_observations for t in self.tracks)

    def update(self, observations: list[Observation]) -> list[Track]:
        """Add one frame's observations; return tracks that became ready to publish."""
        predicted = [t.predicted_box(observations[0].frame) for t in self.tracks] if observations else []
        # the better of the predicted and the last box: a single short or long detector box makes the
        # measured velocity shrink or grow the prediction away from the plate
        pairs = sorted(
            (
                (max(box.iou(o.box), self.tracks[ti].box.iou(o.box)), ti, oi)
                for ti, box in enumerate(predicted)
                for oi, o in enumerate(observations)
            ),
            reverse=True,
        )
        used_tracks, used_obs = set(), set()
        for overlap, ti, oi in pairs:
            if overlap < self.iou:
                break
            if ti in used_tracks or oi in used_obs:
                continue
            used_tracks.add(ti)
            used_obs.add(oi)
            self.tracks[ti].add(observations[oi], self.keep_observations)
            self.tracks[ti].missed = 0
        for ti, track in enumerate(self.tracks):
            if ti not in used_tracks:
                track.missed += 1
        for oi, o in enumerate(observations):
            if oi not in used_obs:
                self.tracks.append(Track(self._next_id, [o]))
                self._next_id += 1
        ready = []
        for track in self.tracks:
            if not track.emitted and len(track.observations) >= self.emit_after:
                reads = [o.text for o in track.observations[-self.emit_after :]]
                if len(set(reads)) == 1 and reads[0]:
                    ready.append(track)
        return self._mark_emitted(ready + self._end_missing())

    def update_unchanged(self) -> list[Track]:
        """A frame the motion gate passed over (nothing changed since the detector last ran): every track
        repeats its outcome of that run. A track seen then stays as it is (a parked car's track neither
        ages nor restarts); a track missing then misses this frame too, so a plate that left ends on time,
        as if the detector had run. Returns the tracks that became ready to publish."""
        for track in self.tracks:
            if track.missed:
                track.missed += 1
        return self._mark_emitted(self._end_missing())

    def _end_missing(self) -> list[Track]:
        """Drop the tracks missed too long; return those of them with enough reads and no read yet."""
        ended = [t for t in self.tracks if t.missed > self.max_missed]
        self.tracks = [t for t in self.tracks if t.missed <= self.max_missed]
        return [t for t in ended if not t.emitted and len(t.observations) >= self.min_reads]

    @staticmethod
    def _mark_emitted(ready: list[Track]) -> list[Track]:
        for track in ready:
            track.emitted = True
        return ready

    def flush(self) -> list[Track]:
        """End every track (source ended); return those ready to publish."""
        ready = [t for t in self.tracks if not t.emitted and len(t.observations) >= self.min_reads]
        for track in ready:
            track.emitted = True
        self.tracks = []
        return ready
