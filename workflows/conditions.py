"""Conditions on transitions that can say why they are unmet.

django-fsm calls a condition with the instance and wants a bool. A ``Condition`` is also that,
but keeps the function that explains itself, so the UI and the API can both show
"3 of 5 agencies have not submitted: Police, GP, Education" instead of a bare refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Explain = Callable[[Any], "str | None"]


class Condition:
    def __init__(self, explain: Explain) -> None:
        self.explain = explain
        self.__name__ = explain.__name__
        self.__doc__ = explain.__doc__

    def __call__(self, instance: Any) -> bool:
        return self.explain(instance) is None

    def __repr__(self) -> str:
        return f"<Condition {self.__name__}>"


def condition(explain: Explain) -> Condition:
    """Decorate a function that returns ``None`` when met, or a plain-English reason when not."""
    return Condition(explain)


def unmet_reasons(instance: Any, conditions: list[Callable[[Any], bool]]) -> list[str]:
    reasons: list[str] = []
    for check in conditions:
        if isinstance(check, Condition):
            reason = check.explain(instance)
            if reason:
                reasons.append(reason)
        elif not check(instance):
            reasons.append(f"Condition {getattr(check, '__name__', check)!s} is not met.")
    return reasons
