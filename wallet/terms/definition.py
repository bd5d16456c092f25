"""Version definitions of the Tessera terms protocol (read by ACA-Py's plugin registry)."""

versions = [
    {
        "major_version": 1,
        "minimum_minor_version": 0,
        "current_minor_version": 0,
        "path": "v1_0",
    }
]
