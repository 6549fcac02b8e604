"""pytest at the repository root: what the doctest collection of ``course/`` must not import."""

# imported, it loads the whole grading code into the process (it exists for Dask's fork server)
collect_ignore = ["course/grading/parallel/preload.py"]
