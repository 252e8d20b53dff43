"""The rule families; importing this package registers every rule."""

from . import acp, composition, dialect, drift, examples, openapi, refs, syntax, values  # noqa: F401
