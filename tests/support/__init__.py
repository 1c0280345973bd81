"""Test support shared by several parts' tests (imported as ``tests.support.<module>``)."""
