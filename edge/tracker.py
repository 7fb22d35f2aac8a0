"""Track plates across frames by IoU and vote their text per character; emit once per track."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from edge.types import Box


@dataclass(frozen=True)
class Observation:
    """One plate seen in one frame: box, detector score, read text and per-character confidences."""

    frame: int
    ts: float
    box: Box
    score: float
    text: str
    char_confidences: tuple[float, ...]
    crop: np.ndarray | None = None

    @property
    def confidence(self) -> float:
        return min(self.char_confidences) if self.char_confidences else 0.0


@dataclass
class Track:
    track_id: int
    observations: list[Observation] = field(default_factory=list)
    missed: int = 0
    emitted: bool = False

    @property
    def box(self) -> Box:
        return self.observations[-1].box

    def vote(self) -> tuple[str, float]:
        """Per-character vote over the reads of the most common length, weighted by confidence.

        A position's confidence is the winning character's share of the weight times its mean
        confidence; the text's confidence is the weakest position's.
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
        return "".join(text), float(min(confidences))

    def best_observation(self, text: str) -> Observation:
        """The most confident observation whose read equals ``text`` (else the most confident one)."""
        matching = [o for o in self.observations if o.text == text] or self.observations
        return max(matching, key=lambda o: (o.confidence, o.box.area))


class PlateTracker:
    """Greedy IoU association; a track is ready once (early on agreement, or when it ends)."""

    def __init__(self, iou: float = 0.2, max_missed: int = 5, min_reads: int = 2, emit_after: int = 8) -> None:
        self.iou, self.max_missed, self.min_reads, self.emit_after = iou, max_missed, min_reads, emit_after
        self.tracks: list[Track] = []
        self._next_id = 1

    def update(self, observations: list[Observation]) -> list[Track]:
        """Add one frame's observations; return tracks that became ready to publish."""
        pairs = sorted(
            ((t.box.iou(o.box), ti, oi) for ti, t in enumerate(self.tracks) for oi, o in enumerate(observations)),
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
            self.tracks[ti].observations.append(observations[oi])
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
        ended = [t for t in self.tracks if t.missed > self.max_missed]
        self.tracks = [t for t in self.tracks if t.missed <= self.max_missed]
        ready += [t for t in ended if not t.emitted and len(t.observations) >= self.min_reads]
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
