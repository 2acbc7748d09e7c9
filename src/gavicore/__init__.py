"""Compatibility shim: ``gavicore.models`` names eoproc's models as the upstream
``gavicore`` package (of the cuiman / eozilla clients) does, so that code written for
those clients (``from gavicore.models import ProcessRequest``) runs on eoproc.

Only :mod:`gavicore.models` is provided; eoproc itself never imports this package.
See ``docs/client.md`` ("The gavicore.models shim") for what happens when the real
``gavicore`` is installed as well.
"""
