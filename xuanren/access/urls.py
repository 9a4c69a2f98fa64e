from django.urls import path

from xuanren.access import views

app_name = "access"

urlpatterns = [
    path("2fa/", views.otp_setup, name="otp_setup"),
    path("2fa/qr.svg", views.otp_qr, name="otp_qr"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("records/", views.access_records, name="records"),
]
