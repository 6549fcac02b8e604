"""svc-course: an autograded Jupyter course on the ITIL 4 service value chain.

Importing the package has no side effects; each concern lives in its own module
(``course.metrics``, ``course.data``, ``course.banks``, ``course.checks`` ...).
"""

__version__ = "0.1.0"
