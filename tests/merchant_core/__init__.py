"""Tests of the version-free reference-merchant core (acpforge.merchant.core)."""
