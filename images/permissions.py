"""Who may change which picture of the library: the image library's permission policy,
shaped like the articles' (articles/permissions.py, after Wagtail's permission policies).

Uploaders change and delete their own pictures while no live article shows them; any other
picture, above all one readers see, is an editor's (`images.change_any_image`). Deleting
needs Django's `delete_image` as well, which the admin asks first."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from .models import Image

ACTIONS = ("change", "delete")


class ImagePermissionPolicy:
    model = Image

    def user_has_permission(self, user, action):
        """Whether `user` may `action` some picture."""
        self._check(action)
        return user.has_perm("images.change_any_image") or user.has_perm("images.change_image")

    def user_has_permission_for_instance(self, user, action, image):
        self._check(action)
        if user.has_perm("images.change_any_image"):
            return True
        return user.has_perm("images.change_image") and image.uploaded_by_id == user.pk and not image.shown_live()

    def instances_user_has_permission_for(self, user, action):
        self._check(action)
        if user.has_perm("images.change_any_image"):
            return Image.objects.all()
        if not user.has_perm("images.change_image"):
            return Image.objects.none()
        own = Image.objects.filter(uploaded_by=user)
        return own.exclude(pk__in=[image.pk for image in own if image.shown_live()])

    def users_with_permission_for_instance(self, action, image):
        self._check(action)
        found = _holders("change_any_image")
        if image.uploaded_by_id and not image.shown_live():
            found |= _holders("change_image") & Q(pk=image.uploaded_by_id)
        return get_user_model().objects.filter(found, is_active=True).distinct()

    def _check(self, action):
        if action not in ACTIONS:
            raise ValueError(f"No image action {action!r}.")


def _holders(codename):
    granted = Permission.objects.filter(content_type__app_label="images", codename=codename)
    return Q(groups__permissions__in=granted) | Q(user_permissions__in=granted) | Q(is_superuser=True)


image_policy = ImagePermissionPolicy()
