"""Synthetic visitors for the demo site: each visit loads pages and their pixel as a browser
would, so every widget has live data from the first minute.

    python platform/traffic.py --site http://127.0.0.1:8200 --rate 5 [--duration 0] [--seed N]

A visit lands from a referrer (search, social, news, none) or a campaign link (UTM
parameters on the landing URL), then either leaves (a bounce) or browses a few more pages
some seconds apart; each page reports its engaged time as t.js does (an ``engagement``
event with ``engaged_ms`` once the page was shown for a second or more).  Visitors keep
one user agent (real browser strings across desktop, mobile and tablet) and address, so
the collector's visitor id holds through a visit; a few are crawlers.  Against a loopback
site each visitor connects from its own loopback address (127.0.x.y), so the collector
tells visitors apart without trusting X-Forwarded-For (sent too, for one that does).  Internal
navigations carry no referrer, as the server-rendered pixel sees them.
"""

from __future__ import annotations

import argparse
import heapq
import html
import http.client
import random
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

PATHS = [("/", 30), ("/pricing.html", 14), ("/blog/hello.html", 10), ("/products/tents.html", 12),
         ("/products/boots.html", 9), ("/products/packs.html", 7), ("/blog/winter-camping.html", 8),
         ("/about.html", 5), ("/contact.html", 3), ("/docs/rental-terms.html", 2)]
REFERRERS = [("", 34), ("https://www.google.com/", 26), ("https://news.ycombinator.com/", 8),
             ("https://duckduckgo.com/", 7), ("https://t.co/x7Yq2", 5), ("https://www.reddit.com/r/camping/", 6),
             ("https://www.bing.com/", 4), ("https://github.com/", 2), ("https://l.facebook.com/", 4),
             ("https://www.ecosia.org/", 4)]
# (utm_source, utm_medium, utm_campaign, landing page, weight); most visits carry none
CAMPAIGNS = [(("newsletter", "email", "winter-sale"), "/pricing.html", 5),
             (("google", "cpc", "tents-2026"), "/products/tents.html", 4),
             (("instagram", "social", "trail-stories"), "/blog/winter-camping.html", 3),
             (("partner-blog", "referral", "boots-review"), "/products/boots.html", 2)]
CAMPAIGN_SHARE = 0.18
AGENTS = [  # (user agent, weight)
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", 28),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.2903.70", 8),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
     "Safari/605.1.15", 10),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", 8),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 5),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 5),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Mobile/15E148 Safari/604.1", 17),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Mobile Safari/537.36", 10),
    ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 4),
    ("Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
     "Mobile/15E148 Safari/604.1", 3),
]
BOTS = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"]
BOT_SHARE = 0.03
BOUNCE = 0.42  # share of visits that see one page
PIXEL = re.compile(r'<img src="([^"]+/t\.gif[^"]*)"')


@dataclass(frozen=True)
class Visitor:
    user_agent: str
    address: str
    bot: bool = False


@dataclass
class Visit:
    """One visit's plan: the pages in order, the referrer and campaign it landed with."""

    visitor: Visitor
    pages: list[str]
    referrer: str = ""
    campaign: tuple[str, str, str] | None = None
    step: int = 0
    engaged_ms: list[int] = field(default_factory=list)


def weighted(rng: random.Random, choices):
    return rng.choices([c[0] for c in choices], weights=[c[-1] for c in choices])[0]


def visitors(count: int, rng: random.Random) -> list[Visitor]:
    crowd = [Visitor(weighted(rng, AGENTS), f"127.0.{i // 250 + 1}.{i % 250 + 1}") for i in range(count)]
    crowd += [Visitor(ua, f"127.66.249.{i + 1}", bot=True) for i, ua in enumerate(BOTS)]
    return crowd


def plan(rng: random.Random, crowd: list[Visitor]) -> Visit:
    """A visit: who, where it lands from, which pages, and how long each holds attention."""
    people = [v for v in crowd if not v.bot]
    if rng.random() < BOT_SHARE:
        bot = rng.choice([v for v in crowd if v.bot])
        return Visit(bot, rng.sample([p for p, _ in PATHS], 3), engaged_ms=[0, 0, 0])
    visitor = rng.choice(people)
    campaign, referrer = None, weighted(rng, REFERRERS)
    landing = weighted(rng, PATHS)
    if rng.random() < CAMPAIGN_SHARE:
        campaign, landing, _ = rng.choices(CAMPAIGNS, weights=[c[2] for c in CAMPAIGNS])[0]
        referrer = {"email": "", "cpc": "https://www.google.com/", "social": "https://l.instagram.com/"}.get(
            campaign[1], "https://trailgear-reviews.example/")
    pages = [landing]
    if rng.random() >= BOUNCE:
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
            pages.append(weighted(rng, [p for p in PATHS if p[0] != pages[-1]]))
    engaged = [int(rng.lognormvariate(9.8, 0.9)) if rng.random() < 0.85 else rng.randrange(200, 999) for _ in pages]
    return Visit(visitor, pages, referrer, campaign, engaged_ms=engaged)


