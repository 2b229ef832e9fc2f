"""Answer groups: blank answers together, then identical and near-identical answers, then
answers that say the same thing in other words.

Runs in: the written-grading app and `python -m course written-groups` (plain functions).

1. Normalise (case, whitespace, punctuation, Markdown/LaTeX markup, "YOUR ANSWER HERE"): an
   empty result is a blank; blanks form one group.
2. Equal normalised texts are one answer for clustering (a class has many exact copies).
3. The rest are clustered by meaning as far as a well-kept library allows offline:
   scikit-learn's TfidfVectorizer on word 1-2-grams and on character 3-5-grams (char_wb, which
   catches typos and "matmul"/"matrix multiply"-style variants), cosine distance, average-linkage
   AgglomerativeClustering cut at THRESHOLD. A sentence-embedding model would need weights
   fetched at run time or PyTorch (see docs/written.md): not used.
   THRESHOLD was chosen on course.written.classdata's labelled class (400 answers to each of
   two questions, two seeds): cut at cosine distance 0.20 / 0.25 / 0.30 / 0.35 the purity was
   0.98-1.00 / 0.92-0.98 / 0.88-0.93 / 0.84-0.88 and the grading actions 9-16 / 13-17 / 14-19 /
   17-24 % of one per answer. Above 0.3 a partial answer ("it is a gather") joins the full
   answers that contain it.
4. An answer close to the prompt itself (cosine >= PROMPT_COPY on the same features) is a
   pasted prompt: its own group.
Each group's representative is its medoid (the answer nearest all others in the group).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

THRESHOLD = 0.25
PROMPT_COPY = 0.75
BLANK_MARKERS = ("your answer here", "todo", "tbd")

_MARKUP = re.compile(r"[*_`#>$\\{}\[\]|~]")
_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lowercase words without markup, punctuation or repeated space (for equality tests)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _MARKUP.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def is_blank(text: str, release: str = "") -> bool:
    norm = normalise(text)
    for marker in (*BLANK_MARKERS, normalise(release)):
        if marker:
            norm = norm.replace(marker, " ")
    return not norm.strip()


@dataclass
class Group:
    students: list[str]
    representative: str
    kind: str = "similar"  # "blank", "prompt", "similar"
    id: str = ""
    members: dict[str, str] = field(default_factory=dict, repr=False)  # student -> text


def _features(texts: list[str]):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    # Every word counts, one letter too (sklearn's default drops them: answers such as "V" or
    # "0" then had no features at all and the vectoriser refused the class).
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    return normalize(x)


def cluster(texts: list[str], threshold: float = THRESHOLD) -> list[list[int]]:
    """Indices of `texts` in clusters (cosine distance, average linkage, cut at threshold)."""
    if len(texts) < 2:
        return [list(range(len(texts)))] if texts else []
    from sklearn.cluster import AgglomerativeClustering

    x = _features(texts).toarray()
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
    )
    labels = model.fit_predict(x)
    out: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        out.setdefault(int(lab), []).append(i)
    return list(out.values())


def group_answers(
    answers: dict[str, str],
    prompt: str = "",
    release: str = "",
    threshold: float = THRESHOLD,
) -> list[Group]:
    """Every student in exactly one group, largest group first (ties: by first student)."""
    blank = sorted(s for s, t in answers.items() if is_blank(t, release))
    by_norm: dict[str, list[str]] = {}
    for s in sorted(answers):
        if s not in set(blank):
            by_norm.setdefault(normalise(answers[s]), []).append(s)
    uniques = list(by_norm)
    groups: list[Group] = []
    if blank:
        groups.append(Group(blank, answers[blank[0]], "blank"))
    if uniques:
        feats = _features(uniques + [normalise(prompt) or "-"])
        prompt_sim = (feats[:-1] @ feats[-1].T).toarray().ravel()
        copied = [i for i in range(len(uniques)) if prompt and prompt_sim[i] >= PROMPT_COPY]
        rest = [i for i in range(len(uniques)) if i not in set(copied)]
        if copied:
            members = sorted(s for i in copied for s in by_norm[uniques[i]])
            groups.append(Group(members, answers[by_norm[uniques[copied[0]]][0]], "prompt"))
        if rest:
            texts = [uniques[i] for i in rest]
            sim = (feats[rest] @ feats[rest].T).toarray()
            # Duplicates weigh in the medoid: an idea written by many is the representative.
            weight = np.array([len(by_norm[t]) for t in texts], dtype=float)
            for rows in cluster(texts, threshold):
                members = sorted(s for r in rows for s in by_norm[texts[r]])
                m = _medoid_weighted(rows, sim, weight)
                groups.append(Group(members, answers[by_norm[texts[m]][0]]))
    for g in groups:
        g.members = {s: answers[s] for s in g.students}
        g.id = group_id(g.students)
    groups.sort(key=lambda g: (-len(g.students), g.students[0]))
    return groups


def _medoid_weighted(rows: list[int], sim: np.ndarray, weight: np.ndarray) -> int:
    if len(rows) == 1:
        return rows[0]
    sub = sim[np.ix_(rows, rows)] * weight[rows][None, :]
    return rows[int(np.argmax(sub.sum(axis=1)))]


def representative(texts: list[str]) -> str:
    """The medoid of a group's answers (duplicates count), for a group the graders edited."""
    if len(set(texts)) <= 1:
        return texts[0] if texts else ""
    feats = _features([normalise(t) or "-" for t in texts])
    sim = (feats @ feats.T).toarray()
    return texts[int(np.argmax(sim.sum(axis=1)))]


def group_id(students: list[str]) -> str:
    """A stable id for a set of students (the first one, sorted): survives a reload."""
    return "g-" + min(students) if students else "g-empty"


def purity(groups: list[list[str]], labels: dict[str, str]) -> float:
    """Share of answers whose group's majority label is their own label."""
    total = sum(len(g) for g in groups)
    hit = 0
    for g in groups:
        counts: dict[str, int] = {}
        for s in g:
            counts[labels[s]] = counts.get(labels[s], 0) + 1
        hit += max(counts.values()) if counts else 0
    return hit / total if total else 1.0


def actions_by_groups(groups: list[list[str]], items: dict[str, str]) -> int:
    """Grading actions to give every answer its right rubric item by groups: one key for the
    group's most common item, then one key per answer that needs another item."""
    n = 0
    for g in groups:
        counts: dict[str, int] = {}
        for s in g:
            counts[items[s]] = counts.get(items[s], 0) + 1
        n += 1 + len(g) - max(counts.values())
    return n
