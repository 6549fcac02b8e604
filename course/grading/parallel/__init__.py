"""``svc-course autograde``: the course's protected grading of a whole assignment on a Dask cluster.

* :mod:`.plan` (pure): content hashes and the resume state, which submissions to grade;
* :mod:`.worker` (runs on a Dask worker): nbgrader's own Autograde converter for one
  submission in a private copy of the course folder, with a private gradebook;
* :mod:`.merge` (coordinator): the private gradebook template, and the one writer of
  the real gradebook and of ``autograded/``;
* :mod:`.cluster`: a LocalCluster or an existing scheduler, with time-outs and a check
  that every worker sees the course folder;
* :mod:`.progress`: the progress bar, the per-student lines and the closing summary;
* :mod:`.run`: the command itself.
"""
