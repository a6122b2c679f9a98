"""Maximum lengths of free text, enforced at the service layer (issue 18, ASVS 2.2.1).

SQLite does not enforce a column's length (a 100,000-character organization name was
stored) and PostgreSQL answers an over-long value with an error (a 500). Services check the
text they are given before writing, and say in Vietnamese which field is too long:

* ``check_lengths(Model, name=..., note=...)`` in a service, before it writes: the model's
  ``max_length`` for a CharField, ``TEXT_MAX_LENGTH`` for a TextField; raises
  ``RuleViolation`` (422 in the API, the form's field on a page).
* ``guard_text_lengths``, connected to ``pre_save`` by ``CoreConfig.ready()`` for the apps in
  ``GUARDED_APPS``, applies the same limits to every row those apps save (the fields a save
  writes), so a service that does not call ``check_lengths`` is still refused before the
  database sees the value. ``bulk_create`` and ``QuerySet.update`` do not send the signal:
  code writing user text that way calls ``check_lengths`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models

from dangbo.core.violations import Violation, input_violation, refuse_if

TEXT_MAX_LENGTH = 5000
# The apps whose rows hold text people type (app labels: core imports none of them).
GUARDED_APPS = frozenset(
    {"orgs", "members", "candidates", "discipline", "meetings", "restructuring", "reference", "auth"}
)


def text_limit(field) -> int | None:
    if isinstance(field, models.TextField):
        return field.max_length or TEXT_MAX_LENGTH
    if isinstance(field, models.CharField):
        return field.max_length
    return None


def _label(field) -> str:
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:] if name != field.name.replace("_", " ") else "Nội dung nhập"


def _too_long(field, value, form_field: str) -> Violation | None:
    limit = text_limit(field)
    if limit is None or not isinstance(value, str) or len(value) <= limit:
        return None
    return input_violation(
        form_field, f"{_label(field)} dài {_number(len(value))} ký tự, quá giới hạn {_number(limit)} ký tự."
    )


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def length_violations(
    model: type[models.Model], values: Mapping[str, object], *, fields: Mapping[str, str] | None = None
) -> list[Violation]:
    """A violation for each value longer than its model field allows. ``fields`` maps a model
    field to the form or API field to report it on (default: the same name)."""
    found = []
    for name, value in values.items():
        violation = _too_long(model._meta.get_field(name), value, (fields or {}).get(name, name))
        if violation:
            found.append(violation)
    return found


def check_lengths(model: type[models.Model], /, **values: object) -> None:
    refuse_if(length_violations(model, values))


def instance_length_violations(instance: models.Model, names: Iterable[str] | None = None) -> list[Violation]:
    wanted = set(names) if names is not None else None
    found = []
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.name not in wanted and field.attname not in wanted:
            continue
        violation = _too_long(field, getattr(instance, field.attname, None), field.name)
        if violation:
            found.append(violation)
    return found


def guard_text_lengths(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """``pre_save`` receiver: refuse a row of a guarded app with an over-long text."""
    if raw or sender._meta.app_label not in GUARDED_APPS:
        return
    refuse_if(instance_length_violations(instance, update_fields))
