"""Who may do what to a live entry: one policy the door, the admin desk and the API ask.

- "write": add an entry to a live coverage article they may see (Writers and Editors: `live.add_entry`).
  What they write is published at once or at its second only if they may "publish";
  otherwise it is submitted for review.
- "publish": publish, schedule, correct, pin, approve and withdraw entries (`live.publish_entry`:
  Editors, and writers the desk trusts with election night, granted one by one).
- "change" an entry: "publish", or its own writer while it waits for review.
- "see" entries on the desk and in the staff API: all of them for those who may publish; for
  others the public ones and their own (a colleague's scheduled or submitted entry is unpublished
  work, as another's draft is)."""

from articles.models import Status
from articles.permissions import article_policy

from .models import EntryStatus

PUBLISH_PERMISSION = "live.publish_entry"


class EntryPolicy:
    def may_write(self, user, article):
        return (
            user.is_active
            and user.has_perm("live.add_entry")
            and article.has_coverage()
            and article.deleted_at is None
            and article.status != Status.WITHDRAWN
            and article_policy.user_has_permission_for_instance(user, "view", article)
        )

    def may_see_desk(self, user, article):
        """The desk of `article`: its coverage's entries, for staff who may see the article."""
        return (
            article.has_coverage()
            and user.has_perm("live.view_entry")
            and article_policy.user_has_permission_for_instance(user, "view", article)
        )

    def entries_visible_to(self, user, entries, now=None):
        """Of `entries`, those `user` may read."""
        if self.may_publish(user):
            return entries
        return entries.published(now) | entries.filter(created_by=user.pk)

    def may_publish(self, user):
        return user.is_active and user.has_perm(PUBLISH_PERMISSION)

    def may_change(self, user, entry):
        if self.may_publish(user):
            return True
        return (
            user.is_active
            and user.has_perm("live.change_entry")
            and entry.status == EntryStatus.SUBMITTED
            and entry.created_by_id == user.pk
        )


entry_policy = EntryPolicy()
