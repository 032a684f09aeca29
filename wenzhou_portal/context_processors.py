from django.http import HttpRequest

from .preferences import elder_mode_enabled, text_size


def portal(request: HttpRequest) -> dict:
    return {"elder_mode": elder_mode_enabled(request), "text_size": text_size(request)}
