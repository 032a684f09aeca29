# Filled in by the open311_urls work in progress.
urlpatterns: list = []
