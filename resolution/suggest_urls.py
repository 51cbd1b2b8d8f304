app_name = "suggest"

urlpatterns: list = []
