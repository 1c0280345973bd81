"""Synthetic visitors for the demo site: each visit loads a page and then its pixel,
as a browser would, so the widgets have live data from the first minute.

    python platform/traffic.py --site http://127.0.0.1:8200 --rate 5 [--duration 0]
"""

from __future__ import annotations

import argparse
import html
import random
import re
import signal
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

PATHS = [("/", 50), ("/pricing.html", 20), ("/blog/hello.html", 20), ("/about.html", 10)]
REFERRERS = [("", 40), ("https://www.google.com/", 30), ("https://news.ycombinator.com/", 15),
             ("https://duckduckgo.com/", 10), ("https://t.co/abc", 5)]
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.{n}.86 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{n} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.{n}",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{n} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.{n}.81 Mobile Safari/537.36",
]
PIXEL = re.compile(r'<img src="([^"]+/t\.gif[^"]*)"')


@dataclass(frozen=True)
class Visitor:
    user_agent: str
    address: str


def visitors(count: int, rng: random.Random) -> list[Visitor]:
    return [Visitor(rng.choice(BROWSERS).format(n=i), f"198.51.100.{i % 254 + 1}") for i in range(count)]


def weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def fetch(url: str, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def visit(site: str, visitor: Visitor, path: str, referrer: str) -> None:
    headers = {"User-Agent": visitor.user_agent, "X-Forwarded-For": visitor.address}
    page = fetch(site.rstrip("/") + path, {**headers, **({"Referer": referrer} if referrer else {})}).decode()
    match = PIXEL.search(page)
    if match is None:
        raise RuntimeError(f"{path} carries no pixel")
    pixel = html.unescape(match.group(1))
    if referrer:
        pixel += "&referrer=" + urllib.request.quote(referrer, safe="")
    fetch(pixel, {**headers, "Referer": site.rstrip("/") + path})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="http://127.0.0.1:8200", help="the demo site's base URL")
    parser.add_argument("--rate", type=float, default=5.0, help="page views per second")
    parser.add_argument("--visitors", type=int, default=120)
    parser.add_argument("--duration", type=float, default=0.0, help="seconds to run; 0 runs until stopped")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    crowd = visitors(args.visitors, rng)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    sent = failed = 0
    next_report = started + 30
    print(f"sending about {args.rate:g} page views/s to {args.site}", flush=True)
    while not args.duration or time.monotonic() - started < args.duration:
        try:
            visit(args.site, rng.choice(crowd), weighted(rng, PATHS), weighted(rng, REFERRERS))
            sent += 1
        except (urllib.error.URLError, OSError, RuntimeError) as error:
            failed += 1
            if failed % 20 == 1:
                print(f"visit failed: {error}", flush=True)
        if time.monotonic() >= next_report:
            print(f"{sent} page views sent, {failed} failed", flush=True)
            next_report += 30
        time.sleep(rng.expovariate(args.rate) if args.rate > 0 else 1.0)
    print(f"done: {sent} page views sent, {failed} failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
