"""What happened to one imported object, and to a batch of them."""
import re
from dataclasses import dataclass, field

IMPORTED, DUPLICATE, REJECTED, FAILED = "imported", "duplicate", "rejected", "failed"

#: Longest message kept; reasons quote values from the object, which a damaged one makes huge.
MESSAGE_LENGTH = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")


def one_line(text: str, limit: int = MESSAGE_LENGTH) -> str:
    """``text`` as one printable line of at most ``limit`` characters (control bytes dropped)."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", str(text))).strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass
class Outcome:
    """The result of importing one object: its status and a one-line reason for people."""

    source: str
    status: str
    message: str = ""
    study_instance_uid: str | None = None
    study_id: int | None = None
    modality_type: str | None = None
    warnings: list = field(default_factory=list)
    #: True when the object was added to a study already stored (not a new study).
    merged: bool = False

    def __post_init__(self):
        self.message = one_line(self.message or "")

    def line(self) -> str:
        """One line for logs and the command line: ``file: status (reason)``."""
        reason = f" ({self.message})" if self.message else ""
        return f"{one_line(self.source, 1000)}: {self.status}{reason}"

    def warning_lines(self) -> list[str]:
        """One line per warning, each naming the file: ``file: warning: what was left out``."""
        source = one_line(self.source, 1000)
        return [f"{source}: warning: {one_line(warning)}" for warning in self.warnings]

    def report(self) -> str:
        """The outcome's line followed by its warnings, one per line (task records)."""
        return "\n".join([self.line(), *self.warning_lines()])

    def as_dict(self) -> dict:
        """JSON-ready form for ``--json`` summaries and the upload page."""
        return {
            "source": self.source, "status": self.status, "message": self.message,
            "study_instance_uid": self.study_instance_uid, "study_id": self.study_id,
            "modality_type": self.modality_type, "warnings": list(self.warnings),
        }


@dataclass
class Summary:
    """Counts over a batch of imports."""

    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0
    warned: int = 0
    outcomes: list = field(default_factory=list)

    def add(self, outcome: Outcome, keep: bool = True):
        """Count an outcome (and keep it unless a long batch asks not to)."""
        if outcome.status == IMPORTED:
            self.imported += 1
        elif outcome.status == DUPLICATE:
            self.duplicates += 1
        elif outcome.status == REJECTED:
            self.rejected += 1
        else:
            self.failed += 1
        if outcome.warnings:
            self.warned += 1
        if keep:
            self.outcomes.append(outcome)

    def line(self) -> str:
        """The counts as one line: ``3 imported, 0 duplicates, ...``."""
        warned = f" ({self.warned} with warnings)" if self.warned else ""
        return (f"{self.imported} imported{warned}, {self.duplicates} duplicates, "
                f"{self.rejected} rejected, {self.failed} failed")

    def as_dict(self) -> dict:
        """JSON-ready counts and outcomes."""
        return {
            "imported": self.imported, "duplicates": self.duplicates,
            "rejected": self.rejected, "failed": self.failed, "with_warnings": self.warned,
            "outcomes": [o.as_dict() for o in self.outcomes],
        }
