from celery import shared_task

from . import services


@shared_task
def flush_page_views() -> int:
    return services.page_views_flush()
