"""Spec tools for maintainers: ``acpforge lint`` and ``acpforge diff``.

Both read the same inputs as the generator, through its loader and its
layout discovery (``acpforge.generator.layout`` / ``.load``): our
``specs/<version>/``, ``../shared/acp-spec/<version>/`` and the upstream
repository's ``spec/<version>/{openapi,json-schema}/`` with its matching
``examples/<version>/``.

Modules:

    sources     find and load the files of each version once; one
                ``referencing`` registry resolves every ``$ref`` (file URIs)
    walk        one structural walk per document: schemas, examples, refs,
                operations, each with its JSON pointer
    registry    the rules registry: id, severity, rationale, check function
    rules/      one module per rule family (see docs/lint-rules.md)
    lint        run the rules over the inputs, return sorted findings
    reporters   text, json and SARIF 2.1.0 output
    diff/       the diff engine, its classification rules and renderers
"""
