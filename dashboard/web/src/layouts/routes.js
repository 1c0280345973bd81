// The shell's routes, parsed from a path (no DOM):
//   /                 home: the last layout opened here, or a new one
//   /gallery          the gallery of layouts
//   /l/{id}           a layout's latest version (editable if this browser holds its edit key)
//   /l/{id}@N         a past version, read-only
//   /e/{token}        an edit link: the full editing shell
//   /v/{token}        a view link: the casual view (a separate page and bundle)

const ID = /^[A-Za-z0-9_-]{1,128}$/;

export function parseRoute(pathname) {
  const path = decodeSafe(String(pathname || "/")).replace(/\/+$/, "") || "/";
  if (path === "/") return { kind: "home" };
  if (path === "/gallery") return { kind: "gallery" };
  const [, head, rest, ...extra] = path.split("/");
  if (extra.length || !rest) return { kind: "unknown", path };
  if (head === "l") {
    const match = /^(.+?)(?:@(\d{1,9}))?$/.exec(rest);
    if (!match || !ID.test(match[1])) return { kind: "unknown", path };
    return match[2] ? { kind: "version", id: match[1], version: Number(match[2]) } : { kind: "layout", id: match[1] };
  }
  if ((head === "e" || head === "v") && ID.test(rest)) return { kind: head === "e" ? "edit" : "view", token: rest };
  return { kind: "unknown", path };
}

export function layoutPath(id, version = null) {
  return version ? `/l/${encodeURIComponent(id)}@${version}` : `/l/${encodeURIComponent(id)}`;
}

function decodeSafe(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
