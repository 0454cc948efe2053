"""Values every page needs: version, the user's roles, calendar warnings for administrators."""

from django.utils import timezone
from django.utils.translation import gettext

import chengguan
from chengguan.accounts.roles import ADMIN_ROLES, ROLE_LABELS
from chengguan.accounts.selectors import roles_of
from chengguan.core.selectors import provisional_years_needing_attention


def platform(request):
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    context = {
        "platform_version": chengguan.__version__,
        "user_roles": sorted(gettext(ROLE_LABELS[r]) for r in roles),
        "user_role_codes": sorted(r.value for r in roles),
        "calendar_warning_years": [],
    }
    if roles & ADMIN_ROLES:
        context["calendar_warning_years"] = provisional_years_needing_attention(
            timezone.localdate().year
        )
    return context
