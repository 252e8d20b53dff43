"""acpforge: schema-first code generator and conformance kit for the Agentic Commerce Protocol."""

__version__ = "0.1.0"
