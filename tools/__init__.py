"""Maintenance scripts: the shared notebook cells (notebook_cells), `make sync` (sync_notebooks), widget driving (widget_moves)."""
