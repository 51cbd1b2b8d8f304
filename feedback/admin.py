from django.contrib import admin

from feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("ticket", "rating", "resolved", "comment", "created_at")
    list_filter = ("resolved", "rating", "created_at")
    search_fields = ("ticket__id", "comment", "ticket__customer__email")
    raw_id_fields = ("ticket", "answer")
    readonly_fields = ("created_at",)
