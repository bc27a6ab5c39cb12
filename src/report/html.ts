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

// Numbers: the one formatter module, shared with the browser side.
export { fmtCount, fmtMs, fmtNum, fmtPct, signed } from '../io/format.ts';
