"""Chat front ends: translate a platform's updates into core calls and core results into messages."""
