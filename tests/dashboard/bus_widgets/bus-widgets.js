// Widgets for the bus's browser tests and benchmarks (plain custom elements; the referrers
// list uses the kit's bar list, everything else imports nothing from the platform).
import "/kit/v1/bar-list.js";

const ROWS = [{ host: "news.ycombinator.com", views: 420 }, { host: "google.com", views: 300 }, { host: "t.co", views: 90 }];

// Top referrers: a kit bar list; a row click emits referrer.selected {referrer}.
class Referrers extends HTMLElement {
  connectedCallback() {
    if (this.firstChild) return;
    const list = document.createElement("tessera-bar-list");
    list.setAttribute("label-key", "host");
    list.setAttribute("label-heading", "Referrer");
    list.setAttribute("emit-topic", "referrer.selected");
    list.setAttribute("emit-field", "referrer");
    list.rows = ROWS;
    this.append(list);
  }
}

// A filtered view: shows the filters it was given (filter.changed) and the referrer
// (referrer.selected); `explode` makes its handler throw.
class FilterView extends HTMLElement {
  received = [];
  connectedCallback() {
    this.style.cssText = "display:block;padding:12px;font:14px system-ui";
    this.innerHTML = `<p>Referrer: <b class="referrer">all</b></p><p>Filters: <code class="filters">{}</code></p><p class="count">0 messages</p>`;
    this.addEventListener("tessera-message", (event) => {
      if (this.hasAttribute("explode")) throw new Error("handler exploded on purpose");
      const { topic, payload } = event.detail;
      this.received.push(event.detail);
      if (topic.startsWith("referrer.selected")) this.querySelector(".referrer").textContent = payload.referrer ?? "all";
      if (topic.startsWith("filter.changed")) this.querySelector(".filters").textContent = JSON.stringify(payload.filters);
      this.querySelector(".count").textContent = `${this.received.length} messages`;
    });
    // a late joiner: what the shell set before we listened
    const last = this.lastValues?.["referrer.selected"];
    if (last) this.querySelector(".referrer").textContent = last.referrer ?? "all";
  }
}

// A misbehaving sender: "bad" emits a payload that breaks the declared schema; "flood"
// emits as fast as it can (10,000 events a second) for `seconds`.
class Sender extends HTMLElement {
  connectedCallback() {
    this.innerHTML = `<button class="bad">Send a bad payload</button><button class="good">Send t.co</button><button class="flood">Flood</button>`;
    const emit = (detail) => this.dispatchEvent(new CustomEvent("referrer.selected", { detail, bubbles: true, composed: true }));
    this.querySelector(".bad").addEventListener("click", () => emit({ referrer: 42 }));
    this.querySelector(".good").addEventListener("click", () => emit({ referrer: "t.co" }));
    this.querySelector(".flood").addEventListener("click", () => this.flood(Number(this.getAttribute("seconds") ?? 2)));
  }
  flood(seconds) {
    const end = performance.now() + seconds * 1000;
    let sent = 0;
    const tick = () => {
      // 10 events per millisecond, in 10 ms slices: 10,000 a second
      for (let i = 0; i < 100; i += 1) {
        this.dispatchEvent(new CustomEvent("referrer.selected", { detail: { referrer: `flood-${sent}.example` }, bubbles: true, composed: true }));
        sent += 1;
      }
      this.sent = sent;
      if (performance.now() < end) setTimeout(tick, 10);
      else this.dataset.done = String(sent);
    };
    tick();
  }
}

// the shell loads this module once per widget id (each under its own /widgets/<id>/ path)
for (const [tag, element] of [["bus-referrers", Referrers], ["bus-filter-view", FilterView], ["bus-sender", Sender]]) {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
