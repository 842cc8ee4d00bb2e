from django.urls import path

from . import views

app_name = "themes"

urlpatterns = [
    path("", views.ThemeListView.as_view(), name="index"),
    path("<uslug:slug>/", views.ThemeDetailView.as_view(), name="detail"),
]
