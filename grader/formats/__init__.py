"""Output formats. Each one only formats ``grader.results`` records."""
