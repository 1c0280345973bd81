import json

from dashboard.catalogue import Catalogue
from dashboard.catalogue_hub import reshape
from dashboard.sse import ServerSentEvent

HOST = "http://127.0.0.1:8100"
WIDGET = {"id": "w", "label": "W", "module": f"{HOST}/w/dist/w.js", "status": "live"}


async def no_fetch():
    return []


def test_reshape_rewrites_the_entry_and_updates_the_cache():
    catalogue = Catalogue(no_fetch)
    chunk = reshape(ServerSentEvent("widget-registered", json.dumps(WIDGET), "3"), catalogue)
    assert chunk.startswith(b"event: widget-registered\nid: 3\ndata: ")
    entry = json.loads(chunk.decode().split("data: ", 1)[1])
    assert entry["module"] == "/widgets/w/w.js"
    assert "w" in catalogue.snapshot.widgets


def test_reshape_marks_removals_gone_and_drops_other_events():
    catalogue = Catalogue(no_fetch)
    catalogue.apply("widget-registered", WIDGET)
    chunk = reshape(ServerSentEvent("widget-removed", json.dumps({"id": "w"})), catalogue)
    assert json.loads(chunk.decode().split("data: ", 1)[1])["status"] == "gone"
    assert catalogue.snapshot.widgets["w"]["status"] == "gone"  # kept for the mesh's health only
    assert catalogue.snapshot.as_json()["items"] == []
    assert reshape(ServerSentEvent("hello", "{}"), catalogue) is None
    assert reshape(ServerSentEvent("widget-updated", "not json"), catalogue) is None
