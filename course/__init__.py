"""Math for LLMs course tooling: `python -m course <verb>`. Layout: docs/architecture.md."""
