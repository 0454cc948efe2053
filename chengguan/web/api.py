"""The JSON API root (django-ninja, OpenAPI at /api/openapi.json).

Edges only: each app's api.py parses input and calls selectors and services; domain errors
become 4xx answers with a message a person can read, never a 500.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

import chengguan
from chengguan.accounts.api import bearer
from chengguan.accounts.api import router as accounts_router
from chengguan.core.errors import DomainError

api = NinjaAPI(
    title="Chengguan API",
    version=chengguan.__version__,
    description="城管平台接口：区划、机构、网格与定位。登录后使用：浏览器用会话认证（写操作需 CSRF 令牌）；"
    "移动应用用 POST /api/auth/token 换取的令牌，以请求头 Authorization: Bearer <token> 认证（无须 CSRF 令牌）。",
    # The bearer token first: a request that presents one is judged by it alone.
    auth=[bearer, django_auth],
    urls_namespace="api",
)


def error_message(error: DomainError) -> str:
    message = gettext(error.message)
    return message % error.params if error.params else message


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"detail": error_message(exc)}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": gettext("没有权限执行此操作")}, status=403)


@api.exception_handler(AuthenticationError)
def not_signed_in(request, exc):
    return api.create_response(request, {"detail": gettext("请先登录")}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja's own refusals, in words a person reads: a failed CSRF check is a stale page
    or a script without the token (ninja says only "CSRF check Failed")."""
    if exc.status_code == 403 and "csrf" in str(exc).lower():
        # `code` lets an app tell "sign in again" from a refusal of the action itself.
        body = {
            "detail": gettext("页面已过期或缺少 CSRF 令牌，请刷新页面后重试"),
            "code": "csrf_failed",
        }
    else:
        body = {"detail": gettext("请求无法处理（%(status)s）") % {"status": exc.status_code}}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    problems = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": gettext("输入有误，请检查后重试"), "errors": problems}, status=422
    )


from chengguan.cases.api import router as cases_router  # noqa: E402
from chengguan.kpi.api import router as kpi_router  # noqa: E402
from chengguan.org.api import router as org_router  # noqa: E402  (routers need `api` defined)
from chengguan.penalties.api import router as penalties_router  # noqa: E402
from chengguan.workforce.api import router as workforce_router  # noqa: E402

api.add_router("/auth/", accounts_router)
api.add_router("/org/", org_router)
api.add_router("/cases/", cases_router)
api.add_router("/workforce/", workforce_router)
api.add_router("/penalties/", penalties_router)
api.add_router("/kpi/", kpi_router)
