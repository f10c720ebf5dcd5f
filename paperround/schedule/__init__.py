"""When digests are due, and the dispatcher that sends them."""
