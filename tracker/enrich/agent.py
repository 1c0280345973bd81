"""What a user agent string says: browser, OS, device class, bot; cached per string.

Real traffic carries few distinct user agents, and the parsers are slow
(ua-parser ~25 µs, crawlerdetect ~300 µs a call), so results sit in an LRU cache.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from crawlerdetect import CrawlerDetect
from ua_parser import parse

MOBILE_OS = {"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS"}


class Agent(NamedTuple):
    browser: str
    os: str
    device: str
    is_bot: bool


def _device_class(ua: str, os_family: str, device_family: str) -> str:
    if "iPad" in device_family or "Tablet" in ua or (os_family == "Android" and "Mobile" not in ua):
        return "tablet"
    if os_family in MOBILE_OS or "Mobi" in ua:
        return "mobile"
    return "desktop"


class AgentParser:
    def __init__(self, cache_size: int = 4096) -> None:
        self._crawlers = CrawlerDetect()
        self.parse = lru_cache(maxsize=cache_size)(self._parse)

    def _parse(self, ua: str) -> Agent:
        if not ua:
            return Agent("", "", "", False)
        result = parse(ua)
        browser = result.user_agent.family if result.user_agent else ""
        os_family = result.os.family if result.os else ""
        device_family = result.device.family if result.device else ""
        is_bot = bool(self._crawlers.isCrawler(ua)) or device_family == "Spider"
        device = "bot" if is_bot else _device_class(ua, os_family, device_family)
        return Agent(browser if browser != "Other" else "", os_family if os_family != "Other" else "",
                     device, is_bot)
