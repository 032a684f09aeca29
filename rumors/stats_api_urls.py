# Filled in by the stats_api_urls work in progress.
urlpatterns: list = []
