"""The coaching engine: stages, coaches, rubric and answer checks."""
