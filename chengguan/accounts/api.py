"""HTTP API for signing in native apps: one bearer token per device, instead of a session.

A phone app cannot live with the web's session: it idles out after 30 minutes and every
write needs the CSRF token of a page the app never loads. So the app trades the user's
password for a token once (`POST /api/auth/token`, through `authenticate`, so the lock-out
after repeated failures applies exactly as on the login page) and sends it as
`Authorization: Bearer <token>`. CSRF protects cookies a browser sends by itself; a
bearer header is never sent by itself, so bearer requests need no CSRF token.

Only the token's SHA-256 is stored: a copy of the table signs nobody in (the writes are
`api_token_issue` / `api_token_revoke` in accounts.services).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
from ninja import Router, Schema
from ninja import Status as Reply
from ninja.security import HttpBearer
from pydantic import Field

from chengguan.accounts.models import ApiToken
from chengguan.accounts.services import api_token_digest, api_token_issue, api_token_revoke
from chengguan.core.errors import DomainError, gettext_noop

router = Router(tags=["登录"])

# A token in steady use is written back at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


class SignInRefused(DomainError):
    """Wrong, expired or revoked credentials: the app should ask the person to sign in."""

    status_code = 401


class LockedOut(DomainError):
    """Too many failed sign-ins (django-axes): wait for the cool-off or ask for an unlock."""

    status_code = 429


# ---------------------------------------------------------------- authentication


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user becomes `request.user`.

    A presented but bad token is refused outright (401) rather than falling back to the
    session: the app must learn that its token is dead.
    """

    def authenticate(self, request, token: str) -> ApiToken:
        now = timezone.now()
        row = (
            ApiToken.objects.select_related("user").filter(key_hash=api_token_digest(token)).first()
        )
        if (
            row is None
            or row.revoked_at is not None
            or row.expires_at <= now
            or not row.user.is_active
        ):
            raise SignInRefused(gettext_noop("登录令牌无效、已过期或已吊销，请重新登录"))
        if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row


bearer = BearerToken()


# ---------------------------------------------------------------- endpoints


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明（可直接展示给用户）")


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, description="用户名")
    password: str = Field(..., min_length=1, max_length=128, description="密码")
    device: str = Field(
        ...,
        max_length=100,
        pattern=r"\S",
        description="设备名称，如“张监督的手机”，便于日后吊销",
    )


class TokenOut(Schema):
    token: str = Field(..., description="登录令牌：只在此返回一次，请妥善保存在设备上")
    token_type: str = Field("Bearer", description="请求头写法：Authorization: Bearer <token>")
    device: str = Field(..., description="设备名称")
    expires_at: datetime = Field(..., description="到期时间（北京时间 +08:00），到期后须重新登录")


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="用户名密码换取登录令牌（移动应用）",
    description="无须登录与 CSRF 令牌。连续登录失败达到上限后账号被临时锁定，返回 429。"
    "令牌有效期 30 天，之后的请求以请求头 Authorization: Bearer <token> 认证（无须 CSRF 令牌）。",
)
def token_issue(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Answered here in JSON; left set, axes' middleware would send its HTML page.
            request.axes_locked_out = False
            raise LockedOut(
                gettext_noop(
                    "登录失败次数过多，账号已被临时锁定。请 %(minutes)s 分钟后再试，或联系安全管理员解锁。"
                ),
                minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            )
        raise SignInRefused(gettext_noop("用户名或密码不正确"))
    # A sign-in like the login page's: axes forgets earlier failures, last_login moves.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    row, token = api_token_issue(user=user, name=payload.device)
    return Reply(
        201,
        TokenOut(
            token=token,
            device=row.name,
            expires_at=timezone.localtime(row.expires_at, timezone.get_default_timezone()),
        ),
    )


@router.delete(
    "/token",
    auth=bearer,
    response={204: None, 401: ErrorOut},
    summary="吊销本次请求所用的登录令牌（退出登录）",
    description="以 Authorization: Bearer <token> 调用；之后该令牌不再可用。",
)
def token_revoke(request):
    api_token_revoke(token_id=request.auth.pk, actor=request.user)
    return Reply(204, None)
