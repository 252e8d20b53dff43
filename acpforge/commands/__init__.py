"""One module per CLI command; each exposes a ``click.Command`` named ``command``.

The CLI imports a command's module only when that command runs, so that
``acpforge --help`` and ``acpforge sign`` do not pay for importing FastAPI,
Schemathesis or the generator.
"""
