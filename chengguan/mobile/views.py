"""The inspectors' mobile web app (PWA): one page, its manifest and its service worker.

The page is an app shell: it talks to the JSON API (`/api/cases/...`) and keeps reports
made without a network on the phone until they are sent. The service worker caches the
shell (this page and its static files) so the app opens in a basement car park; it never
caches an API answer.
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of
from chengguan.cases.services import MAX_PHOTOS

# What the service worker keeps for the app to open offline, besides the page itself.
SHELL_FILES = (
    "mobile/app.css",
    "mobile/app.js",
    "mobile/outbox.js",
    "mobile/icons/icon-192.png",
    "mobile/icons/icon-512.png",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
)
APP_TEMPLATE = Path(__file__).parent / "templates" / "mobile" / "app.html"
THEME_COLOUR = "#1d4ed8"

# The words the page's script shows (translated here, as the script has no gettext).
TEXT = {
    "online": gettext_lazy("在线"),
    "offline": gettext_lazy("离线"),
    "locating": gettext_lazy("正在定位…"),
    "accuracy": gettext_lazy("精度约 ±%(m)s 米"),
    "no_location": gettext_lazy("无法获取位置：%(reason)s。可在地图上点选位置"),
    "location_denied": gettext_lazy("未允许定位"),
    "pin_moved": gettext_lazy("已手动调整位置"),
    "choose_location": gettext_lazy("请先获取或在地图上点选位置"),
    "choose_category": gettext_lazy("请选择问题类别"),
    "describe": gettext_lazy("请填写问题描述"),
    "too_many_photos": gettext_lazy("最多 %(n)s 张照片"),
    "remove": gettext_lazy("删除"),
    "recent": gettext_lazy("最近使用"),
    "categories_offline": gettext_lazy("离线：使用上次保存的类别目录"),
    "categories_missing": gettext_lazy("类别目录尚未下载，请联网后打开一次本应用"),
    "draft_saved": gettext_lazy("已存草稿"),
    "queued": gettext_lazy("已保存在手机上，联网后自动发送"),
    "sent": gettext_lazy("已上报，案卷号 %(number)s"),
    "state_draft": gettext_lazy("草稿"),
    "state_queued": gettext_lazy("待发送"),
    "state_sending": gettext_lazy("发送中"),
    "state_failed": gettext_lazy("需修改"),
    "state_login": gettext_lazy("需重新登录"),
    "state_other_user": gettext_lazy("属于用户 %(user)s，请以该账号登录后发送"),
    "login_again": gettext_lazy("登录已失效：请重新登录，待发送的上报会自动发出"),
    "edit": gettext_lazy("修改"),
    "send": gettext_lazy("发送"),
    "delete": gettext_lazy("删除"),
    "confirm_delete": gettext_lazy("删除这条上报？照片也会一并删除。"),
    "outbox_empty": gettext_lazy("没有待发送的上报"),
    "sent_empty": gettext_lazy("还没有已发送的上报"),
    "photos": gettext_lazy("%(n)s 张照片"),
    "made_at": gettext_lazy("填报于 %(time)s"),
    "retry_note": gettext_lazy("上次尝试：%(time)s，%(reason)s"),
    "network_error": gettext_lazy("网络不通"),
    "server_error": gettext_lazy("服务器暂时无法处理（%(status)s）"),
    "tasks_locating": gettext_lazy("正在定位，查找附近任务…"),
    "tasks_offline": gettext_lazy("离线：联网后才能查看附近任务"),
    "tasks_none": gettext_lazy("%(km)s 公里内没有待核实或待核查的案卷"),
    "tasks_count": gettext_lazy("附近 %(n)s 项任务（最近的在前）"),
    "metres": gettext_lazy("%(m)s 米"),
    "kilometres": gettext_lazy("%(km)s 公里"),
    "due": gettext_lazy("时限 %(time)s"),
    "overdue": gettext_lazy("已超时"),
    "open_case": gettext_lazy("打开案卷"),
    "no_tiles": gettext_lazy("未配置底图：以定位坐标为准，可点选地图微调"),
    "coords": gettext_lazy("经度 %(lon)s，纬度 %(lat)s"),
    "kind_component": gettext_lazy("部件"),
    "kind_matter": gettext_lazy("事件"),
    "login": gettext_lazy("重新登录"),
}


@login_required
@ensure_csrf_cookie  # the script reads the token from the cookie for every send
@never_cache
@require_GET
def app(request):
    """The app shell. Served fresh when online; the service worker keeps a copy for offline."""
    user = request.user
    return render(
        request,
        "mobile/app.html",
        {
            "text": {key: str(value) for key, value in TEXT.items()},
            "is_inspector": Role.INSPECTOR in roles_of(user),
            "max_photos": MAX_PHOTOS,
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
            "theme_colour": THEME_COLOUR,
        },
    )


@require_GET
def manifest(request):
    """The web app manifest (no sign-in: browsers fetch it without cookies)."""
    icons = [
        {"src": static("mobile/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("mobile/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("mobile/icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    start = reverse("mobile:app")
    body = {
        "id": start,
        "name": gettext("城管巡查"),
        "short_name": gettext("城管巡查"),
        "description": gettext("监督员巡查：附近任务、拍照上报，离线也能上报"),
        "lang": get_language(),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f8fafc",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def service_worker(request):
    """The service worker script, from /m/ so that its scope is /m/ without any header.

    Its text carries the shell's URLs and a version made from their content: when a file
    changes, the script changes, the browser installs it and the old cache is dropped.
    """
    page = reverse("mobile:app")
    files = [static(name) for name in SHELL_FILES]
    script = render_to_string(
        "mobile/sw.js",
        {"version": _shell_version(), "page": json.dumps(page), "files": json.dumps(files)},
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # let an update reach phones at once
    return response


def _shell_version() -> str:
    digest = hashlib.sha256()
    for path in [*(finders.find(name) for name in SHELL_FILES), APP_TEMPLATE]:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]
