// Pure: the SVG path of a sparkline (no DOM; tested in node).

/** Points → an SVG path "M x y L x y …" in a width × height box (y grows downwards). */
export function sparkPath(values, width = 100, height = 28, pad = 2) {
  const numbers = (Array.isArray(values) ? values : []).map(Number).filter(Number.isFinite);
  if (numbers.length === 0) return "";
  if (numbers.length === 1) numbers.push(numbers[0]);
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  const span = max - min || 1;
  const step = (width - 2 * pad) / (numbers.length - 1);
  const round = (n) => Math.round(n * 100) / 100;
  return numbers
    .map((v, i) => `${i ? "L" : "M"}${round(pad + i * step)} ${round(height - pad - ((v - min) / span) * (height - 2 * pad))}`)
    .join(" ");
}
