"""The course on JupyterHub: hub configuration, roster -> accounts, grade-on-submit, sanitising.

Imports nothing heavy: the formgrader (another account, another Python) imports
course.hub.sanitize through the course's nbgrader_config.py.
"""
