"""Errors of the Idempotency-Key header: one per condition, naming the header (GEN-6)."""

from __future__ import annotations

from claimdesk.errors import Conflict, ValidationFailed


class IdempotencyKeyMalformed(ValidationFailed):
    code = "idempotency_key_malformed"
    message_zh = "{field}：须为 1 至 255 个可见 ASCII 字符"
    message_en = "{field}: must be 1 to 255 visible ASCII characters"


class IdempotencyKeyMismatch(ValidationFailed):
    code = "idempotency_key_mismatch"
    message_zh = "{field}：该键已用于另一个请求（路径或内容不同），请为新请求使用新的键"
    message_en = (
        "{field}: this key was used for a different request (path or body); "
        "use a new key for a new request"
    )


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    message_zh = "{field}：使用该键的请求尚未完成，请稍后重试"
    message_en = "{field}: the request with this key has not finished; retry later"
