"""Scores for every pair: shared code, weighted by how rare and how long it is.

Runs in: the CLI process.

For one part (an exercise's code, or its written answers) a fingerprint's weight is its length
(course.similarity.fingerprint's units) times its rarity in the class:

    rarity = log((N + 1) / df) / log((N + 1) / 2), clipped to [0, 1]

where df is how many submissions (this term's and past terms') hold it: 1 for code only a
pair shares, near 0 for the `return E[ids]` most of the class writes. Then, per pair,

    shared  S_p = total weight of the fingerprints both hold
    sim_p   = S_p / (weight of the first's + the second's - S_p)   (weighted Jaccard)
    score   = (sum_p S_p * sim_p / sum_p S_p) * (1 - exp(-sum_p S_p * sim_p / EVIDENCE))

The first factor is how alike the shared parts are; the second says how much rare code that
rests on, so a few shared one-liners cannot make a high score however alike they are, and an
exercise weighs more the more unusual and long its shared code is. EVIDENCE is about four
statements nobody else wrote. Each part's S_p comes out of one dense matrix product
(submissions x fingerprints).

Measured on the planted-copies class of course.authoring.similar: with 400 submissions the
four planted pairs rank 1-4 (the one-exercise copy 0.67, the best honest pair 0.61, the
one-liner pair 0.22, 99% of honest pairs under 0.35); tests/test_similarity.py holds it for a
class of 36. Over eight smaller classes (30 and 60 honest students, seeds 1-4) it held in
seven; in the eighth one honest pair wrote one exercise's code and another's written answer
nearly alike (0.68 against the one-exercise copy's 0.57). An honest pair that happens to
write a whole exercise alike looks like a one-exercise copy; what separates them is that the
copy also shares that exercise's written answer. Tuning on those classes: EVIDENCE 8 gave the
best smallest margin (4: -0.013, 12: +0.020, 16: +0.010 on the earlier draw); squaring or
square-rooting the first factor, and squaring or cubing the rarity, did worse (down to
-0.15: the honest pairs that come close share whole rare answers, not common ones), and so
did written-answer shingles at full weight.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .extract import Subject
from .fingerprint import Fingerprint, boilerplate, fingerprints

EVIDENCE = 8.0  # units of rare, alike shared code at which the evidence factor reaches 1 - 1/e
DRIVES = 0.8  # the exercises listed for a pair: the strongest, until they give this share
CLUSTER = 0.5  # pairs at or above this score join clusters
RARE = 0.35  # shared fingerprints at least this rare are highlighted as matches


@dataclass
class Pair:
    a: int  # index into Analysis.subjects
    b: int
    score: float
    parts: list[tuple[tuple[str, str], float, float]]  # (part, shared S_p, sim_p), by S_p*sim_p


@dataclass
class Analysis:
    subjects: list[Subject]
    order: list[tuple[str, str]]  # parts in release order
    prints: dict[tuple[str, str], list[list[Fingerprint]]] = field(default_factory=dict)
    rarity: dict[tuple[str, str], dict[int, float]] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)

    def name(self, i: int) -> str:
        return self.subjects[i].name

    def exercises(self, pair: Pair) -> list[str]:
        """The exercises that drive the pair's score, strongest first: as many as it takes to
        make DRIVES of its shared, alike code (code and written answer together)."""
        weight: dict[str, float] = {}
        for (exercise, _), s, sim in pair.parts:
            weight[exercise] = weight.get(exercise, 0.0) + s * sim
        total, listed, running = sum(weight.values()), [], 0.0
        for exercise, w in sorted(weight.items(), key=lambda kv: -kv[1]):
            if running >= DRIVES * total or w <= 0:
                break
            listed.append(exercise)
            running += w
        return listed


def analyse(subjects: list[Subject], order: list[tuple[str, str]], release_code: list[str]):
    """Every pair with at least one current submission, highest score first."""
    found = Analysis(subjects, order)
    bp = boilerplate(release_code)
    n = len(subjects)
    shared_total = np.zeros((n, n), np.float64)
    weighted = np.zeros((n, n), np.float64)
    per_part = {}
    for part in order:
        prints = [
            fingerprints(s.parts[part].own, part[1], bp) if part in s.parts else []
            for s in subjects
        ]
        found.prints[part] = prints
        shared, sim, rarity = _part_matrices(prints)
        found.rarity[part] = rarity
        shared_total += shared
        weighted += shared * sim
        per_part[part] = (shared, sim)
    evidence = 1 - np.exp(-weighted / EVIDENCE)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(shared_total > 0, weighted / shared_total, 0.0) * evidence
    current = np.array([not s.past for s in subjects], dtype=bool)
    ai, bi = np.triu_indices(n, k=1)
    keep = current[ai] | current[bi]
    for a, b in zip(ai[keep].tolist(), bi[keep].tolist(), strict=True):
        parts = [(p, float(per_part[p][0][a, b]), float(per_part[p][1][a, b])) for p in order]
        parts = sorted((x for x in parts if x[1] > 0), key=lambda x: -x[1] * x[2])
        found.pairs.append(Pair(a, b, round(float(score[a, b]), 4), parts))
    found.pairs.sort(key=lambda p: (-p.score, found.name(p.a), found.name(p.b)))
    return found


def _part_matrices(prints: list[list[Fingerprint]]):
    """(shared weight S, weighted Jaccard sim, {hash: rarity}) for one part."""
    n = len(prints)
    held = [{f.hash: f.units for f in fps} for fps in prints]
    df = Counter(h for row in held for h in row)
    rarity = {h: _rarity(c, n) for h, c in df.items()}
    column = {h: i for i, h in enumerate(df)}
    units = np.zeros(len(column), np.float32)
    matrix = np.zeros((n, len(column)), np.float32)
    for r, row in enumerate(held):
        for h, u in row.items():
            matrix[r, column[h]] = 1.0
            units[column[h]] = u
    weight = units * np.array([rarity[h] for h in column], np.float32)
    shared = ((matrix * weight) @ matrix.T).astype(np.float64)
    mass = np.diag(shared)
    union = mass[:, None] + mass[None, :] - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.where(union > 0, shared / union, 0.0)
    return shared, sim, rarity


def _rarity(df: int, n: int) -> float:
    if n < 2:
        return 1.0
    return min(1.0, max(0.0, math.log((n + 1) / df) / math.log((n + 1) / 2)))


def clusters(found: Analysis, threshold: float = CLUSTER) -> list[list[int]]:
    """Groups of three or more submissions linked by pairs scoring at least `threshold`."""
    parent = list(range(len(found.subjects)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pair in found.pairs:
        if pair.score < threshold:
            break
        parent[root(pair.a)] = root(pair.b)
    groups: dict[int, list[int]] = {}
    for i in range(len(parent)):
        groups.setdefault(root(i), []).append(i)
    big = [sorted(g, key=found.name) for g in groups.values() if len(g) >= 3]
    return sorted(big, key=lambda g: (-len(g), found.name(g[0])))
