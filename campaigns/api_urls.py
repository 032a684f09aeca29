from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("campaigns", api.CampaignViewSet, basename="campaign")
urlpatterns = router.urls
