"""A fix for nbgrader 0.9's handling of duplicate grade_ids (nbgrader #1083).

nbgrader's DeduplicateIds keeps the last cell of a grade_id and empties the others' metadata to
`{}`; OverwriteCells.add_missing_task_cells (on with add_missing_cells=True, as this course
configures) then reads `["grade_id"]` of that empty dict and the whole submission fails with
`KeyError: 'grade_id'`. Dropping the emptied key makes the copies plain cells, as intended.
Wired in nbgrader_config.py (Autograde.sanitize_preprocessors), so plain `nbgrader autograde`
and `python -m course grade` both get it.

Runs in: the grader process (the writer's sanitize pass) and plain `nbgrader autograde`.
"""

from nbgrader.preprocessors import DeduplicateIds as _DeduplicateIds


class DeduplicateIds(_DeduplicateIds):
    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader") == {}:
                del cell.metadata["nbgrader"]
        return nb, resources