def page_url(site: str, visit: Visit) -> str:
    url = site.rstrip("/") + visit.pages[visit.step]
    if visit.step == 0 and visit.campaign:
        source, medium, name = visit.campaign
        url += "?" + urlencode({"utm_source": source, "utm_medium": medium, "utm_campaign": name})
    return url


def fetch(url: str, headers: dict[str, str]) -> bytes:
    """GET ``url``; to a loopback host, from the visitor's own loopback address."""
    parts = urlsplit(url)
    source = headers.get("X-Forwarded-For", "")
    local = (parts.hostname or "").startswith("127.") or parts.hostname == "localhost"
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=5,
                                            source_address=(source, 0) if local and source else None)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status >= 400:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    return body


def with_params(pixel: str, **params: str) -> str:
    """The pixel URL with these query parameters set (``url`` replaced, others added)."""
    parts = urlsplit(pixel)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()), quote_via=quote)))


def show(site: str, visit: Visit) -> str:
    """Load the visit's current page and its pixel; return the pixel URL (for its engagement)."""
    v = visit.visitor
    headers = {"User-Agent": v.user_agent, "X-Forwarded-For": v.address}
    url = page_url(site, visit)
    entry = visit.step == 0 and visit.referrer
    page = fetch(url, {**headers, **({"Referer": visit.referrer} if entry else {})}).decode()
    match = PIXEL.search(page)
    if match is None:
        raise RuntimeError(f"{visit.pages[visit.step]} carries no pixel")
    extra = {"url": url, **({"referrer": visit.referrer} if entry else {})}
    pixel = with_params(html.unescape(match.group(1)), **extra)
    fetch(pixel, {**headers, "Referer": url})
    return pixel


def engage(pixel: str, visit: Visit, engaged_ms: int) -> None:
    """What t.js sends when the page is left after a second or more in view."""
    v = visit.visitor
    fetch(with_params(pixel, name="engagement", **{"p.engaged_ms": str(engaged_ms)}),
          {"User-Agent": v.user_agent, "X-Forwarded-For": v.address, "Referer": page_url_of(pixel)})


def page_url_of(pixel: str) -> str:
    return dict(parse_qsl(urlsplit(pixel).query)).get("url", "")


def think_s(rng: random.Random, engaged_ms: int) -> float:
    """Seconds until the next page: the engaged time, squeezed so visits fit in a minute or two."""
    return min(45.0, max(1.0, engaged_ms / 1000 * 0.3 + rng.uniform(0.5, 4.0)))


@dataclass
class Traffic:
    """The scheduler: new visits arrive at random, open visits move on when their time comes."""

    site: str
    rate: float  # page views per second
    rng: random.Random
    crowd: list[Visitor]
    due: list = field(default_factory=list)  # heap of (time, seq, visit, pixel)
    seq: int = 0
    sent: int = 0
    failed: int = 0

    def pages_per_visit(self) -> float:
        return 1 + (1 - BOUNCE) * 2.2

    def schedule(self, at: float, visit: Visit, pixel: str | None) -> None:
        self.seq += 1
        heapq.heappush(self.due, (at, self.seq, visit, pixel))

    def step(self, now: float) -> None:
        """Do whatever is due: send the engagement of the page left, then show the next page."""
        while self.due and self.due[0][0] <= now:
            _, _, visit, pixel = heapq.heappop(self.due)
            try:
                if pixel is not None:
                    engaged = visit.engaged_ms[visit.step - 1]
                    if engaged >= 1000:
                        engage(pixel, visit, engaged)
                if visit.step < len(visit.pages):
                    pixel = show(self.site, visit)
                    self.sent += 1
                    visit.step += 1
                    self.schedule(now + think_s(self.rng, visit.engaged_ms[visit.step - 1]), visit, pixel)
            except (OSError, http.client.HTTPException, RuntimeError) as error:
                self.failed += 1
                if self.failed % 20 == 1:
                    print(f"visit failed: {error}", flush=True)

    def arrive(self, now: float) -> float:
        """Start a visit now; return when the next one arrives."""
        self.schedule(now, plan(self.rng, self.crowd), None)
        return now + self.rng.expovariate(self.rate / self.pages_per_visit())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="http://127.0.0.1:8200", help="the demo site's base URL")
    parser.add_argument("--rate", type=float, default=5.0, help="page views per second")
    parser.add_argument("--visitors", type=int, default=400)
    parser.add_argument("--duration", type=float, default=0.0, help="seconds to run; 0 runs until stopped")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    traffic = Traffic(args.site, max(args.rate, 0.01), rng, visitors(args.visitors, rng))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    next_visit, next_report = started, started + 30
    print(f"sending about {args.rate:g} page views/s to {args.site}", flush=True)
    while not args.duration or time.monotonic() - started < args.duration:
        now = time.monotonic()
        if now >= next_visit:
            next_visit = traffic.arrive(now)
        traffic.step(now)
        if now >= next_report:
            print(f"{traffic.sent} page views sent, {traffic.failed} failed", flush=True)
            next_report += 30
        wake = min(next_visit, traffic.due[0][0] if traffic.due else next_visit)
        time.sleep(max(0.0, min(wake - time.monotonic(), 1.0)))
    print(f"done: {traffic.sent} page views sent, {traffic.failed} failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
