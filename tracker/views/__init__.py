"""Pages, one module per part of the work; each view only orchestrates."""
