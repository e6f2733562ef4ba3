"""The shared fixtures (org, other_org, members, owner) live in the project's root conftest.py."""
