"""URLconf for bench/intake.py: the platform's URLs plus the peer, a bare Django view that
inserts one row (an outbox event, through the ORM) and answers 201 with a small JSON body."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chengguan.core.models import OutboxEvent
from config.urls import urlpatterns as platform_urlpatterns

PEER_TOPIC = "bench.peer"


@csrf_exempt
@require_POST
def peer(request):
    event = OutboxEvent.objects.create(topic=PEER_TOPIC, payload=request.POST.dict())
    return JsonResponse({"id": str(event.pk)}, status=201)


urlpatterns = [path("bench/peer", peer, name="bench-peer"), *platform_urlpatterns]
