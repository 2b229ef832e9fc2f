"""A class with planted copies among honest answers, for the similarity report's tests and benchmark.

Honest students answer every exercise of Embedding Space Math in styles drawn independently
(see the package docstring). Planted pairs copy an honest student four ways:

- verbatim: the same notebook;
- renamed: every local variable renamed, comments changed and added;
- reordered: functions of a cell swapped, independent statements swapped, reformatted
  (operator spacing, one argument per line, blank lines);
- one_exercise: an honest notebook of its own with only exercise 8 (rope_rotate) copied.

`one_liners` is a pair of honest students who write the same one-line answers (and nothing
else in common): the report must not rank them above any planted pair.

Runs in: tests, bench/bench_similarity.py and the demo.
"""

from __future__ import annotations

import copy
import io
import keyword
import random
import re
import tokenize

import nbformat

from course.nb import exercise_number, grade_id, is_answer_cell, is_written_answer
from course.paths import CourseDir

from ..misconceptions import write_submission
from . import habits as styles

ASSIGNMENT = "embedding_space_math"
ONE_LINERS = ("analogy_target", "center", "embedding_params", "one_hot_lookup")
COPIED_FUNCTION, COPIED_EXERCISE = "rope_rotate", 8
_RAISE = re.compile(r'^(\s*)raise NotImplementedError\("(\w+)\(\)')
_COMMENTS = ["# compute it", "# vectorised", "# step", "# TODO tidy", "# works on the example"]


def honest(rng: random.Random) -> dict[str, str]:
    """One student's answers: function -> body, plus "exNN" -> written answer."""
    ten_thousand = rng.choice(styles.TEN_THOUSAND)
    answers = {
        name: styles.personal(name, style(rng), rng, ten_thousand)
        for name, style in styles.STYLES.items()
    }
    for name in answers:
        if rng.random() < 0.3:  # some students comment their code
            lines = answers[name].split("\n")
            lines.insert(0, rng.choice(_COMMENTS))
            answers[name] = "\n".join(lines)
    answers.update({f"ex{n:02d}": styles.written(rng) for n in range(1, 11)})
    return answers


def notebook(answers: dict[str, str], course: CourseDir, keep_marker: bool = True):
    """The release with each stub's raise replaced by the answer's body."""
    nb = copy.deepcopy(nbformat.read(course.release_notebook(ASSIGNMENT), as_version=4))
    for cell in nb.cells:
        if is_answer_cell(cell):
            out = []
            for line in cell.source.split("\n"):
                m = _RAISE.match(line)
                if m and m.group(2) in answers:
                    out += [m.group(1) + b if b else b for b in answers[m.group(2)].split("\n")]
                elif keep_marker or line.strip() != "# YOUR CODE HERE":
                    out.append(line)
            cell.source = "\n".join(out)
        elif is_written_answer(cell):
            cell.source = answers.get(f"ex{exercise_number(grade_id(cell)):02d}", cell.source)
    return nb


def renamed(answers: dict[str, str], rng: random.Random) -> dict[str, str]:
    out = {}
    for name, body in answers.items():
        if name.startswith("ex"):
            out[name] = body
            continue
        lines = [ln for ln in _rename(body).split("\n") if not ln.lstrip().startswith("#")]
        lines.insert(
            rng.randrange(len(lines)), "# " + rng.choice(["my version", "done by me", "compute"])
        )
        out[name] = "\n".join(lines)
    return out


_KEEP = {"np", "int", "float", "range", "len", "enumerate", "zip", "max", "sum", "lambda"}


def _rename(body: str) -> str:
    """Rename every name the body assigns (its locals), leaving parameters and calls alone."""
    tokens = list(tokenize.generate_tokens(io.StringIO(body + "\n").readline))
    targets = set()
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.NAME and i + 1 < len(tokens):
            nxt = tokens[i + 1].string
            if nxt in ("=", ",", "-=", "+=") or (i > 0 and tokens[i - 1].string == "for"):
                targets.add(tok.string)
    targets -= _KEEP | set(keyword.kwlist)
    result, prev = [], ""
    for tok in tokens:
        s = tok.string
        if tok.type == tokenize.NAME and s in targets and prev != ".":
            s = f"{s}_{len(s)}x"
        result.append((tok.type, s))
        prev = tok.string
    return tokenize.untokenize(result).strip("\n")


