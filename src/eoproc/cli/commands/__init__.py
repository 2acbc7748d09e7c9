"""The commands of the CLI: one table of names, aliases and modules.

Each command is a typed function in one of the modules here, named as the
command with underscores (``list-processes`` is ``processes.list_processes``).
:class:`eoproc.cli.group.CliGroup` lists the commands in this order and resolves
the aliases; :func:`eoproc.cli.startup.load_command` imports a module when one
of its commands is first looked up.
"""

from __future__ import annotations

# (command name, alias or None, module of eoproc.cli.commands), in the order of
# the help page (the seed's order first).
COMMANDS: list[tuple[str, str | None, str]] = [
    ("configure", None, "configure"),
    ("list-processes", "lp", "processes"),
    ("get-process", "gp", "processes"),
    ("create-request", "cr", "processes"),
    ("validate-request", "vr", "processes"),
    ("execute-process", "ep", "jobs"),
    ("list-jobs", "lj", "jobs"),
    ("get-job", "gj", "jobs"),
    ("dismiss-job", "dj", "jobs"),
    ("get-job-results", "gjr", "jobs"),
    ("get-capabilities", None, "processes"),
    ("get-conformance", None, "processes"),
    ("generate-client", None, "codegen"),
    ("login", None, "login"),
    ("logout", None, "login"),
    ("show-app", "show", "show"),
    ("deploy-process", None, "deploy"),
    ("replace-process", None, "deploy"),
    ("undeploy-process", None, "deploy"),
]

MODULES: dict[str, str] = {name: module for name, _alias, module in COMMANDS}
"""The module of each command."""

ALIASES: dict[str, str] = {alias: name for name, alias, _module in COMMANDS if alias}
"""The command each alias stands for."""
