"""The demo website `make up` serves: a few pages that each embed Tessera's pixel.

    python platform/demo_site.py --port 8200 --collector http://127.0.0.1:8002 [--site demo.local]
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from functools import partial
from pathlib import Path
from urllib.parse import quote, urlsplit

from quiet_http import QuietLog, QuietServer, add_timeout_option, serve

DEMO = Path(__file__).resolve().parent / "demo"


def render(path: str, page: dict, collector: str, site: str, origin: str) -> bytes:
    template = (DEMO / "_page.html").read_text()
    values = {
        "title": html.escape(page["title"]),
        "title_q": quote(page["title"]),
        "body": page["body"],
        "collector": collector.rstrip("/"),
        "site": quote(site),
        "url": quote(origin + path, safe=""),
    }
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    return template.encode()


class DemoPages(QuietLog):
    server_version = "TesseraDemo/1"

    def __init__(self, *args, pages: dict, collector: str, site: str, **kwargs) -> None:
        self.pages, self.collector, self.site = pages, collector, site
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.answered_health():
            return
        path = urlsplit(self.path).path
        page = self.pages.get(path) or self.pages.get(path.removesuffix("index.html"))
        if page is None:
            self.send_error(404, "no such page")
            return
        origin = f"http://{self.headers.get('Host', 'localhost')}"
        body = render(path, page, self.collector, self.site, origin)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--collector", default="http://127.0.0.1:8002")
    parser.add_argument("--site", default="demo.local")
    add_timeout_option(parser)
    args = parser.parse_args(argv)
    pages = json.loads((DEMO / "pages.json").read_text())
    handler = partial(DemoPages, pages=pages, collector=args.collector, site=args.site)
    server = QuietServer((args.host, args.port), handler)
    return serve(server, f"demo site on http://{args.host}:{args.port}/ (pixel → {args.collector})", args.timeout)


if __name__ == "__main__":
    sys.exit(main())
