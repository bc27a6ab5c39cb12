/** HTML text helpers for the report (Node side). Every user string goes through `esc`. */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

/**
 * JSON for a <script type="application/json"> block: `<` becomes \u003c so no `</script>` or
 * `<!--` can ever appear inside; U+2028/2029 are escaped for old parsers. Numbers are rounded to
 * 6 significant digits (the charts cannot show more) to keep the file small.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline JavaScript in a <script>: a literal `</script` inside a string would end the element. */
export function inlineScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function sig(v: number, digits = 3): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const d = a >= 100 ? 0 : a >= 10 ? Math.max(0, digits - 2) : a >= 1 ? Math.max(0, digits - 1) : digits;
  return trimZeros(v.toFixed(Math.min(d, 6)));
}

/** A time in ms with its own unit: 261.6 ms, 4.2 µs, 1.53 s. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  if (a === 0) return '0';
  if (a >= 1000) return `${sig(ms / 1000)} s`;
  if (a >= 1) return `${sig(ms)} ms`;
  if (a >= 0.001) return `${sig(ms * 1000)} µs`;
  return `${sig(ms * 1e6)} ns`;
}

/** An exact count with thin-space thousands separators. */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (!Number.isInteger(n)) return sig(n);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

export function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v === Infinity) return '+∞';
  if (v === -Infinity) return '−∞';
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6 || (a > 0 && a < 1e-3)) return v.toExponential(2);
  return sig(v);
}

/** A signed value (difference): explicit + for positive, a real minus sign for negative. */
export function signed(text: string, v: number | null): string {
  if (v === null || !Number.isFinite(v) || v === 0) return text.replace(/^-/, '−');
  return v > 0 ? `+${text}` : text.replace(/^-/, '−');
}

export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v === Infinity) return '+∞ %';
  if (v === -Infinity) return '−∞ %';
  return signed(`${fmtNum(v)} %`, v);
}
