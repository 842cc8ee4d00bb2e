from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from articles.views import ArticleListMixin
from pagecache.decorators import public_page

from .models import Theme


@method_decorator(public_page, name="dispatch")
class ThemeListView(ListView):
    template_name = "themes/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return Theme.objects.active()


@method_decorator(public_page, name="dispatch")
class ThemeDetailView(ArticleListMixin, ListView):
    template_name = "themes/theme_detail.html"

    def get_queryset(self):
        self.theme = get_object_or_404(Theme, slug=self.kwargs["slug"])
        return self.articles().filter(theme=self.theme)

    def get_context_data(self, **kwargs):
        return super().get_context_data(theme=self.theme, **kwargs)
