"""Pages, one module per part of the work; each view only orchestrates.

May import every package of the app: views are the top layer, with the admin and the
commands, and nothing below imports them (only `tracker.urls`, the middleware and the
project's urls name them).
"""
