"""Users: Django auth with a UUIDv7 key and the scope (region, agency) a user works in."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chengguan.core.ids import uuid7


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
