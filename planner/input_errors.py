"""Input problems with their place (sheet, Excel row, column), raised together as one InputError."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem in the input: where it is and what is wrong."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f", row {self.row}" if self.row else "") + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class InputError(ValueError):
    """The input cannot be planned; carries every problem found."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the input:\n" + "\n".join(f"- {p}" for p in problems))
