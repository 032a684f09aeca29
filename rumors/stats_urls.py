# Filled in by the stats_urls work in progress.
urlpatterns: list = []
