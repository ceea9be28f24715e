"""Bulk writes that announce themselves, as `Model.save()` and `delete()` do.

Django sends `post_save` and `post_delete` for each saved or deleted row, but nothing for
`QuerySet.update()`, `bulk_create()` or `bulk_update()`. The models whose rows the standings
store reads (tracker/standings/store.py) use this queryset, which sends `bulk_written` for those
too, so that a receiver hears of every write whichever way it was made. The signal and the
write share a transaction, so that what a receiver does commits with the write or not at all.
"""

from __future__ import annotations

from django.db import models, transaction
from django.dispatch import Signal

# Sent by the model as sender, with `rows` (the queryset about to be updated, or the objects
# just created or updated), `fields` (the names written, or None for whole rows) and `using`.
bulk_written = Signal()


class AnnouncingQuerySet(models.QuerySet):
    def update(self, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            # Before the update: afterwards its filter may no longer match the rows it changed.
            bulk_written.send(sender=self.model, rows=self, fields=set(kwargs), using=self.db)
            return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            bulk_written.send(sender=self.model, rows=created, fields=None, using=self.db)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            count = super().bulk_update(objs, fields, *args, **kwargs)
            bulk_written.send(sender=self.model, rows=objs, fields=set(fields), using=self.db)
        return count
