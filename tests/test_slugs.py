import pytest
from django.core.exceptions import ValidationError

from articles.models import Article, Status


def test_slug_is_made_from_the_headline_and_kept_unique(make_article):
    first = make_article("Tram line opens to the harbour")
    second = make_article("Tram line opens to the harbour!")
    assert first.slug == "tram-line-opens-to-the-harbour"
    assert second.slug == "tram-line-opens-to-the-harbour-2"


def test_slug_can_change_before_publication(make_article):
    draft = make_article("Draft story", status=Status.DRAFT, publish_at=None)
    draft.slug = "better-address"
    draft.full_clean()


def test_slug_cannot_change_after_publication(make_article):
    live = make_article("Live story")
    live.slug = "changed-address"
    with pytest.raises(ValidationError, match="cannot change"):
        live.full_clean()
    assert Article.objects.get(pk=live.pk).slug == "live-story"
