"""The acpforge generator: specs in, Python bindings out.

Stages, each a module with one job, passing plain data along:

    layout    find the spec files of each API-Version (ours or upstream's layout)
    load      read YAML, keep source lines for error messages
    validate  openapi-spec-validator, errors mapped to file:line
    resolve   bundle cross-file $refs and normalise what code generators trip on
    model     the small intermediate model templates read (operations, headers, ...)
    render    datamodel-code-generator for models, Jinja2 templates for the rest
    pipeline  run the stages for each version; write or --check
"""
