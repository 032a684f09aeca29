"""The client's address behind our proxies: forged headers change nothing."""

import pytest
from django.test import RequestFactory

from wenzhou_portal.clients import client_hash, client_ip, client_network

factory = RequestFactory()


def _request(remote: str = "10.0.0.2", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


def test_without_proxies_the_socket_address_is_the_client_and_the_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_one_proxy_the_client_is_what_the_proxy_appended(settings):
    settings.PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.2", "203.0.113.7")) == "203.0.113.7"


def test_a_forged_header_behind_one_proxy_changes_nothing(settings):
    settings.PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 1.2.3.4, 5.6.7.8"; nginx appended the real address.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 5.6.7.8, 203.0.113.7")) == "203.0.113.7"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.9")) == "203.0.113.7"


def test_a_request_that_bypassed_the_proxy_is_its_socket_address(settings):
    settings.PROXY_COUNT = 1
    assert client_ip(_request("203.0.113.9")) == "203.0.113.9"
    settings.PROXY_COUNT = 2
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("203.0.113.7:5678", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("not-an-address", "10.0.0.2"),
        ("unknown", "10.0.0.2"),
        ("", "10.0.0.2"),
    ],
)
def test_header_entries_are_parsed_or_ignored(settings, entry, expected):
    settings.PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.2", entry)) == expected


def test_one_ipv6_subscriber_is_one_client(settings):
    settings.PROXY_COUNT = 0
    assert client_network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    first = client_hash(_request("2001:db8:1:2::1"))
    same_subscriber = client_hash(_request("2001:db8:1:2:ffff::9"))
    other = client_hash(_request("2001:db8:1:3::1"))
    assert first == same_subscriber != other


def test_the_client_hash_is_keyed_not_the_address():
    digest = client_hash(_request("203.0.113.7"))
    assert "203" not in digest
    assert len(digest) == 32
