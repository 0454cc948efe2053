"""Users: Django auth with a UUIDv7 key and the scope (region, agency) a user works in."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chengguan.core.ids import uuid7
from chengguan.core.models import UUIDModel


class User(AbstractUser):
    """A person using the platform. Roles are Django groups named after `roles.Role`.

    `region` bounds what the user sees (the city sees everything, a district its own
    territory, a street its street); `agency` is the body they work for.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("工作辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class ApiToken(UUIDModel):
    """A bearer token a native app holds instead of a session cookie (one per device).

    Only the SHA-256 of the token is kept: a copy of the table lets nobody sign in. A token
    dies when it expires, when it is revoked (the app signs out, or the phone is lost) or
    when its user is deactivated.
    """

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("设备名称"), max_length=100)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("签发时间"), editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"
