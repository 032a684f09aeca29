"""Error answers in the shape each client reads: the API's JSON, Open311's list, or a page.

Django's own 400/403/404/500 views answer HTML; a program calling /api/v1/... with a
mistyped path would parse a web page. These handlers keep the API's one error shape
({"errors": [{"field", "message"}]}) for every status Django itself answers.
"""

import xml.etree.ElementTree as ET

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"


def api_error(field: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": field, "message": message}]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def open311_error(request: HttpRequest, description: str, status: int) -> HttpResponse:
    """The GeoReport v2 error list, in the format the path asks for (.xml or JSON)."""
    if request.path.endswith(".xml"):
        document = ET.Element("errors")
        error = ET.SubElement(document, "error")
        ET.SubElement(error, "code").text = str(status)
        ET.SubElement(error, "description").text = description
        body = ET.tostring(document, encoding="utf-8", xml_declaration=True)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(
        [{"code": status, "description": description}],
        safe=False,
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _machine_error(request: HttpRequest, message: str, status: int) -> HttpResponse | None:
    path = request.path
    if path.startswith(API_PREFIX):
        return api_error("path" if status == 404 else "non_field", message, status)
    if path.startswith(OPEN311_PREFIX):
        return open311_error(request, message, status)
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = gettext("无法处理这个请求。")
    return _machine_error(request, message, 400) or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = gettext("您没有权限执行此操作。")
    return _machine_error(request, message, 403) or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = gettext("没有这个地址。请检查网址是否完整正确。")
    return _machine_error(request, message, 404) or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    message = gettext("服务器出了问题，请稍后再试。已经提交成功的内容不受影响。")
    return _machine_error(request, message, 500) or defaults.server_error(request)
