"""Services the S2GOS server can run (``s2gos-server run -- MODULE:ATTR``)."""
