"""What ClassBot does, in plain Python: no chat platform, no HTTP. Front ends call these use cases."""