def reordered(answers: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, body in answers.items():
        if name.startswith("ex"):
            out[name] = body
            continue
        out[name] = _reformat(_swap_independent(body.split("\n")))
    return out


def _names(line: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", line))


def _swap_independent(lines: list[str]) -> list[str]:
    """Swap adjacent top-level one-line assignments that do not use each other's targets."""
    i = 0
    while i + 1 < len(lines):
        a, b = lines[i], lines[i + 1]
        simple = all(" = " in x and not x.startswith((" ", "#", "return")) for x in (a, b))
        if simple:
            ta, tb = _names(a.split(" = ")[0]), _names(b.split(" = ")[0])
            if not (ta & _names(b)) and not (tb & _names(a)):
                lines[i], lines[i + 1] = b, a
                i += 2
                continue
        i += 1
    return lines


def _reformat(lines: list[str]) -> str:
    out = []
    for line in lines:
        line = re.sub(r" ([*/+\-]) ", r"\1", line)  # compact operators
        indent = line[: len(line) - len(line.lstrip())]
        depth, text = 0, ""
        for ch in line:
            text += ch
            depth += (ch in "([") - (ch in ")]")
            if ch == "," and depth == 1 and len(line) > 30:
                text += "\n" + indent + "    "
        out += [text.replace(",\n" + indent + "     ", ",\n" + indent + "    "), ""]
    return "\n".join(out).rstrip("\n")


def swap_functions(nb):
    """Two-function cells with their functions in the other order (a reordered copy)."""
    for cell in nb.cells:
        if is_answer_cell(cell) and cell.source.count("\ndef ") == 1:
            first, second = cell.source.split("\n\n\ndef ", 1)
            cell.source = "def " + second.rstrip("\n") + "\n\n\n" + first
    return nb


def build(course: CourseDir, n_honest: int, seed: int = 7) -> dict[str, list[tuple[str, str]]]:
    """Write the class into course's submitted/; return the planted pairs and the one-liner pair."""
    rng = random.Random(seed)
    people = {f"s{i:03d}": honest(rng) for i in range(n_honest)}
    for student, answers in people.items():
        write_submission(notebook(answers, course, rng.random() < 0.5), course, student, ASSIGNMENT)
    sources = list(people)[:4]  # four honest students are copied, each by one other
    planted = {
        "copy_verbatim": (sources[0], people[sources[0]], None),
        "copy_renamed": (sources[1], renamed(people[sources[1]], rng), None),
        "copy_reordered": (sources[2], reordered(people[sources[2]]), swap_functions),
        "copy_one_exercise": (sources[3], {**honest(rng), **_one(people[sources[3]])}, None),
    }
    for student, (_, answers, after) in planted.items():
        nb = notebook(answers, course)
        write_submission(after(nb) if after else nb, course, student, ASSIGNMENT)
    a, b = honest(rng), honest(rng)
    for name in ONE_LINERS:  # the same one-line answers, drawn from the class's styles
        body = styles.STYLES[name](rng)
        while "\n" in body:
            body = styles.STYLES[name](rng)
        a[name] = b[name] = body
    for student, answers in (("one_liner_a", a), ("one_liner_b", b)):
        write_submission(notebook(answers, course), course, student, ASSIGNMENT)
    return {
        "planted": [(src, student) for student, (src, _, _) in planted.items()],
        "one_liners": [("one_liner_a", "one_liner_b")],
    }


def _one(answers: dict[str, str]) -> dict[str, str]:
    return {
        COPIED_FUNCTION: answers[COPIED_FUNCTION],
        f"ex{COPIED_EXERCISE:02d}": answers[f"ex{COPIED_EXERCISE:02d}"],
    }
