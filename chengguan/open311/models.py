"""Registered Open311 clients: who may POST service requests, and as which account."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chengguan.core.models import UUIDModel


class Open311Client(UUIDModel):
    """An integration allowed to POST requests. Only the SHA-256 of its API key is stored;
    the cases it reports are recorded as reported by its service account (an operator)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    api_key_hash = models.CharField(_("API key 摘要（SHA-256）"), max_length=64, unique=True)
    active = models.BooleanField(_("启用"), default=True)
    service_account = models.ForeignKey(
        "accounts.User",
        verbose_name=_("服务账号"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")

    def __str__(self) -> str:
        return self.name
