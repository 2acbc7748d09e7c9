"""s2gos_client profile of eoproc."""
