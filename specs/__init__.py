"""The hand-written ACP specs, shipped as package data (see README.md here)."""
