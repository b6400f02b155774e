"""Root conftest: being here puts the repository root on sys.path, so tests
(and notebooks run by `pytest --nbval` from the root) import `utils` directly."""
