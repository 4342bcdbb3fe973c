"""Background tasks: a queue (Huey) that the DICOM listener, large uploads and patient-size
imports put work on, and the worker (``flask worker``) that does it.

``queue.py`` builds the Huey instance from the application's settings and runs tasks inside
an application context, recording each in the ``BackgroundTask`` history (``records.py``).
Task functions register themselves with ``@background_task``; ``imports.py`` holds the import
of spooled DICOM files, ``sizes.py`` the application of a patient-size CSV.
"""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class TaskDefinition:
    """A kind of task: its queue name, a label for people, and the function doing the work.

    The function returns ``(status, message)``: "done" or "failed" and a line for the Tasks
    page.
    """

    name: str
    label: str
    function: Callable


TASKS: dict[str, TaskDefinition] = {}


def background_task(name: str, label: str):
    """Register a function as the body of the task ``name``."""

    def register(function):
        TASKS[name] = TaskDefinition(name, label, function)
        return function

    return register


def task_label(name: str) -> str:
    """The label of a task type for people, or its name when unknown."""
    definition = TASKS.get(name)
    return definition.label if definition else name
