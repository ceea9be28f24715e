"""gunicorn's settings for `make serve` (the command line's --bind and --workers win).

A worker that takes longer than `timeout` on one request is killed and replaced, so a request
stuck on a hostile or enormous input frees its worker; the largest legitimate request (a
10,000-target report, a 20,000-figure import) takes a few seconds. Workers are recycled
after `max_requests` (with jitter, so they do not all restart at once), which returns the
memory that large workbooks leave fragmented.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
# Request line and headers stay small; bodies are capped by nginx and by the app.
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
