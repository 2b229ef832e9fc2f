"""A realistic class of written answers, labelled, for the demo, the tests and the benchmark.

Two questions of embedding_space_math (ex01_explain: the cost of a lookup and the memory of
(B, T, d); ex03_explain: cosine vs dot product). Every answer carries the label of the idea it
states, and each label maps to the rubric item a careful grader would apply (LABEL_ITEM,
keys of course.written.rubric.from_scheme). Answers are built the way a class writes them:
one of several phrasings of each idea (few shared words between phrasings), combined for full
answers, with casing, fillers, typos and joins varied; partial answers, wrong ideas, restated
shapes, blanks and "YOUR ANSWER HERE", and prompts pasted back as the answer.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from course.paths import CourseDir

ASSIGNMENT = "embedding_space_math"
QUESTIONS = ("ex01_explain", "ex03_explain")

GATHER = [
    "The embedding lookup is just indexing: it gathers rows of E, so there is no matrix "
    "multiplication and the cost does not depend on the vocabulary size.",
    "Looking up embeddings only copies rows out of the table, no FLOPs are spent multiplying, "
    "so it is cheap even for a huge vocab.",
    "Since it's a gather, the layer does essentially zero arithmetic; it's memory-bound and V "
    "doesn't matter for the cost.",
    "It's an index operation (E[ids]), not a matmul with one-hot vectors, so the compute is tiny "
    "and independent of V.",
    "We just select B*T rows of the table and nothing gets multiplied, which makes the embedding "
    "layer cheap in compute.",
    "The lookup reads rows from memory instead of doing a V x d multiply, so its cost is one "
    "memory read per token, not proportional to the vocabulary.",
]
MEMORY = [
    "The output holds B·T·d numbers, so activation memory grows linearly with the batch size "
    "and with the context length.",
    "Because the result is (B, T, d), doubling the batch or the sequence length doubles the "
    "memory of the activations.",
    "Memory scales with B*T*d: longer contexts and bigger batches mean proportionally bigger "
    "activation tensors.",
    "The (B,T,d) tensor is the first activation and its size grows with batch and context, "
    "e.g. 2x tokens = 2x memory.",
    "As the context window gets longer the embedded batch takes more memory, linear in T "
    "(and in B).",
]
WRONG_01 = [
    "The lookup is a matrix multiplication of the one-hot ids with E, so it costs B·T·V·d "
    "FLOPs and is the most expensive layer when the vocabulary is large.",
    "Embedding cost grows with the vocabulary size because every token has to be compared "
    "against all V rows of the table.",
    "Memory grows quadratically with the context length because every token is embedded "
    "against every other token in the sequence.",
    "The shape means memory depends on the vocabulary size V, so models with large "
    "vocabularies run out of GPU memory at the embedding layer.",
]
RESTATE_01 = [
    "The output has shape (B, T, d): B sequences, T tokens each, d dimensions per token.",
    "ids of shape (B, T) become vectors of shape (B, T, d).",
    "It returns a B x T x d array, one d-dimensional vector for every token id in the batch.",
]
NORM = [
    "The norm of an embedding mostly reflects how frequent or confident a token is, not what it "
    "means, so raw dot products favour long vectors that look similar to everything.",
    "Dot products are dominated by vector length: frequent tokens get big norms and would win "
    "every search even when their meaning is unrelated.",
    "With the plain dot product a vector with a large magnitude scores high against any query, "
    "so the ranking reflects length (frequency) instead of semantics.",
    "Length carries things like word frequency; we don't want popular items to be 'similar' to "
    "every query just because their vectors are longer.",
]
DIRECTION = [
    "Cosine only compares the direction, which is where the meaning lives, which is why vector "
    "search normalises embeddings first.",
    "Normalising to unit length removes the magnitude, so cosine measures the angle, i.e. the "
    "semantic direction.",
    "Cosine similarity divides out the norms and keeps only the angle between the vectors.",
]
DEFINE_03 = [
    "Cosine similarity is u·v / (|u| |v|), a number between -1 and 1.",
    "cos(u, v) = dot(u, v) / (norm(u) * norm(v)), it is 1 for vectors pointing the same way.",
    "Cosine is the dot product of the two vectors divided by the product of their lengths.",
]
WRONG_03 = [
    "Cosine is used because it is faster to compute than the dot product on a GPU.",
    "The dot product can be negative, which breaks nearest-neighbour search, while cosine is "
    "always positive.",
    "Raw dot products are more accurate but cosine is easier for people to interpret, so "
    "libraries use it by default.",
]
BLANKS = ["YOUR ANSWER HERE", "", "   ", "YOUR ANSWER HERE\n\n", "your answer here"]
FILLERS = ["", "", "", "I think ", "Basically, ", "In short: ", "So ", "Answer: "]

# label -> rubric item key (course.written.rubric.from_scheme of each question's mark scheme)
LABEL_ITEM = {
    "ex01_explain": {"full": "1", "gather_only": "2", "memory_only": "3", "restates": "4",
                     "wrong": "5", "blank": "6", "copied_prompt": "6"},
    "ex03_explain": {"full": "1", "norm_only": "2", "defines_only": "3", "wrong": "4",
                     "blank": "5", "copied_prompt": "5", "direction_only": "2"},
}  # fmt: skip
WEIGHTS = {
    "ex01_explain": {"full": 34, "gather_only": 15, "memory_only": 12, "wrong": 13,
                     "restates": 9, "blank": 11, "copied_prompt": 6},
    "ex03_explain": {"full": 36, "norm_only": 14, "direction_only": 10, "defines_only": 12,
                     "wrong": 11, "blank": 11, "copied_prompt": 6},
}  # fmt: skip


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) > 4 and w.isalpha():
        j = rng.randrange(1, len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _style(rng: random.Random, text: str) -> str:
    text = rng.choice(FILLERS) + text
    if rng.random() < 0.3:
        text = text[0].lower() + text[1:]
    if rng.random() < 0.3:
        text = text.rstrip(".")
    if rng.random() < 0.3:
        text = _typo(rng, text)
    return text


def _join(rng: random.Random, a: str, b: str) -> str:
    if rng.random() < 0.3:
        a, b = b, a
    return a + rng.choice([" ", "\n\n", " Also, ", " And "]) + b


def answer(rng: random.Random, gid: str, label: str, prompt: str) -> str:
    first, second, wrong, zero = (
        (GATHER, MEMORY, WRONG_01, RESTATE_01)
        if gid == "ex01_explain"
        else (NORM, DIRECTION, WRONG_03, DEFINE_03)
    )
    if label == "blank":
        return rng.choice(BLANKS)
    if label == "copied_prompt":
        text = prompt.replace("**", "")
        return text if rng.random() < 0.5 else text.split(").", 1)[-1].strip()
    if label == "full":
        return _style(rng, _join(rng, rng.choice(first), rng.choice(second)))
    pool = {"gather_only": first, "norm_only": first, "memory_only": second,
            "direction_only": second, "wrong": wrong, "restates": zero,
            "defines_only": zero}[label]  # fmt: skip
    return _style(rng, rng.choice(pool))


@dataclass
class WrittenClass:
    answers: dict[str, dict[str, str]]  # grade_id -> student -> text
    labels: dict[str, dict[str, str]]  # grade_id -> student -> label

    def expected_item(self, gid: str, student: str) -> str:
        return LABEL_ITEM[gid][self.labels[gid][student]]


def make_class(n: int, prompts: dict[str, str], seed: int = 22) -> WrittenClass:
    rng = random.Random(seed)
    students = [f"w{i:03d}" for i in range(n)]
    answers: dict[str, dict[str, str]] = {}
    labels: dict[str, dict[str, str]] = {}
    for gid in QUESTIONS:
        names, weights = zip(*WEIGHTS[gid].items(), strict=True)
        labels[gid] = {s: rng.choices(names, weights)[0] for s in students}
        answers[gid] = {s: answer(rng, gid, labels[gid][s], prompts[gid]) for s in students}
    return WrittenClass(answers, labels)


def write_class(course: CourseDir, n: int, seed: int = 22) -> WrittenClass:
    """Submissions of n students (every code exercise correct, the two written answers from
    make_class, the other written answers left blank) under submitted/, labels in
    written-labels.json at the course root."""
    from course.authoring.misconceptions import all_correct, write_submission
    from course.written.answers import question

    prompts = {g: question(course, ASSIGNMENT, g).prompt for g in QUESTIONS}
    wc = make_class(n, prompts, seed)
    base = all_correct(course=course, assignment=ASSIGNMENT)
    for i, student in enumerate(sorted(wc.labels[QUESTIONS[0]])):
        nb = base.copy()
        nb.cells = [c.copy() for c in base.cells]
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = wc.answers[gid][student] if gid in wc.answers else "YOUR ANSWER HERE"
        stamp = f"2026-03-0{1 + i % 2} 12:{i % 60:02d}:00.000000 UTC"
        write_submission(nb, course, student, ASSIGNMENT, timestamp=stamp)
    (course.root / "written-labels.json").write_text(json.dumps(wc.labels, indent=1))
    return wc


def enter_in_gradebook(course: CourseDir, students: list[str]) -> None:
    """The gradebook rows autograde would start from (the assignment, its two written cells,
    one submission per student with its Grade and Comment rows), made through nbgrader's API
    without executing anything: for the unit tests and the benchmark."""
    from course.grading.gradebook import Batch
    from course.grading.gradebook import Gradebook as Batched
    from course.written.marks import gradebook

    with gradebook(course) as gb:
        gb.update_or_create_assignment(ASSIGNMENT)
        gb.update_or_create_notebook("exercises", ASSIGNMENT)
        for gid in QUESTIONS:
            gb.update_or_create_grade_cell(gid, "exercises", ASSIGNMENT, max_score=1.0,
                                           cell_type="markdown")  # fmt: skip
            gb.update_or_create_solution_cell(gid, "exercises", ASSIGNMENT)
    batch = Batch(course.db_url)  # one fsync for the class, not two per student
    with Batched(course.db_url) as gb:
        for s in students:
            gb.add_student(s)
            gb.add_submission(ASSIGNMENT, s)
    batch.commit()
