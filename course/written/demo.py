"""`python -m course written-demo`: a graded class with realistic written answers.

A scratch course directory (this repository's source/ and release/) holding n students'
submissions from course.written.classdata (every code exercise correct; ex01_explain and
ex03_explain written as a class writes them, labels in written-labels.json), graded with the
course's real grader, so the written-grading app, formgrader, feedback and export all see it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from course.authoring.release import generate
from course.errors import DemoRefused
from course.paths import CourseDir, new_course
from course.written import classdata

MARKER = ".written-demo"


def build(root: Path, n: int = 40, grade: bool = True) -> CourseDir:
    root = Path(root).resolve()
    if root.exists():
        if not (root / MARKER).exists():
            raise DemoRefused(
                f"{root} exists and was not made by written-demo; choose another --root"
            )
        shutil.rmtree(root)
    course = new_course(root)
    (root / MARKER).write_text("Made by `python -m course written-demo`; rebuilt by each run.\n")
    generate(course, classdata.ASSIGNMENT)
    classdata.write_class(course, n)
    if grade:
        from course.grading.run import grade as run_grade

        run_grade(classdata.ASSIGNMENT, root=course.root, progress=False)
    return course
