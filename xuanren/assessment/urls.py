from django.urls import path

from xuanren.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/scores/", views.round_scores, name="round_scores"),
    path("<int:pk>/cadres/<int:aid>/", views.assessed_page, name="assessed"),
    path("<int:pk>/cadres/<int:aid>/register.docx", views.register_download, name="register_docx"),
]
