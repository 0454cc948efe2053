"""Pages shared by the whole platform: home, health check, sign-in, audit ledger."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

import chengguan
from chengguan.accounts.roles import ROLE_LABELS, Role
from chengguan.accounts.selectors import roles_of, scope_of
from chengguan.core.models import LedgerEntry
from chengguan.core.services import ledger_verify
from chengguan.org.selectors import grids_visible, regions_visible


@require_GET
@never_cache
def healthz(request):
    """For load balancers and monitors: answers only when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse(
        {"status": "ok", "database": connection.vendor, "version": chengguan.__version__}
    )


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")


@login_required
def home(request):
    user = request.user
    scope = scope_of(user)
    context = {
        "roles": sorted(ROLE_LABELS[r] for r in roles_of(user)),
        "scope_region": user.region,
        "region_count": regions_visible(user).count(),
        "grid_count": grids_visible(user).count(),
        "city_wide": scope.city_wide,
        "is_inspector": Role.INSPECTOR in roles_of(user),
    }
    return render(request, "web/home.html", context)


@login_required
@permission_required("core.view_ledgerentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def ledger_page(request):
    """Audit admin: read the newest entries and run the chain verification on demand."""
    report = ledger_verify() if request.method == "POST" else None
    entries = LedgerEntry.objects.order_by("-seq")[:100]
    return render(request, "web/ledger.html", {"entries": entries, "report": report})


def forbidden(request, message: str, *, back_url: str = "", back_label: str = ""):
    """The 403 page every console shows: what is refused and why, and a way back."""
    return render(
        request,
        "web/forbidden.html",
        {"message": message, "back_url": back_url, "back_label": back_label},
        status=403,
    )
