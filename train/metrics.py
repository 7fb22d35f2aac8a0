"""Plate reading metrics: exact match and character accuracy by edit distance, overall and by group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def reading_scores(pairs: Iterable[tuple[str, str]]) -> dict:
    """``exact_match`` (% of plates read entirely right), ``char_accuracy`` (100 x (1 - total edit
    distance / total ground-truth characters), floored at 0) and ``n`` for (truth, prediction) pairs."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return {"exact_match": 0.0, "char_accuracy": 0.0, "n": 0}
    exact = sum(truth == pred for truth, pred in pairs)
    chars = sum(len(truth) for truth, _ in pairs)
    edits = sum(edit_distance(truth, pred) for truth, pred in pairs)
    return {
        "exact_match": 100.0 * exact / n,
        "char_accuracy": max(0.0, 100.0 * (1.0 - edits / max(1, chars))),
        "n": n,
    }


def grouped_scores(rows: Iterable[tuple[str, str, str]]) -> dict:
    """Scores over (group, truth, prediction) rows, plus ``by_group`` with the same keys."""
    rows = list(rows)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for group, truth, pred in rows:
        groups[group].append((truth, pred))
    result = reading_scores((t, p) for _, t, p in rows)
    result["by_group"] = {g: reading_scores(pairs) for g, pairs in sorted(groups.items())}
    return result


def exact_by_source(hits: dict[str, list[bool]]) -> dict:
    """``exact_match`` (%) and ``n`` over every plate of ``hits`` (source -> whether each plate was read
    exactly), plus ``by_source`` with the same keys per source, sorted by name."""
    every = [hit for source_hits in hits.values() for hit in source_hits]

    def exact(values: list[bool]) -> dict:
        return {"exact_match": 100.0 * sum(values) / len(values) if values else 0.0, "n": len(values)}

    return {**exact(every), "by_source": {source: exact(v) for source, v in sorted(hits.items())}}


def group_summary(scores: dict) -> str:
    """``grouped_scores``' exact match per group on one line, for logs: ``br_crops 88.2, france 69.0``."""
    return ", ".join(f"{group} {s['exact_match']:.1f}" for group, s in scores["by_group"].items())


def confusion_pairs(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Counts of (truth character, predicted character) over aligned plates; '' marks a missing
    or an extra character. Alignment follows the edit-distance path."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for truth, pred in pairs:
        for a, b in _align(truth, pred):
            counts[(a, b)] += 1
    return dict(counts)


def _align(a: str, b: str) -> list[tuple[str, str]]:
    rows, cols = len(a) + 1, len(b) + 1
    dist = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        dist[i][0] = i
    for j in range(cols):
        dist[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            dist[i][j] = min(dist[i - 1][j] + 1, dist[i][j - 1] + 1, dist[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    i, j, path = len(a), len(b), []
    while i > 0 or j > 0:
        if i > 0 and j > 0 and dist[i][j] == dist[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            path.append((a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and dist[i][j] == dist[i - 1][j] + 1:
            path.append((a[i - 1], ""))
            i -= 1
        else:
            path.append(("", b[j - 1]))
            j -= 1
    return path[::-1]
