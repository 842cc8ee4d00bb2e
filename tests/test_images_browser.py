"""An editor uploads a picture, makes it an article's lead image, and readers see it load."""

import io

import pytest
from PIL import Image as PILImage
from playwright.sync_api import expect

from images.models import Image

PASSWORD = "harbour-lights-2026"


def photograph():
    picture = PILImage.new("RGB", (1400, 900), (20, 60, 120))
    picture.paste((230, 180, 40), (900, 200, 1200, 500))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_lead_image_loads_on_the_public_page(
    page, live_server, settings, tmp_path, django_user_model, make_article
):
    settings.MEDIA_ROOT = tmp_path / "media"
    django_user_model.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    article = make_article("Lanterns return to the quay")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()

    page.goto(f"{live_server.url}/admin/images/image/add/")
    page.set_input_files("#id_file", files=[{"name": "lanterns.jpg", "mimeType": "image/jpeg", "buffer": photograph()}])
    page.fill("#id_title", "Lanterns on the quay")
    page.fill("#id_alt_text", "Paper lanterns hanging over the quay at dusk")
    page.fill("#id_caption", "The lantern walk returned this year.")
    page.fill("#id_credit", "Ben Okafor")
    preview = page.locator(".focal-point-picker img")
    expect(preview).to_be_visible()
    box = preview.bounding_box()
    preview.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    assert 0.7 <= float(page.input_value("#id_focal_x")) <= 0.8
    assert 0.2 <= float(page.input_value("#id_focal_y")) <= 0.3
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    image = Image.objects.get()
    assert image.focal_x == pytest.approx(0.75, abs=0.05)

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    no_picture = page.locator(".share-preview p", has_text="No lead image")
    expect(no_picture).to_be_visible()
    expect(page.locator(".share-preview-image")).to_be_hidden()
    page.locator(".field-lead_image .select2-selection").click()
    page.fill(".select2-search__field", "Lanterns")
    page.locator(".select2-results__option", has_text="Lanterns on the quay").click()
    # The share preview shows the social card's crop of the chosen picture, before saving.
    card = page.locator(".share-preview-image")
    expect(card).to_be_visible()
    expect(card).to_have_attribute("alt", "Social card: Paper lanterns hanging over the quay at dusk")
    page.wait_for_function("() => document.querySelector('.share-preview-image').naturalWidth === 1200")
    expect(no_picture).to_be_hidden()
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    lead = page.locator(".lead-image img")
    expect(lead).to_have_attribute("alt", "Paper lanterns hanging over the quay at dusk")
    assert "640w" in lead.get_attribute("srcset")
    page.wait_for_function("() => { const i = document.querySelector('.lead-image img'); return i.complete; }")
    natural_width, current_src = lead.evaluate("img => [img.naturalWidth, img.currentSrc]")
    assert natural_width > 0
    assert "/media/images/" in current_src and current_src.endswith(".webp")
    expect(page.locator(".lead-image figcaption")).to_contain_text("The lantern walk returned this year.")
