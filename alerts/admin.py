from django.contrib import admin

from .models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "target_label", "confirmed_at", "unsubscribed_at", "last_sent_at"]
    list_filter = ["kind", "confirmed_at", "unsubscribed_at"]
    search_fields = ["email"]
    list_select_related = ["case", "case__court", "court"]
    readonly_fields = ["created_at", "confirmed_at", "unsubscribed_at", "last_sent_at"]
    raw_id_fields = ["case", "court"]
