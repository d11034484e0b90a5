"""A teacher's browser walking the Zoom connect link: the fake Zoom's own walk, shared with the playground."""

from __future__ import annotations

from classbot_fakes.zoom.browser import consent_in_browser

__all__ = ["consent_in_browser"]
