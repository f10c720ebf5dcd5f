"""Prefect flows: orchestration only; the domain logic is the stages' plain functions.

Importing this package first sets Prefect's offline, quiet defaults (PREFECT_HOME under the
data directory, no analytics) unless the user set them, whoever the entry point is: the
CLI, `prefect deploy`, a worker or a test.
"""

from paperround.env import prepare_prefect_env

prepare_prefect_env()
