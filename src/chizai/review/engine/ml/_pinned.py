"""SHA-256 of the shipped artefact's manifest.json — updated by the training command
when it writes into the package, and reviewed like any other code change."""
SHIPPED_MANIFEST_SHA256 = "7abea2c67beaa21025dce31c2ed84abd0fdbc69372ae4fb7518056fcb9121032"
