"""sen4cap_client profile of eoproc."""
