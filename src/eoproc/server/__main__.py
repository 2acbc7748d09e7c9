"""``python -m eoproc.server`` = ``eoproc-server``."""

from .cli import main

main()
