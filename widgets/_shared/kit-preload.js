// Every module of the kit these widgets use, imported at once: the browser learns of an ES
// module's imports only when it has parsed it, so a widget importing /kit/v1/bar-list.js alone
// waits for a chain of five round trips (bar-list → bar-list-element → data-element →
// kit-element → theme). Listing them here puts all of them in the bundle's first lines, fetched
// in parallel. (The kit stays external: each is still one shared module instance per page.)
import "/kit/v1/theme.js";
import "/kit/v1/rows.js";
import "/kit/v1/format.js";
import "/kit/v1/define.js";
import "/kit/v1/kit-element.js";
import "/kit/v1/data-client.js";
import "/kit/v1/state-overlay-element.js";
import "/kit/v1/state-overlay.js";
import "/kit/v1/data-element.js";
