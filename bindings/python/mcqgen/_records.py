"""The values the package hands out: tests, questions, progress events, and the enums they use.

Fields as in the JSON the library writes (mcqgen/json.hpp); the C++ types of the same names are
in include/mcqgen/question.hpp and config.hpp.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import json
from typing import Any, Optional

from . import _capi
from ._errors import ErrorCode, code_for_name, error_for_code


class Status(str, enum.Enum):
    """The lifecycle of a test (mcqgen::Status)."""

    GENERATING = "generating"
    COMPLETED = "completed"
    PARTIAL = "partial"  #: fewer questions than asked; ``Test.message`` says why
    FAILED = "failed"  #: no question could be made


def _statuses_by_c_value() -> dict[int, Status]:
    # mcqgen_test_status values 0, 1, ... are named by the library; "unknown" ends the table.
    table = {}
    for value in itertools.count():
        name = _capi.text(_capi.mcqgen_test_status_string(value))
        if name == "unknown":
            break
        table[value] = Status(name)
    if set(table.values()) != set(Status):
        raise ImportError(f"mcqgen: {_capi.library_path} names the test statuses "
                          f"{[s.value for s in table.values()]}, the package {list(Status)}")
    return table


_STATUS_BY_C_VALUE = _statuses_by_c_value()


class StructuredOutput(str, enum.Enum):
    """How Claude is asked for JSON (mcqgen::StructuredOutput). The members are declared in the
    order of the C enum mcqgen_structured_output: 0, 1, 2."""

    AUTOMATIC = "automatic"  #: per model: json_schema where supported, a forced tool otherwise
    JSON_SCHEMA = "json_schema"  #: ``output_config.format`` with a JSON schema
    TOOL = "tool"  #: a forced tool call; the tool input is the JSON

    def _c_value(self) -> int:
        return list(StructuredOutput).index(self)

    @classmethod
    def _from_c(cls, value: int) -> StructuredOutput:
        return list(cls)[value]


class QuestionStyle(str, enum.Enum):
    """The form of a test's questions (mcqgen::QuestionStyle), in the order of the C enum
    mcqgen_question_style: 0, 1, 2, 3. Each question stores the form it took as its ``style``."""

    MIXED = "mixed"  #: each sentence in the form it allows best, the forms spread over the test
    CLOZE = "cloze"  #: a sentence of the document with its key term blanked
    QUESTION = "question"  #: a wh-question or a definition question
    STATEMENTS = "statements"  #: "Consider the following statements: 1. ... 2. ..."

    def _c_value(self) -> int:
        return list(QuestionStyle).index(self)

    @classmethod
    def _from_c(cls, value: int) -> QuestionStyle:
        return list(cls)[value]


@dataclasses.dataclass
class Question:
    """One accepted multiple-choice question."""

    id: int
    position: int  #: 0-based place in its test
    stem: str
    options: list[str]  #: A-D
    answer_index: int  #: the key, 0..3
    explanation: str
    source_quote: str  #: the document's sentence(s) backing the key
    score: float  #: the judge's score, 0..1
    style: str  #: its form: "cloze", "question" or "statements" ("claude" when Claude chose)
    difficulty: str
    source_page: Optional[int] = None  #: the quote's physical page (PDF), None otherwise
    source_section: str = ""  #: its section, "Chapter 3 › Resources"; "" when none

    @property
    def citation(self) -> str:
        """Where the question comes from: "p. 12, Chapter 3 › Resources" ("" when unknown)."""
        parts = [f"p. {self.source_page}"] if self.source_page is not None else []
        if self.source_section:
            parts.append(self.source_section)
        return ", ".join(parts)

    @property
    def answer(self) -> str:
        """The text of the correct option."""
        return self.options[self.answer_index]

    @property
    def answer_letter(self) -> str:
        """"A", "B", "C" or "D"."""
        return "ABCD"[self.answer_index]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(**_known_fields(cls, data))


@dataclasses.dataclass
class Test:
    """A generation request and its outcome, as stored (mcqgen::Test).

    ``questions`` is filled by ``Generator.generate`` and ``Generator.resume``; it is empty in
    what ``Storage.test``, ``Storage.find_test`` and ``Storage.tests`` return (as in C++, where
    a Test has no questions: read them with ``Storage.questions``).
    """

    __test__ = False  # not a test case, whatever a test runner thinks of the name

    id: str
    status: Status
    target_questions: int
    questions_generated: int
    progress: float
    message: str
    error: Optional[ErrorCode]  #: the dominant failure (partial or failed), or None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    requests: int = 0
    estimated_cost_usd: float = 0.0
    #: input, cached, cache-write and output tokens and the cost divided by the accepted
    #: questions (zeros when there is none): what one question cost
    per_question: dict[str, float] = dataclasses.field(default_factory=dict)
    candidates_generated: int = 0
    candidates_rejected: int = 0
    rejections: dict[str, int] = dataclasses.field(default_factory=dict)
    seed: int = 0
    provider: str = ""
    created_at: str = ""
    updated_at: str = ""
    questions: list[Question] = dataclasses.field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any], questions: Optional[list[Any]] = None) -> Test:
        fields = _known_fields(cls, data)
        fields["status"] = Status(fields["status"])
        error = fields.get("error")
        fields["error"] = code_for_name(error) if error else None
        fields["seed"] = int(fields.get("seed", 0))
        fields["questions"] = [Question.from_json(q) for q in questions or []]
        return cls(**fields)

    def raise_for_status(self) -> None:
        """Raises the mapped mcqgen.Error when the run ended short because of a failure
        (a partial or failed test with an ``error``); does nothing otherwise."""
        if self.error is not None and self.status in (Status.PARTIAL, Status.FAILED):
            raise error_for_code(self.error, self.message)


@dataclasses.dataclass(frozen=True)
class Progress:
    """A progress event: when a run starts, after each question is stored, when it ends."""

    test_id: str
    created: int  #: questions stored so far
    target: int  #: questions asked for
    fraction: float  #: created / target
    message: str  #: "3 of 10 questions created"
    status: Status
    question: Optional[Question]  #: the question just stored, or None

    @classmethod
    def _from_c(cls, event: _capi.ProgressEvent) -> Progress:
        question = None
        if event.question_json:
            question = Question.from_json(json.loads(event.question_json.decode("utf-8")))
        return cls(
            test_id=_capi.text(event.test_id),
            created=event.created,
            target=event.target,
            fraction=event.fraction,
            message=_capi.text(event.message),
            status=_STATUS_BY_C_VALUE[event.status],
            question=question,
        )


def _known_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    # Fields a newer library adds are ignored rather than breaking older bindings.
    names = {f.name for f in dataclasses.fields(cls)}
    return {key: value for key, value in data.items() if key in names}
