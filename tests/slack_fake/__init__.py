"""Tests of the Slack fake, through slack-sdk's and Bolt's own clients."""
