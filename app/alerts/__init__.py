"""High-dose alerts: rules per modality (and system) on stored dose values, the alerts they
raise at import and over stored studies, their acknowledgement, and e-mail to those who opted
in (docs/alerts.md).

``kinds.py`` says what each kind of rule measures; ``rules.py`` holds the shipped defaults
and the rules imports apply; ``evaluation.py`` raises and clears alerts; ``background.py``
re-applies a changed rule to every stored study; ``mail.py`` sends the e-mails.
Importing calls ``evaluation.evaluate_import`` in each import's transaction; nothing else
here writes outside the alert tables.
"""
