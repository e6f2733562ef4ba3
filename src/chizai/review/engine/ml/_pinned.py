"""SHA-256 of the shipped artefact's manifest.json — updated by the training command
when it writes into the package, and reviewed like any other code change."""

SHIPPED_MANIFEST_SHA256 = "2bf9149f12e567e3517edc69739a1e9af6d311cc24d8ee690d7c6a6948af609f"
