"""Mounted at /rotation/ (docs/decisions/0175–0178)."""

from django.urls import path

from xuanren.rotation import views

app_name = "rotation"

urlpatterns = [
    path("", views.alert_list, name="alerts"),
    path("alerts.xlsx", views.alert_xlsx, name="alerts_xlsx"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("cadres/<int:cadre>/exchanges/new/", views.exchange_new, name="exchange_new"),
    path("exchanges/<int:pk>/correct/", views.exchange_correct, name="exchange_correct"),
    path("exchanges/<int:pk>/withdraw/", views.exchange_withdraw, name="exchange_withdraw"),
    path("plans/entries/<int:pk>/", views.entry_change, name="entry_change"),
]
