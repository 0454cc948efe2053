from django.urls import path

from chengguan.intake import views

app_name = "intake"
urlpatterns = [
    path("12345/work-orders", views.work_order_12345, name="work_order_12345"),
    path("110/transfers", views.transfer_110, name="transfer_110"),
]
