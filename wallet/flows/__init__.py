"""Protocol flows as plain functions over `Agent`s, shared by demo/, the CLI and tests."""
