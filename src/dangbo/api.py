"""The REST API (django-ninja, OpenAPI 3.1, documentation at /api/docs served locally)."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.errors import ValidationError

from dangbo.accounts.api_auth import ReadOnlyKey, SessionWithScope, TokenAuth
from dangbo.accounts.ratelimit import RateLimited
from dangbo.candidates.api import router as candidates_router
from dangbo.core.apierrors import refusal, validation_refusal
from dangbo.core.violations import NotInScope, RuleViolation
from dangbo.discipline.api import router as discipline_router
from dangbo.dues.api import router as dues_router
from dangbo.meetings.api import router as meetings_router
from dangbo.members.api import router as members_router
from dangbo.members.org_api import router as orgs_router
from dangbo.members.standing_api import router as standing_router
from dangbo.members.transfer_api import router as transfer_router
from dangbo.ratings.api import router as ratings_router
from dangbo.stats.api import router as stats_router

api = NinjaAPI(
    title="dangbo API",
    version="1",
    description=(
        "Tổ chức đảng và đảng viên trong phạm vi của người gọi. Xác thực bằng phiên đăng nhập của trình duyệt "
        "hoặc khóa API (Authorization: Bearer …). Khóa «chỉ đọc» bị từ chối (403) ở mọi yêu cầu thay đổi dữ liệu "
        "(POST, PUT, PATCH, DELETE). Mỗi khóa và mỗi địa chỉ gọi được một số lần mỗi phút; quá giới hạn, API trả 429 "
        "với tiêu đề Retry-After. Mọi lần đọc hồ sơ, danh sách, tìm kiếm đều được ghi nhật ký."
    ),
    auth=[TokenAuth(), SessionWithScope()],
    urls_namespace="api",
)
api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)
api.add_router("/", standing_router)
api.add_router("/", candidates_router)
api.add_router("/", discipline_router)
api.add_router("/", transfer_router)
api.add_router("/", stats_router)
api.add_router("/", meetings_router)
api.add_router("/", dues_router)
api.add_router("/", ratings_router)


@api.exception_handler(RuleViolation)
def refused(request, exc):
    """A service refused the change: 422 with every violation by field (core.apierrors)."""
    status, body = refusal(exc)
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    """The request does not fit the schema: 422, every message in Vietnamese (core.apierrors)."""
    status, body = validation_refusal(exc.errors)
    return api.create_response(request, body, status=status)


@api.exception_handler(NotInScope)
def not_in_scope(request, exc):
    return api.create_response(request, {"detail": "Không tìm thấy trong phạm vi của người gọi."}, status=404)


@api.exception_handler(ReadOnlyKey)
def read_only_key(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
