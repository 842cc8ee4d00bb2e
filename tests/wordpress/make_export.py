"""Writes a WordPress export (WXR 1.2) the way WordPress's exporter does: authors, nested
categories with term ids, tags, pages under pages, menu items, attachments with
`_wp_attached_file` served from several hosts (uploads folder, <blog>.files.wordpress.com,
i0.wp.com, resized variants), and any number of ordinary posts after the odd ones (with a page
under About and a menu item for it per hundred posts).

    python tests/wordpress/make_export.py 3000 /tmp/big.xml   # a few thousand posts, for measuring

The site's zone is America/Los_Angeles: post_date is its wall clock, post_date_gmt the moment."""

import sys
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

SITE = ZoneInfo("America/Los_Angeles")
BLOG = "https://harbour-blog.example"


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def dates(moment_utc):
    local = moment_utc.astimezone(SITE)
    return f"{local:%Y-%m-%d %H:%M:%S}", f"{moment_utc:%Y-%m-%d %H:%M:%S}"


def item(
    post_id,
    title,
    *,
    post_type="post",
    status="publish",
    content="",
    name="",
    when=None,
    raw_dates=None,
    creator="ana",
    categories=(),
    tags=(),
    parent=0,
    menu_order=0,
    meta=None,
    attachment_url="",
    link=None,
):
    if raw_dates:
        local, gmt = raw_dates
    elif when:
        local, gmt = dates(when)
    else:
        local, gmt = "0000-00-00 00:00:00", "0000-00-00 00:00:00"
    if link is None:
        link = (
            f"{BLOG}/{local[:4]}/{local[5:7]}/{local[8:10]}/{name}/" if post_type == "post" else f"{BLOG}/?p={post_id}"
        )
    terms = "".join(
        f'<category domain="category" nicename="{slug}">{cdata(label)}</category>' for slug, label in categories
    ) + "".join(f'<category domain="post_tag" nicename="{slug}">{cdata(label)}</category>' for slug, label in tags)
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key><wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in (meta or {}).items()
    )
    return f"""
<item>
  <title>{escape(title)}</title>
  <link>{escape(link)}</link>
  <dc:creator>{cdata(creator)}</dc:creator>
  <guid isPermaLink="false">{BLOG}/?p={post_id}</guid>
  <content:encoded>{cdata(content)}</content:encoded>
  <excerpt:encoded>{cdata("")}</excerpt:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_date>{cdata(local)}</wp:post_date>
  <wp:post_date_gmt>{cdata(gmt)}</wp:post_date_gmt>
  <wp:post_name>{cdata(name)}</wp:post_name>
  <wp:status>{cdata(status)}</wp:status>
  <wp:post_parent>{parent}</wp:post_parent>
  <wp:menu_order>{menu_order}</wp:menu_order>
  <wp:post_type>{cdata(post_type)}</wp:post_type>
  <wp:post_password>{cdata("")}</wp:post_password>
  {f"<wp:attachment_url>{cdata(attachment_url)}</wp:attachment_url>" if attachment_url else ""}
  {terms}{metas}
</item>"""


def attachment(post_id, path, parent, host, *, alt="", title=None):
    return item(
        post_id,
        title or path.rsplit("/", 1)[-1],
        post_type="attachment",
        status="inherit",
        parent=parent,
        menu_order=post_id,
        attachment_url=f"{host}/wp-content/uploads/{path}",
        meta={"_wp_attached_file": path, **({"_wp_attachment_image_alt": alt} if alt else {})},
        link=f"{BLOG}/?attachment_id={post_id}",
    )


