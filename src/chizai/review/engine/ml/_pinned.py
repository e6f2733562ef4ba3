"""SHA-256 of the shipped artefact's manifest.json — updated by the training command
when it writes into the package, and reviewed like any other code change."""
SHIPPED_MANIFEST_SHA256 = "739d29c3b4808514bee3a0948dc3e92f7619dd830d4c8ea30be13b4791dd88d5"
