"""Screenshots of the public pages at three widths, light and dark, into docs/screenshots/.

    .venv/bin/python docs/screenshots/shoot.py http://127.0.0.1:9300 ARTICLE_PATH WITHDRAWN_PATH

Against the demo newsroom (`loaddemo`, then demo_extras.py). Viewport-sized JPEGs, plus the
whole article page in light mode, so the set stays small enough to keep in the repository."""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
SIZES = {"desktop": (1366, 900), "tablet": (768, 1024), "phone": (390, 844)}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main(base, article, withdrawn):
    pages = {
        "home": "/",
        "article": article,
        "theme": "/themes/" + article.split("/themes/")[-1] if "/themes/" in article else None,
        "search": "/search/?q=harbour",
        "404": "/no-such-page/",
        "410": withdrawn,
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=ARGS)
        theme = None
        for size, (width, height) in SIZES.items():
            for scheme in ("light", "dark"):
                context = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=scheme, bypass_csp=True
                )
                page = context.new_page()
                if theme is None:
                    page.goto(base + article)
                    theme = page.locator(".kicker a").first.get_attribute("href")
                pages["theme"] = theme
                for name, path in pages.items():
                    page.goto(base + path)
                    page.screenshot(path=HERE / f"{name}-{size}-{scheme}.jpg", type="jpeg", quality=72)
                    if name == "article" and scheme == "light":
                        for image in page.locator("img").all():  # lazy pictures load when scrolled to
                            image.scroll_into_view_if_needed()
                        page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth)")
                        page.evaluate("window.scrollTo(0, 0)")
                        page.screenshot(path=HERE / f"article-{size}-full.jpg", type="jpeg", quality=60, full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