def export(posts=0, media_host=BLOG):
    """The export's text: the odd posts of these tests, then `posts` ordinary ones."""
    start = datetime(2009, 5, 16, 6, 30, tzinfo=UTC)  # 23:30 on the 15th in Los Angeles
    wpcom = "https://harbourblog.files.wordpress.com"
    odd_body = (
        "<p>Antidisestablishmentarianismantidisestablishmentarianismantidisestablishmentarianism"
        "_and_a_very_long_address_https://example.org/" + "a" * 120 + "</p>\n"
        "<table><thead><tr><th>Ferry</th><th>Departs</th><th>Arrives</th><th>Notes</th></tr></thead>"
        "<tbody><tr><td>Aurora</td><td>06:15</td><td>07:40</td><td>Not on 29 February</td></tr></tbody></table>\n"
        "<pre><code>def timetable():\n    return [crossing for crossing in crossings if crossing.departs "
        ">= '06:00' and crossing.harbour == 'Київ' and crossing.notes != '東京']</code></pre>\n"
        "<p><del>Cancelled</del> <s>struck</s> text.</p>\n"
        f'[gallery ids="101,102,103"]\n\n'
        f'[caption id="attachment_101" align="alignnone" width="300"]<a href="{wpcom}/2009/05/quay.jpg">'
        f'<img class="size-medium wp-image-101" src="{wpcom}/2009/05/quay.jpg?w=300" alt="" /></a> '
        "The quay at dusk[/caption]\n\n"
        f'<p><img src="https://i0.wp.com/harbourblog.files.wordpress.com/2009/05/ferry-300x200.jpg?resize=300%2C200"'
        ' alt="The ferry"></p>\n'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n"
        '<!-- wp:embed {"url":"https://vimeo.com/22439234","type":"video"} -->\n<figure>https://vimeo.com/22439234'
        "</figure>\n<!-- /wp:embed -->\n"
        '[contact-form to="a@b.example"][/contact-form] [pullquote]A quote[/pullquote] [sic]\n'
    )
    parts = [
        f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Harbour blog</title><link>{BLOG}</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{BLOG}</wp:base_site_url><wp:base_blog_url>{BLOG}</wp:base_blog_url>
<wp:author><wp:author_id>2</wp:author_id><wp:author_login>{cdata("ana")}</wp:author_login>
<wp:author_display_name>{cdata("Ana Reyes")}</wp:author_display_name></wp:author>
<wp:author><wp:author_id>3</wp:author_id><wp:author_login>{cdata("editor")}</wp:author_login>
<wp:author_display_name>{cdata("Олена <b>Коваль</b>")}</wp:author_display_name></wp:author>
<wp:author><wp:author_id>4</wp:author_id><wp:author_login>{cdata("mallory")}</wp:author_login>
<wp:author_display_name>{cdata("<img src=x onerror=alert(1)>")}</wp:author_display_name></wp:author>
<wp:category><wp:term_id>5</wp:term_id><wp:category_nicename>news</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name>{cdata("News")}</wp:cat_name></wp:category>
<wp:category><wp:term_id>6</wp:term_id><wp:category_nicename>local</wp:category_nicename>
<wp:category_parent>news</wp:category_parent><wp:cat_name>{cdata("Local")}</wp:cat_name></wp:category>
<wp:category><wp:term_id>7</wp:term_id><wp:category_nicename>harbour</wp:category_nicename>
<wp:category_parent>local</wp:category_parent><wp:cat_name>{cdata("Harbour &amp; quays")}</wp:cat_name></wp:category>
<wp:category><wp:term_id>8</wp:term_id><wp:category_nicename>sport</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name>{cdata("Sport")}</wp:cat_name></wp:category>
<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>uncategorized</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name>{cdata("Uncategorized")}</wp:cat_name></wp:category>
<wp:tag><wp:term_id>9</wp:term_id><wp:tag_slug>kyiv</wp:tag_slug><wp:tag_name>{cdata("Київ")}</wp:tag_name></wp:tag>
""",
        item(
            10,
            "Late night at the quay",
            name="late-night",
            when=start,
            content=odd_body,
            categories=[("harbour", "Harbour & quays")],
            tags=[("kyiv", "Київ")],
            meta={"_thumbnail_id": "102"},
        ),
        item(
            11,
            "Leap day ferries",
            name="leap-day",
            when=datetime(2012, 2, 29, 12, 0, tzinfo=UTC),
            content="<p>Extra crossings.</p>\n[gallery]",
            categories=[("sport", "Sport")],
            creator="editor",
        ),  # fmt: skip
        item(
            12,
            "Year's end",
            name="years-end",
            when=datetime(2016, 12, 31, 22, 59, 59, tzinfo=UTC),
            content="<p>Fireworks.</p>",
            creator="mallory",
        ),  # fmt: skip
        item(13, "Far future", name="far-future", raw_dates=("2150-01-01 10:00:00", "2150-01-01 18:00:00")),
        item(14, "Year one", name="year-one", raw_dates=("0001-01-01 00:00:00", "0001-01-01 00:00:00")),
        item(15, "Year 9999", name="year-9999", raw_dates=("9999-12-31 23:59:59", "9999-12-31 23:59:59")),
        item(16, "Broken date", name="broken-date", raw_dates=("2009-13-45 25:00:00", "2009-13-45 25:00:00")),
        item(17, "Published without a date", name="no-date", raw_dates=("0000-00-00 00:00:00", "")),
        attachment(101, "2009/05/quay.jpg", 10, BLOG if media_host == BLOG else media_host, alt="The quay at dusk"),
        attachment(102, "2009/05/ferry.jpg", 10, media_host, alt="The ferry leaving"),
        attachment(103, "2009/05/gulls.png", 11, media_host),
        attachment(104, "2009/05/lost.jpg", 11, media_host, alt="Lost"),
        attachment(105, "2009/05/crane.jpg", 11, media_host, alt="A crane"),
        item(
            20,
            "About us",
            post_type="page",
            name="about",
            when=start,
            content="<p>Who we are.</p>",
            link=f"{BLOG}/about/",
        ),  # fmt: skip
        item(
            21,
            "Contact",
            post_type="page",
            name="contact",
            when=start,
            parent=20,
            content="<p>Write to us.</p>",
            link=f"{BLOG}/about/contact/",
        ),  # fmt: skip
        item(
            22,
            "Draft policy",
            post_type="page",
            status="draft",
            name="policy",
            content="<p>Soon.</p>",
            link=f"{BLOG}/?page_id=22",
        ),  # fmt: skip
        item(
            30,
            "About",
            post_type="nav_menu_item",
            when=start,
            meta={"_menu_item_object_id": "20", "_menu_item_object": "page"},
        ),
    ]
    for n in range(posts // 100):  # a page under About, and a menu item for it, per hundred posts
        parts.append(
            item(
                200_000 + n,
                f"Timetable {n}",
                post_type="page",
                name=f"timetable-{n}",
                when=start,
                parent=20,
                content=f"<p>Crossings of season {n}.</p>",
                link=f"{BLOG}/about/timetable-{n}/",
            )
        )
        parts.append(
            item(
                300_000 + n,
                "",
                post_type="nav_menu_item",
                when=start,
                menu_order=n + 2,
                meta={
                    "_menu_item_object_id": str(200_000 + n),
                    "_menu_item_object": "page",
                    "_menu_item_type": "post_type",
                },
            )
        )
    for n in range(posts):
        moment = start + timedelta(hours=7 * n)
        category = [("harbour", "Harbour & quays"), ("sport", "Sport"), ("local", "Local")][n % 3]
        parts.append(
            item(
                1000 + n,
                f"Harbour notes {n}",
                name=f"harbour-notes-{n}",
                when=moment,
                content=f"<p>Note {n} from the harbour.</p>\n<p>Second paragraph {n}.</p>",
                categories=[category],
                creator=["ana", "editor"][n % 2],
            )  # fmt: skip
        )
    parts.append("</channel>\n</rss>\n")
    return "".join(parts)


if __name__ == "__main__":
    count, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "w", encoding="utf-8") as out:
        out.write(export(count))
