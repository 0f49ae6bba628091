"""interviewer: a mock interviewer for machine-learning and deep-learning job interviews."""

__version__ = "0.1.0"
