// A token bucket: `capacity` events at once, refilled at `perSecond`; excess is refused
// and counted (the bus flags a widget whose events were refused).

export class RateLimit {
  constructor({ capacity = 60, perSecond = 30, now = () => performance.now() } = {}) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.now = now;
    this.tokens = capacity;
    this.updated = now();
    this.refused = 0;
  }

  take() {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updated) / 1000) * this.perSecond);
    this.updated = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.refused += 1;
    return false;
  }
}
