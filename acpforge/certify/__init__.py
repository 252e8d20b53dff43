"""``acpforge certify``: OpenAI's launch-certification checklist, end to end, with evidence.

The runner plays the agent platform: it drives the generated client of the
target's API-Version against a real base URL, runs the webhook receiver the
merchant posts order events to, records every exchange (redacted) and says,
per checklist item, what it checked and why it passed or failed.

Modules: ``profile`` (what the runner cannot guess about a merchant),
``dialects`` (per-version request shapes and response readers),
``evidence`` (exchange recording), ``receiver`` (webhook receiver),
``arithmetic`` (independent totals oracle), ``scenarios`` (one per item),
``tls_probe`` and ``egress`` (network checks), ``runner``, ``reports``,
``embedded`` (the reference merchant as a target).
"""
