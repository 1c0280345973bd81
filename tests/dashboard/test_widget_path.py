import pytest

from dashboard.widget_path import (
    directory_of,
    relative_path,
    safe_segments,
    target_url,
    widget_base,
)

HOST = "http://127.0.0.1:8100"


def test_directory_of_a_file_and_of_a_directory():
    assert directory_of(f"{HOST}/page-views/dist/page-views.js") == f"{HOST}/page-views/dist/"
    assert directory_of(f"{HOST}/page-views/") == f"{HOST}/page-views/"


def test_base_is_the_deepest_directory_holding_every_announced_file():
    module = f"{HOST}/page-views/dist/page-views.js"
    assert widget_base(module) == f"{HOST}/page-views/dist/"
    assert widget_base(module, f"{HOST}/page-views/icon.svg") == f"{HOST}/page-views/"
    assert widget_base(module, None, f"{HOST}/page-views/dist/x.css") == f"{HOST}/page-views/dist/"


def test_files_on_another_origin_do_not_widen_the_base():
    module = f"{HOST}/page-views/dist/page-views.js"
    assert widget_base(module, "http://evil.example/x.css") == f"{HOST}/page-views/dist/"


@pytest.mark.parametrize("url", ["/relative.js", "ftp://h/x.js", "javascript:alert(1)", "data:text/javascript,1"])
def test_no_base_without_an_absolute_http_module(url):
    assert widget_base(url) is None


def test_relative_path_inside_and_outside():
    base = f"{HOST}/page-views/"
    assert relative_path(f"{base}dist/page-views.js", base) == "dist/page-views.js"
    assert relative_path(f"{HOST}/other/x.js", base) is None
    assert relative_path(None, base) is None


@pytest.mark.parametrize("path", [
    "dist/page-views.js", "icon.svg", "dist/page-views.js.map", "a/b/c d.js",
])
def test_safe_paths_map_under_the_base(path):
    base = f"{HOST}/page-views/"
    url = target_url(base, path)
    assert url is not None and url.startswith(base)


@pytest.mark.parametrize("path", [
    "../secret.txt", "dist/../../secret.txt", "./x.js", "/etc/passwd", "a//b.js", "", "dist/",
    "..\\secret", "%2e%2e/secret", "x.js?y=1", "x.js#frag", "a/\x00b", "a/\nb",
    "//evil.example/x.js", "http://evil.example/x.js",
])
def test_unsafe_paths_are_refused(path):
    assert target_url(f"{HOST}/page-views/", path) is None
    assert safe_segments(path) is None


def test_a_colon_segment_cannot_change_origin():
    url = target_url(f"{HOST}/page-views/", "http:/evil.example/x.js")
    assert url is None or url.startswith(f"{HOST}/page-views/")
