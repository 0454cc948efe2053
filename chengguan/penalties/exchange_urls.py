"""Mounted at exchange/payments/: the bank's and e-payment system's confirmations."""

from django.urls import path

from chengguan.penalties import exchange

app_name = "payment_exchange"
urlpatterns = [
    path("confirmations", exchange.payment_confirmation, name="confirmations"),
]
