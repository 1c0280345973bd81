// What the Save button says, as a small state machine (no DOM).
//
// status: "new"      nothing saved yet (a layout that exists only in this browser)
//         "saved"    what is on screen is the version on the server
//         "unsaved"  changed since the last save (kept as a local draft)
//         "saving"   a save is in flight
//         "conflict" someone saved a newer version; the user chooses what to do
//         "error"    the last save failed (the draft is kept)
//         "readonly" a past version, or no edit key: nothing to save
// The machine compares canonical documents: editing back to the saved state is "saved".

import { canonical } from "./document.js";

export function initialState({ version = null, document = null, editable = true } = {}) {
  return {
    status: !editable ? "readonly" : version ? "saved" : "new",
    version,
    saved: document ? canonical(document) : null,
    current: document ? canonical(document) : null,
    editable,
    error: null,
    theirs: null,
  };
}

export function reduce(state, event) {
  switch (event.type) {
    case "edited": {
      const current = canonical(event.document);
      if (!state.editable) return { ...state, current };
      if (state.status === "saving" || state.status === "conflict") return { ...state, current };
      const status = state.version === null ? "new" : current === state.saved ? "saved" : "unsaved";
      return { ...state, current, status, error: status === "saved" ? null : state.error };
    }
    case "save-started":
      return state.editable ? { ...state, status: "saving", error: null } : state;
    case "saved": {
      const saved = canonical(event.document);
      const status = state.current === null || state.current === saved ? "saved" : "unsaved";
      return { ...state, status, version: event.version, saved, error: null, theirs: null };
    }
    case "conflict":
      return { ...state, status: "conflict", theirs: event.version ?? null };
    case "behind":
      // someone saved a newer version; nothing is decided until the user reloads or saves
      return event.version > (state.version ?? 0) && state.status !== "conflict" ? { ...state, theirs: event.version } : state;
    case "failed":
      return { ...state, status: "error", error: event.message ?? "the save failed" };
    case "loaded":
      return initialState({ version: event.version, document: event.document, editable: event.editable ?? state.editable });
    default:
      return state;
  }
}

/** A newer version exists on the server than the one being edited (the stale state). */
export function isBehind(state) {
  return Boolean(state.theirs && state.version && state.theirs > state.version);
}

/** Is there something the user could lose? */
export function isDirty(state) {
  return state.editable && (state.status === "unsaved" || state.status === "error" || state.status === "conflict"
    || (state.status === "new" && state.current !== null));
}

export function label(state) {
  return {
    new: "Not saved yet",
    saved: `Saved · v${state.version}`,
    unsaved: "Unsaved changes",
    saving: "Saving…",
    conflict: "Newer version on the server",
    error: "Save failed",
    readonly: state.version ? `Read-only · v${state.version}` : "Read-only",
  }[state.status];
}
