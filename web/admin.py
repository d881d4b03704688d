"""Users and roles in Django's admin (the administrator's page)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from web.models import AuditEntry, FeedToken, Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


class UserWithRole(UserAdmin):
    inlines = [ProfileInline]


admin.site.unregister(User)
admin.site.register(User, UserWithRole)


@admin.register(AuditEntry)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "what")
    readonly_fields = ("at", "user", "username", "action", "what", "clients")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ("coach_id", "created", "revoked_at")
    readonly_fields = ("digest",)
