from tests.journeys.support import senior_page  # noqa: F401  (fixture)
