"""SHA-256 of the shipped artefact's manifest.json — updated by the training command
when it writes into the package, and reviewed like any other code change."""
SHIPPED_MANIFEST_SHA256 = "2e703410d59530ef076d7f9db4236fd9b7dcc8f9939d4ce43f99eaedb167b864"
