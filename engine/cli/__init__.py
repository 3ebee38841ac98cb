"""The `tunelab` command's helpers beside engine/__main__.py: starting the app (`tunelab run`)."""
