"""The database side of the AI: loads models and knowledge, runs the pipeline, learns."""
