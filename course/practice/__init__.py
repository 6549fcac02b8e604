"""Pure logic behind the practice widgets, testable without a front end.

One module per widget concern, none of them importing ipywidgets or IPython:

* :mod:`course.practice.mapper`: checking a scenario-to-activity mapping, with
  feedback that names the cue words, and a session with a running score.
* :mod:`course.practice.quiz`: practice and exam quiz sessions, scoring against
  the 65% pass mark, and timer arithmetic with an injectable clock.
* :mod:`course.practice.leitner`: a five-box Leitner scheduler for flashcards.
* :mod:`course.practice.stream`: checking a value stream and its flow data.
* :mod:`course.practice.slo`: error budget arithmetic and burn-down series.
* :mod:`course.practice.dashboard`: notebook 06's value chain dashboard, one
  measure per activity with its monthly values, unit and axis.
"""
