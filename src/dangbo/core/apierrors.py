"""How the API reports a service's refusal: 422 with every violation, by field."""

from __future__ import annotations

from dangbo.core.violations import RuleViolation


def refusal(error: RuleViolation) -> tuple[int, dict]:
    """(422, {"detail", "errors": {field: [message (citation), ...]}}) for ``ninja.Status``."""
    errors: dict[str, list[str]] = {}
    for violation in error.violations:
        errors.setdefault(violation.field or "__all__", []).append(str(violation))
    return 422, {"detail": "Không ghi nhận được.", "errors": errors}


# --- the framework's own validation (django-ninja, pydantic): 422 in Vietnamese ------------------

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) → Vietnamese;
# {…} are filled from the error's ``ctx``.
_MESSAGES = {
    "missing": "Thiếu trường bắt buộc.",
    "string_type": "Phải là chuỗi ký tự.",
    "string_too_short": "Phải có ít nhất {min_length} ký tự.",
    "string_too_long": "Nhiều nhất {max_length} ký tự.",
    "string_pattern_mismatch": "Không đúng định dạng.",
    "int_type": "Phải là số nguyên.",
    "int_parsing": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên, không có phần thập phân.",
    "float_type": "Phải là số.",
    "float_parsing": "Phải là số.",
    "decimal_parsing": "Phải là số.",
    "bool_type": "Phải là đúng hoặc sai (true/false).",
    "bool_parsing": "Phải là đúng hoặc sai (true/false).",
    "greater_than": "Phải lớn hơn {gt}.",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}.",
    "less_than": "Phải nhỏ hơn {lt}.",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}.",
    "date_type": "Phải là ngày (YYYY-MM-DD).",
    "date_parsing": "Phải là ngày (YYYY-MM-DD).",
    "date_from_datetime_parsing": "Phải là ngày (YYYY-MM-DD).",
    "date_from_datetime_inexact": "Phải là ngày, không kèm giờ.",
    "datetime_type": "Phải là thời điểm (ISO 8601).",
    "datetime_parsing": "Phải là thời điểm (ISO 8601).",
    "datetime_from_date_parsing": "Phải là thời điểm (ISO 8601).",
    "uuid_type": "Phải là mã UUID.",
    "uuid_parsing": "Phải là mã UUID.",
    "enum": "Phải là một trong các giá trị: {expected}.",
    "literal_error": "Phải là một trong các giá trị: {expected}.",
    "list_type": "Phải là danh sách.",
    "too_short": "Phải có ít nhất {min_length} phần tử.",
    "too_long": "Nhiều nhất {max_length} phần tử.",
    "dict_type": "Phải là đối tượng JSON.",
    "model_type": "Phải là đối tượng JSON.",
    "model_attributes_type": "Phải là đối tượng JSON.",
    "json_invalid": "Nội dung gửi lên không phải JSON hợp lệ.",
    "json_type": "Nội dung gửi lên không phải JSON hợp lệ.",
    "extra_forbidden": "Trường này không được phép.",
    "value_error": "Giá trị không hợp lệ.",
    "none_required": "Phải để trống.",
}
FALLBACK = "Giá trị không hợp lệ."
_PLACES = {
    "body": "nội dung",
    "query": "tham số",
    "path": "đường dẫn",
    "header": "tiêu đề",
    "form": "biểu mẫu",
}


def _message(error: dict) -> str:
    template = _MESSAGES.get(str(error.get("type", "")), FALLBACK)
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return FALLBACK


def validation_refusal(errors: list[dict]) -> tuple[int, dict]:
    """(422, {"detail": [{"loc", "type", "msg"}, ...], "errors": {field: [message, ...]}}) for the
    framework's validation errors: the same shape as ``refusal`` (``errors`` by field) plus
    ninja's ``detail`` list, every message in Vietnamese, the location kept."""
    detail: list[dict] = []
    by_field: dict[str, list[str]] = {}
    for error in errors:
        loc = list(error.get("loc", ()))
        field = next(
            (str(part) for part in reversed(loc) if isinstance(part, str) and part not in _PLACES), ""
        )
        message = _message(error)
        detail.append({"loc": loc, "type": error.get("type", ""), "msg": message})
        by_field.setdefault(field or "__all__", []).append(message)
    return 422, {"detail": detail, "errors": by_field}
