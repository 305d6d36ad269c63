"""Conditions on transitions that can say why they are unmet.

django-fsm calls a condition with the instance and wants a bool. A ``Condition`` is also that,
but keeps the function that explains itself, so the UI and the API can both show
"3 of 5 agencies have not submitted: Police, GP, Education" instead of a bare refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
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


# --- facts read once per step -------------------------------------------------------------------
# A step's permission and conditions each ask the database a small yes/no question. The caller of
# the runner may read all of them in one query (``run_transition(load=...)``), under the row lock
# and so as fresh as asking one by one; the checks then ask ``fact`` before querying. The facts are
# held on the instance only while the runner checks the step, never afterwards, so nothing else
# (a page built from the returned object, a later step) can read a stale answer.

_FACTS = "_workflow_step_facts"


def fact(instance: Any, key: Hashable) -> Any:
    """What this step's ``load`` read for ``key`` under the lock; None when it did not (query instead)."""
    facts = vars(instance).get(_FACTS)
    return None if facts is None else facts.get(key)


@contextmanager
def facts_held(instance: Any, facts: Mapping[Hashable, Any]) -> Iterator[None]:
    """Hold ``facts`` on ``instance`` for the checks inside the block, and drop them after it."""
    vars(instance)[_FACTS] = facts
    try:
        yield
    finally:
        vars(instance).pop(_FACTS, None)
