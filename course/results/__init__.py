"""Results [CLI process]: feedback, grade exports and the class report, read from the gradebook
and autograded/ only."""
