"""Authoring [CLI process]: the release with its gates, stub naming, planted misconceptions."""
