"""Reading one value a person typed: an ET_* variable (the rules in config.py, the other
settings in settings.py) or a command-line number. One rule for all of them: a blank
variable is an unset one, a number must be finite and in its range, a choice one of its
values; what is not says so, naming the variable and the value (SettingError).

A module of its own so that config.py, a rule module of every asset (test_code_versions),
does not also make the non-rule settings rule modules.
"""
import math
from typing import Mapping, get_args


class SettingError(ValueError):
    """An ET_* variable that cannot be used, named with its value."""


def given(env: Mapping[str, str], variable: str) -> str | None:
    """The variable's value without surrounding blanks, None when unset or blank."""
    text = env.get(variable)
    return None if text is None or not text.strip() else text.strip()


def number_problem(text: str, *, low: float = 0.0, high: float = math.inf, whole: bool = False
                   ) -> tuple[float | None, str | None]:
    """(the number, None), or (None, why not: "is not a number", "is not between 1 and 60")."""
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        return None, "is not a %s" % ("whole number" if whole else "number")
    if not (math.isfinite(value) and low <= value <= high):
        return None, "is not %s" % ("a number >= %g" % low if high == math.inf else "between %g and %g" % (low, high))
    return value, None


def number_setting(env: Mapping[str, str], variable: str, default: float, *, low: float = 0.0,
                   high: float = math.inf, whole: bool = False) -> float:
    """A finite number in [low, high] (a whole one when `whole`), the default when blank."""
    text = given(env, variable)
    if text is None:
        return default
    value, problem = number_problem(text, low=low, high=high, whole=whole)
    if problem:
        raise SettingError("%s=%r %s" % (variable, text, problem))
    return value


def choice_setting(env: Mapping[str, str], variable: str, choices, default: str) -> str:
    """One of `choices` (a Literal's values), the default when blank."""
    text = given(env, variable)
    if text is None:
        return default
    if text not in get_args(choices):
        raise SettingError("%s=%r is not one of %s" % (variable, text, ", ".join(get_args(choices))))
    return text
