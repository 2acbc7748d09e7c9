"""s2gos_server profile of eoproc."""
