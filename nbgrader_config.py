"""nbgrader configuration for the Math for LLMs course (read by every nbgrader command run here)."""

import os

# The course package (installed editable by `make setup`) adds preprocessors that nbgrader
# loads by import path, and names the course.
from course.paths import COURSE_ID

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# nbgrader 0.9's default GenerateAssignment pipeline, with NameStubs right after ClearSolutions so
# each stub's error names the function to write. (A broken config file is only logged by nbgrader,
# so tests/test_notebooks.py checks that the regenerated release really names its stubs.)
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "course.authoring.stubs.NameStubs",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Deleted test cells come back from the gradebook instead of silently scoring nothing.
c.OverwriteCells.add_missing_cells = True

# nbgrader's DeduplicateIds leaves `{}` metadata that add_missing_cells then crashes on
# (KeyError: 'grade_id'); course.grading.deduplicate drops it. Otherwise nbgrader 0.9's default list.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "course.grading.deduplicate.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Student content renders without scripts in formgrader and feedback (course/hub/sanitize.py).
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {
    "markdown2html": "course.hub.sanitize.markdown2html",
    "clean_html": "course.hub.sanitize.clean_html",
}
c.HTMLExporter.preprocessors = ["course.hub.sanitize.SanitizeOutputs"]
