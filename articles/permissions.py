"""Who may do what to which article: one policy that every view, template, the API, the mails
and the bin ask, and the roles it reads.

Shaped like Wagtail's permission policies (wagtail/permission_policies/base.py), it answers
three questions for one rule:

- may this user do this to this article (`user_has_permission_for_instance`), or to some
  article (`user_has_permission`: whether to offer a button or a bulk action at all);
- which articles may this user do it to (`instances_user_has_permission_for`);
- which users may do it to this article (`users_with_permission_for_instance`: who gets the mail).

The actions:

- "view": see it as it is now, public or not. Readers see it live; staff also what they may
  edit or review (editors everything, writers their own).
- "list": find it in the admin's article list and on the desk: editors every article,
  writers what they wrote.
- "change": edit its content. Writers their own drafts; editors anything outside the bin
  (a withdrawn article with the right to restore it).
- "review": an editor's part in it: the review queue and its mail, revoking share links.
- "correct": add a correction or mark a significant update, once it has been published: editors.
- "share": make a share link, while it is neither live nor withdrawn: editors.
- "purge": delete it for good from the bin: superusers.
- a step of the WORKFLOW table: take it now (its state, and the permissions the step names).

Images have theirs in images/permissions.py."""

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from .models import WORKFLOW, Article, Status, step_between

# The newsroom's roles: Django groups holding exactly these permissions, made by a migration
# (sync_roles). A new grant is a line here and a migration that runs sync_roles again.
ROLES = {
    "Writers": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.submit_article",
        "articles.view_author",
        "articles.add_byline",
        "articles.change_byline",
        "articles.delete_byline",
        "articles.view_byline",
        "themes.view_theme",
        "images.add_image",
        "images.change_image",
        "images.view_image",
        "taggit.view_tag",
        # Live coverage: writers submit entries for review; `live.publish_entry` is granted one by one.
        "live.add_entry",
        "live.change_entry",
        "live.view_entry",
    ],
    "Editors": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.delete_article",
        "articles.submit_article",
        "articles.publish_article",
        "articles.withdraw_article",
        "articles.add_author",
        "articles.change_author",
        "articles.view_author",
        "articles.add_byline",
        "articles.change_byline",
        "articles.delete_byline",
        "articles.view_byline",
        "articles.add_correction",
        "articles.change_correction",
        "articles.delete_correction",
        "articles.view_correction",
        "themes.add_theme",
        "themes.change_theme",
        "themes.view_theme",
        "images.add_image",
        "images.change_image",
        "images.view_image",
        "images.delete_image",
        "images.change_any_image",
        "taggit.add_tag",
        "taggit.change_tag",
        "taggit.view_tag",
        "audit.view_auditentry",
        "sitesettings.view_sitesettings",
        "sitesettings.change_sitesettings",
        "sitesettings.view_followlink",
        "sitesettings.add_followlink",
        "sitesettings.change_followlink",
        "sitesettings.delete_followlink",
        "pages.add_page",
        "pages.change_page",
        "pages.delete_page",
        "pages.view_page",
        "live.add_entry",
        "live.change_entry",
        "live.view_entry",
        "live.publish_entry",
    ],
}
# The permission that makes an editor: it reviews, and sees every article.
REVIEW_PERMISSION = "articles.publish_article"


