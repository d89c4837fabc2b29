/* global document */
/**
 * Deliveries per minute over the last 30 minutes as an SVG bar chart, with the same numbers in a
 * text summary for screen readers.
 */
const SVG = 'http://www.w3.org/2000/svg';
import { h } from '../dom.js';

function timeOf(d) {
  const t = d.finishedAt ?? d.at ?? d.deliveredAt ?? d.createdAt ?? d.queuedAt ?? d.time;
  if (typeof t === 'number') return t < 1e12 ? t * 1000 : t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

export function perMinute(deliveries, now = Date.now(), minutes = 30) {
  const buckets = new Array(minutes).fill(0);
  for (const d of deliveries) {
    const t = timeOf(d);
    if (t === null) continue;
    const ago = Math.floor((now - t) / 60_000);
    if (ago >= 0 && ago < minutes) buckets[minutes - 1 - ago]++;
  }
  return buckets;
}

export function deliveryChart(deliveries) {
  const buckets = perMinute(deliveries);
  const max = Math.max(1, ...buckets);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${buckets.length * 10} 50`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('aria-hidden', 'true');
  buckets.forEach((n, i) => {
    const bar = document.createElementNS(SVG, 'rect');
    const height = (n / max) * 48;
    bar.setAttribute('x', String(i * 10 + 1));
    bar.setAttribute('y', String(50 - height));
    bar.setAttribute('width', '8');
    bar.setAttribute('height', String(height));
    svg.append(bar);
  });
  const total = buckets.reduce((a, b) => a + b, 0);
  return h(
    'figure',
    { class: 'chart-box' },
    svg,
    h(
      'figcaption',
      {},
      `Deliveries per minute, last 30 minutes: ${total} in all, at most ${Math.max(...buckets)} in a minute.`,
    ),
  );
}
