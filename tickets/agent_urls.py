from django.urls import path

from tickets import agent_views, desk_views

app_name = "agent"

urlpatterns = [
    path("", agent_views.queue, name="queue"),
    path("rows/", agent_views.queue_rows, name="queue_rows"),
    path("bulk/", agent_views.bulk, name="bulk"),
    path("views/", agent_views.view_save, name="view_save"),
    path("views/<int:pk>/delete/", agent_views.view_delete, name="view_delete"),
    path("tickets/<int:pk>/", agent_views.ticket, name="ticket"),
    path("tickets/<int:pk>/claim/", agent_views.claim, name="claim"),
    path("tickets/<int:pk>/reply/", agent_views.reply, name="reply"),
    path("tickets/<int:pk>/assign/", desk_views.assign, name="assign"),
    path("tickets/<int:pk>/fields/", desk_views.fields, name="fields"),
    path("notifications/", desk_views.notifications, name="notifications"),
    path("notifications/read/", desk_views.notifications_read, name="notifications_read"),
    path("availability/", desk_views.availability, name="availability"),
]