def sync_roles(apps=global_apps, schema_editor=None):
    """Make each group of ROLES exist and hold exactly its permissions. A migration runs it
    (with the historical `apps`), and so do tests that flush the database. Permissions Django
    has not made yet (it makes them after `migrate`) are made first; one that still does not
    exist is a mistake in ROLES, and raises."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")  # in a migration, the historical model
    # In a migration, the apps not migrated yet are left for the migration of theirs that syncs again.
    labels = {model._meta.app_label for model in apps.get_models()}
    wanted = {name for names in ROLES.values() for name in names if name.split(".", 1)[0] in labels}

    def existing():
        codenames = {name.split(".", 1)[1] for name in wanted}
        found = Permission.objects.filter(codename__in=codenames).select_related("content_type")
        return {f"{p.content_type.app_label}.{p.codename}": p for p in found}

    permissions = existing()
    if not wanted <= set(permissions):
        for app_config in apps.get_app_configs():
            made = getattr(app_config, "models_module", None)
            app_config.models_module = made or True  # historical apps have none; Django skips those
            try:
                create_permissions(app_config, apps=apps, verbosity=0)
            finally:
                app_config.models_module = made
        permissions = existing()
    if missing := sorted(wanted - set(permissions)):
        raise LookupError(f"ROLES grants permissions that do not exist: {', '.join(missing)}")
    for name, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        grants = {permissions[permission].pk for permission in names if permission in wanted}
        if set(group.permissions.values_list("pk", flat=True)) != grants:
            group.permissions.set(grants)


def holders_of(permission):
    """Active accounts holding `permission` ("app.codename"): through a group, their own
    grants, or as superusers."""
    app_label, codename = permission.split(".", 1)
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(
            Q(groups__permissions__in=granted) | Q(user_permissions__in=granted) | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
    )


def _staff(user):
    return getattr(user, "is_staff", False) and user.is_active


class ArticlePermissionPolicy:
    model = Article

    # May this user do this ------------------------------------------------------------------

    def user_has_permission(self, user, action):
        """Whether `user` may do `action` to some article: whether to offer it at all."""
        if action in WORKFLOW:
            return WORKFLOW[action].permits(user)
        if action == "view":
            return True  # what is live
        if action in ("list", "change"):
            return user.has_perm("articles.change_article")
        if action in ("review", "correct", "share"):
            return user.has_perm(REVIEW_PERMISSION)
        if action == "purge":
            return user.is_active and user.is_superuser
        raise ValueError(f"No article action {action!r}.")

    def user_has_permission_for_instance(self, user, action, article):
        """Whether `user` may do `action` to `article` now."""
        if action in WORKFLOW:
            return article.refusal(action, user) is None
        if action == "view":
            if article.is_live():
                return True
            return _staff(user) and (
                user.has_perm(REVIEW_PERMISSION)
                or (user.has_perm("articles.view_article") and article.is_authored_by(user))
            )
        if action == "list":
            return user.has_perm(REVIEW_PERMISSION) or article.is_authored_by(user)
        if action == "change":
            if article.deleted_at is not None:
                return False
            if user.has_perm(REVIEW_PERMISSION):
                restore = step_between(Status.WITHDRAWN, Status.DRAFT)
                return article.status != Status.WITHDRAWN or restore.permits(user, article)
            return (
                article.status == Status.DRAFT
                and user.has_perm("articles.change_article")
                and article.is_authored_by(user)
            )
        if action == "review":
            return user.has_perm(REVIEW_PERMISSION)
        if action == "correct":
            return user.has_perm(REVIEW_PERMISSION) and article.has_been_published()
        if action == "share":
            return (
                user.has_perm(REVIEW_PERMISSION)
                and article.deleted_at is None
                and article.status != Status.WITHDRAWN
                and not article.is_live()
            )
        if action == "purge":
            return self.user_has_permission(user, action)
        raise ValueError(f"No article action {action!r}.")

    # Which articles ---------------------------------------------------------------------------

    def instances_user_has_permission_for(self, user, action, *, within=None, now=None):
        """The articles `user` may `action` ("view" or "list"): of `within` (an article
        queryset, its loading options kept), or of all outside the bin."""
        articles = Article.objects.all() if within is None else within
        if action == "view":
            now = now or timezone.now()
            if _staff(user) and user.has_perm(REVIEW_PERMISSION):
                return articles
            if _staff(user) and user.has_perm("articles.view_article"):
                mine = Article.objects.authored_by(user).values("pk")
                return articles.filter(Q(pk__in=mine) | Q(pk__in=Article.objects.live(now).values("pk")))
            return articles.live(now)
        if action == "list":
            if user.has_perm(REVIEW_PERMISSION):
                return articles
            return articles.filter(pk__in=Article.objects.authored_by(user).values("pk"))
        raise ValueError(f"No list of the articles a user may {action!r}.")

    # Which users ------------------------------------------------------------------------------

    def users_with_permission_for_instance(self, action, article):
        """The active accounts that may `action` `article`: "review", or a step (for the
        step's own permission, and its author permission among the article's writers)."""
        if action == "review":
            return holders_of(REVIEW_PERMISSION)
        if action in WORKFLOW:
            step = WORKFLOW[action]
            found = holders_of(step.permission) if step.permission else get_user_model().objects.none()
            if step.author_permission:
                writers = get_user_model().objects.filter(
                    Q(pk=article.created_by_id) | Q(author__bylines__article=article)
                )
                found = found | holders_of(step.author_permission).filter(pk__in=writers.values("pk"))
            return found.distinct()
        raise ValueError(f"No list of the users who may {action!r} an article.")


article_policy = ArticlePermissionPolicy()
