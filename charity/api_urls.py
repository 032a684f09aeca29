from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="charity-organisation")
router.register("projects", api.ProjectViewSet, basename="charity-project")
urlpatterns = router.urls
