from django.urls import path

from xuanren.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/scores/", views.round_scores, name="round_scores"),
    path("<int:pk>/export.xlsx", views.round_xlsx, name="round_xlsx"),
    path("<int:pk>/grid.xlsx", views.grid_template_xlsx, name="grid_template"),
    path("<int:pk>/grid/", views.grid_upload, name="grid_upload"),
    path("<int:pk>/cadres/<int:aid>/", views.assessed_page, name="assessed"),
    path("<int:pk>/cadres/<int:aid>/register.docx", views.register_download, name="register_docx"),
]
