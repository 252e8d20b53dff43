"""ref-unresolved and ref-remote: every ``$ref`` leads somewhere."""

from __future__ import annotations

from ..registry import rule


def _refs(ctx):
    for source, index in [*ctx.openapi, *ctx.jsonschema]:
        for site in index.refs:
            error = ctx.ref_error(site)
            if error is not None:
                yield source.doc, site, error


@rule(
    "ref-unresolved",
    "error",
    "refs",
    "Every $ref resolves",
    """A dangling reference makes a schema mean "anything" to some tools and
    makes others crash; it usually comes from a rename or a file moved
    between folders.  References are resolved with the `referencing` library
    against file URIs, exactly as a JSON Schema validator would, including
    references into other files (the 2026-04-17 webhook's
    `openapi.agentic_checkout.yaml#/components/schemas/Order`) and into the
    upstream json-schema folder.""",
)
def check_unresolved(ctx):
    for doc, site, error in _refs(ctx):
        if not error.remote:
            yield ctx.hit(
                doc, site.pointer + "/$ref", f"$ref {site.ref!r} cannot be resolved: {error}"
            )


@rule(
    "ref-remote",
    "info",
    "refs",
    "Remote $refs are listed (not fetched)",
    """lint never fetches the network, so a reference to an http(s) URL that
    is not the `$id` of a loaded file is not checked; it is listed so that a
    maintainer knows what was not verified.""",
)
def check_remote(ctx):
    for doc, site, error in _refs(ctx):
        if error.remote:
            yield ctx.hit(
                doc, site.pointer + "/$ref", f"$ref {site.ref!r} is remote and was not checked"
            )
