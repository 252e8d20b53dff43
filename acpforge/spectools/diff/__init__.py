"""``acpforge diff``: what changed between two versions of the specs, and who it breaks.

rules     the classification rules: each change kind names the rule that
          decided whether it breaks clients, servers, or neither
engine    load both sides, match APIs, operations, statuses, headers,
          bodies, and compare the resolved schemas reachable from them
render    text, json and markdown (a migration note) output
"""
