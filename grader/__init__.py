"""backprop-lab: checks, feedback and grading for the two-layer neural network lab."""

__version__ = "0.1.0"
