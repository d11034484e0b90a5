"""Zoom's side of ClassBot: OAuth, the REST client and its errors, webhook verification and parsing.

The core never imports from here directly; the composition root wires these adapters to the core's ports.
"""
