from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from pagecache.decorators import public_page

from . import staff, views

app_name = "api"

urlpatterns = [
    path("", public_page(views.ApiRootView.as_view()), name="root"),
    path("articles/", public_page(views.ArticleListView.as_view()), name="article-list"),
    path("articles/<int:pk>/", public_page(views.ArticleDetailView.as_view()), name="article-detail"),
    path("", include("live.api_urls")),
    path("themes/", public_page(views.ThemeListView.as_view()), name="theme-list"),
    path("themes/<uslug:slug>/", public_page(views.ThemeDetailView.as_view()), name="theme-detail"),
    path("authors/", public_page(views.AuthorListView.as_view()), name="author-list"),
    path("authors/<uslug:slug>/", public_page(views.AuthorDetailView.as_view()), name="author-detail"),
    path("tags/", public_page(views.TagListView.as_view()), name="tag-list"),
    path("search/", public_page(views.SearchView.as_view()), name="search"),
    path("schema/", public_page(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]

staff_patterns = [
    path("staff/articles/", staff.StaffArticleListView.as_view(), name="staff-article-list"),
    path("staff/articles/<int:pk>/", staff.StaffArticleDetailView.as_view(), name="staff-article-detail"),
    path("staff/articles/<int:pk>/steps/", staff.StepView.as_view(), name="staff-article-steps"),
    path("staff/workflow/", staff.WorkflowView.as_view(), name="staff-workflow"),
    path("staff/images/", staff.ImageUploadView.as_view(), name="staff-images"),
]
urlpatterns += staff_patterns
