"""Hand-written support code that generated modules import.

Generated code stays short and readable because everything that does not
depend on the spec (HTTP plumbing, error mapping, lenient enum parsing)
lives here, is tested once, and is shared by every API-Version.
"""
