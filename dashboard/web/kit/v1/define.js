// Define a custom element once (a second copy of the kit on the page keeps the first definition).
export function define(tag, elementClass) {
  if (!customElements.get(tag)) customElements.define(tag, elementClass);
  return customElements.get(tag);
}
