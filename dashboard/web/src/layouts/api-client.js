// The layouts API as the shell calls it (fetch only; no DOM). Every failure is an
// ApiError carrying the HTTP status and the problem JSON's title/detail; a stale save
// is a ConflictError carrying the server's current version.

const BASE = "/api/v1/layouts";

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problemText(problem) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class ConflictError extends ApiError {
  constructor(status, problem, currentVersion) {
    super(status, problem);
    this.currentVersion = currentVersion;
  }
}

export class LayoutsApi {
  constructor({ fetch: fetchImpl = globalThis.fetch.bind(globalThis), base = BASE } = {}) {
    this.fetch = fetchImpl;
    this.base = base;
  }

  create(document, { author, message } = {}) {
    return this.#call("POST", this.base, { body: withMeta(document, author, message) });
  }

  async get(id, version = null) {
    const query = version ? `?version=${encodeURIComponent(version)}` : "";
    return this.#call("GET", `${this.#path(id)}${query}`, { withEtag: true });
  }

  save(id, document, { version, credential, author, message }) {
    return this.#call("PUT", this.#path(id), {
      body: withMeta(document, author, message), credential, headers: { "If-Match": `"${version}"` }, withEtag: true,
    });
  }

  async versions(id) {
    const body = await this.#call("GET", `${this.#path(id)}/versions`);
    return Array.isArray(body) ? body : body.versions ?? body.items ?? [];
  }

  diff(id, { from, to, against } = {}) {
    const query = against ? `against=${encodeURIComponent(against)}` : `from=${from}&to=${to}`;
    return this.#call("GET", `${this.#path(id)}/diff?${query}`);
  }

  restore(id, version, { credential, author, message } = {}) {
    return this.#call("POST", `${this.#path(id)}/restore`, { body: withMeta({ version }, author, message), credential });
  }

  clone(id, { credential, title, owner } = {}) {
    const body = {};
    if (title) body.title = title;
    if (owner) body.owner = owner;
    return this.#call("POST", `${this.#path(id)}/clone`, { body, credential });
  }

  /** A share link; `live: true` (view links) gives it a relay: the answer's `live` holds its publish key, once. */
  createLink(id, { role, version = "latest", expiresIn = null, viewState, live = false }, credential) {
    const body = { role, version, expiresIn };
    if (viewState) body.viewState = viewState;
    if (live) body.live = true;
    return this.#call("POST", `${this.#path(id)}/links`, { body, credential });
  }

  async links(id, credential) {
    const body = await this.#call("GET", `${this.#path(id)}/links`, { credential });
    return Array.isArray(body) ? body : body.links ?? body.items ?? [];
  }

  revokeLink(id, linkId, credential) {
    return this.#call("DELETE", `${this.#path(id)}/links/${encodeURIComponent(linkId)}`, { credential });
  }

  async gallery({ owner, q } = {}) {
    const query = new URLSearchParams();
    if (owner) query.set("owner", owner);
    if (q) query.set("q", q);
    const text = query.toString();
    const body = await this.#call("GET", text ? `${this.base}?${text}` : this.base);
    return Array.isArray(body) ? body : body.items ?? body.layouts ?? [];
  }

  /** The first-run layout `make up` seeds ("Web analytics" by Tessera), or null (none, or no answer). */
  async defaultLayout() {
    const found = await this.gallery({ owner: "Tessera", q: "Web analytics" }).catch(() => []);
    return found.find((layout) => layout.owner === "Tessera" && layout.title === "Web analytics")?.id ?? null;
  }

  /** What a share link's token opens: {id, version, role, viewState?, layout…} (the token rides in a header, never a path). */
  resolve(token) {
    return this.#call("GET", "/api/v1/shared", { credential: token, withEtag: true });
  }

  /** What `credential` may do on a layout: {role, canSave, canShare, version}. */
  access(id, credential) {
    return this.#call("GET", `${this.#path(id)}/access`, { credential });
  }

  #path(id) {
    return `${this.base}/${encodeURIComponent(id)}`;
  }

  async #call(method, url, { body, credential, headers = {}, withEtag = false } = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin",
      referrerPolicy: "no-referrer", cache: "no-store" };
    if (credential) init.headers.Authorization = `Bearer ${credential}`;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await this.fetch(url, init);
    } catch (error) {
      throw new ApiError(0, { title: "The dashboard is unreachable", detail: String(error?.message ?? error) });
    }
    const text = response.status === 204 ? "" : await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { detail: text.slice(0, 200) };
    }
    if (response.status === 409) {
      throw new ConflictError(409, data ?? {}, currentVersionOf(data, response));
    }
    if (!response.ok) throw new ApiError(response.status, data ?? {});
    if (withEtag && data && typeof data === "object" && data.version === undefined) {
      const etag = versionFromEtag(response.headers.get("ETag"));
      if (etag !== null) data.version = etag;
    }
    return data;
  }
}

/** A problem's words: its detail (a string, or the list of {loc, msg} the API answers), else its title. */
export function problemText(problem) {
  const detail = problem?.detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const field = Array.isArray(d?.loc) ? d.loc.filter((part) => part !== "body").join(".") : "";
      return field ? `${field}: ${d?.msg ?? ""}` : String(d?.msg ?? "");
    }).join("; ");
  }
  return typeof detail === "string" && detail ? detail : problem?.title ?? "";
}

export function versionFromEtag(etag) {
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(String(etag ?? "").trim());
  return match ? Number(match[1]) : null;
}

function currentVersionOf(data, response) {
  const candidates = [data?.currentVersion, data?.current_version, data?.version, data?.current?.version];
  for (const value of candidates) if (Number.isInteger(value)) return value;
  return versionFromEtag(response.headers.get("ETag"));
}

function withMeta(body, author, message) {
  const out = { ...body };
  if (author) out.author = author;
  if (message) out.message = message;
  return out;
}
