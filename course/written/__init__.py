"""Written answers graded by question, in groups, with the mark scheme as a rubric.

answers (questions and students' answers), grouping (blank / identical / TF-IDF clusters),
rubric (items from the mark scheme), marks (nbgrader's gradebook, optimistic concurrency),
state (rubric, groups, shares kept per question), api (what the page does), app (tornado),
hub (the hub service), cli (verbs), classdata and demo (a labelled class). See docs/written.md.
"""
