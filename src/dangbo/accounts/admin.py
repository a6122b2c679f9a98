"""Users, groups and permissions are not edited in Django's admin (``/quan-tri/``): every change
of an account or a role goes through ``accounts.services``, which checks the actor's scope and
writes the audit trail. ``django.contrib.auth`` registers ``User`` and ``Group`` in its own
admin module, which the admin's autodiscovery imports before this one (INSTALLED_APPS order)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

for model in (get_user_model(), Group, Permission):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
