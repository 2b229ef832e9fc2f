"""JupyterHub tests: the course hub with real Unix accounts (marker `hub`)."""
