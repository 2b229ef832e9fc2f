"""nbgrader configuration for the Math for LLMs course (read by every nbgrader command run here)."""
import os
import sys

# The course package adds one preprocessor (stub messages that name the function to write);
# nbgrader loads it by import path, so the repo must be importable from wherever nbgrader runs.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.course_id = "math-for-llms"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

from nbgrader.converters.generate_assignment import GenerateAssignment  # noqa: E402

# After ClearSolutions, rewrite each bare stub so the error names the function to write.
_pre = list(GenerateAssignment.preprocessors.default_value)
_pre.insert(_pre.index(next(p for p in _pre if p.__name__ == "ClearSolutions")) + 1,
            "course.stubs.NameStubs")
c.GenerateAssignment.preprocessors = _pre

# Deleted test cells come back from the gradebook instead of silently scoring nothing.
c.OverwriteCells.add_missing_cells = True
