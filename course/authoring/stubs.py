"""nbgrader preprocessor: make each solution stub's error name the function the student must write.

nbgrader's ClearSolutions puts the same `raise NotImplementedError()` in every answer region; a
student who runs a test cell then sees an anonymous error. This rewrites each bare stub inside
`def NAME(...)` so the message says which function to write.

Runs in: nbgrader's generate_assignment process (loaded by import path from nbgrader_config.py).
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor

from course.nb import is_answer_cell

_DEF = re.compile(r"^\s*def\s+(\w+)\s*\(")
_STUB = "raise NotImplementedError()"


def name_stubs(source: str) -> str:
    lines = source.split("\n")
    current = None
    for n, line in enumerate(lines):
        match = _DEF.match(line)
        if match:
            current = match.group(1)
        elif line.strip() == _STUB and current:
            indent = line[: len(line) - len(line.lstrip())]
            lines[n] = (
                f'{indent}raise NotImplementedError("{current}() is not written yet: replace this line with your code")'
            )
    return "\n".join(lines)


class NameStubs(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if is_answer_cell(cell):
            cell.source = name_stubs(cell.source)
        return cell, resources
