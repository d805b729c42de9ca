"""Keeping an installation healthy (运维): backup and restore, purging ended sessions and
login counters, removing the files of abandoned uploads; the CLI and the periodic job."""
