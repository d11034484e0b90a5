"""Tests of the Zoom fake and of ClassBot's Zoom adapters against it."""
