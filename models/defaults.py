"""Defaults that library functions also take as parameter defaults (fetch, the arXiv client,
make_engine, serve's dispatch interval): defined once here, and Settings uses the same.
Plain constants with no imports, so a command that only needs a default (`serve --help`)
does not load pydantic (~0.27 s of every CLI start).
"""

MiB = 1024 * 1024
FETCH_TIMEOUT = 30.0  # seconds for each connect/read of a feed
FETCH_BACKOFF = 2.0
FETCH_MAX_BYTES = 50 * MiB  # a feed's decoded body; the largest real listing is ~5 MiB
ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_API_SPACING = 3.0  # seconds between arXiv API calls, as arXiv's terms ask
BUSY_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
DISPATCH_EVERY_SECONDS = 300  # how often the dispatcher looks for due profiles
