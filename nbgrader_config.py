"""nbgrader configuration of the svc-course course directory (this folder)."""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "svc-value-chain"

# Students get a plain placeholder instead of `raise NotImplementedError()`, so an
# unanswered release notebook still runs top to bottom; its checks say what is missing.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Trustworthy autograding: each submission runs in a bubblewrap sandbox and the
# grade of every test cell is decided outside the student's kernel. Limits:
# c.Sandbox.memory_mb, max_processes, max_file_mb, cpu_seconds, max_output_bytes,
# notebook_seconds; opting out (trusted notebooks only): c.Sandbox.enabled = False.
from course.grading.config import configure  # noqa: E402

configure(c)
