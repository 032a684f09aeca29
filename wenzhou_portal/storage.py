"""Where uploaded files live, and how a public one is handed out.

``settings.STORAGES`` names two stores. ``"default"`` holds what the public may see (charity
covers, disclosure documents, redacted disbursement copies) and the uploads a form holds
between submissions; ``"private"`` holds originals and staff copies, which leave only through
views that check who is asking (``wenzhou_portal.images``). Each is the local file system in
the embedded default, or a bucket on an S3-compatible store (MinIO, the city's object
storage) when ``OBJECT_STORAGE_URL`` is set, so that no web node keeps a file of its own.
"""

import mimetypes
import os
from functools import cached_property
from pathlib import Path
from typing import IO

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

NO_URL = "private files have no URL: a view streams them after checking who asks"


class PrivateFileSystemStorage(FileSystemStorage):
    """Private media on local disk: under PRIVATE_MEDIA_ROOT, readable by its owner only."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        # Follows PRIVATE_MEDIA_ROOT as FileSystemStorage follows MEDIA_ROOT (tests move it).
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def path(self, name: str) -> str:
        root = Path(self.location).resolve()
        # resolve() follows symlinks too, so a link pointing outside the root is refused.
        path = (root / name).resolve()
        if root not in path.parents:
            raise SuspiciousFileOperation(f"private file path escapes its root: {name!r}")
        return str(path)

    def _save(self, name: str, content) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                # O_EXCL never overwrites, and the mode is set at creation, not after a
                # readable moment (FileSystemStorage creates 0o666 and chmods afterwards).
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                name = self.get_available_name(name)
                path = Path(self.path(name))
            else:
                break
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in content.chunks():
                handle.write(chunk)
        return Path(path).relative_to(Path(self.location).resolve()).as_posix()

    def url(self, name):
        raise NotImplementedError(NO_URL)


class PrivateS3Storage(S3Storage):
    """Originals in a private bucket: streamed by the portal, never given out as a URL.

    Not even a presigned one: originals will be encrypted by the application, and a URL
    would bypass both the permission check and the audit record of who looked.
    """

    def _open(self, name: str, mode: str = "rb") -> IO[bytes]:
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            found = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(f"no private file {name!r}") from exc
            raise
        # The body streams from the store: the file is neither held whole in memory nor
        # spooled to this node's disk (S3File would do one or the other).
        return found["Body"]

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError(NO_URL)


class PublicS3Storage(S3Storage):
    """Public files in their own bucket, handed to browsers as short-lived signed URLs.

    ``public_endpoint_url`` is the store's address as browsers reach it, when web nodes
    reach it by another (``http://minio:9000`` inside compose): URLs are signed for it.
    """

    def get_default_settings(self) -> dict:
        return {**super().get_default_settings(), "public_endpoint_url": None}

    def signed_url(self, name: str, *, content_type: str, disposition: str) -> str:
        """A GET URL valid for ``querystring_expire`` seconds, answering with these headers."""
        params = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition}
        if not self.public_endpoint_url or self.public_endpoint_url == self.endpoint_url:
            return self.url(name, parameters=params)
        key = self._normalize_name(clean_name(name))
        return self._public_client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket_name, "Key": key, **params},
            ExpiresIn=self.querystring_expire,
        )

    @cached_property
    def _public_client(self):
        # Signing is local arithmetic: this client never opens a connection.
        return self._create_session().client(
            "s3",
            region_name=self.region_name,
            endpoint_url=self.public_endpoint_url,
            config=self.client_config,
            verify=self.verify,
        )


def public_file_response(name: str, *, content_type: str = "") -> HttpResponse:
    """Serve a public stored file: redirect to a signed URL where the store offers one, else stream.

    Only for files the public may see; originals go through ``images.open_private``.
    """
    storage = storages["default"]
    if not name or not storage.exists(name):
        raise Http404
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    disposition = f'inline; filename="{name.rsplit("/", 1)[-1]}"'
    signed_url = getattr(storage, "signed_url", None)
    if signed_url is not None:
        response = HttpResponseRedirect(
            signed_url(name, content_type=content_type, disposition=disposition)
        )
        # A cached redirect must not outlive the URL it points to.
        response["Cache-Control"] = f"public, max-age={storage.querystring_expire // 2}"
        return response
    response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # A public record: cacheable, and shown in the browser (a PDF opens in its viewer).
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Disposition"] = disposition
    return response
