"""The documentation site's own Sphinx hooks (docs/conf.py connects them)."""
