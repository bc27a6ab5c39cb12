/**
 * Text that reaches a terminal. Names come from scenario and sweep files, so they may hold
 * control characters (ANSI/OSC escapes, carriage returns, C1 codes such as U+009B CSI); every line
 * the CLI prints goes through `termSafe`, which shows them as \xNN / \u{NNNN} instead.
 */
// C0 controls except \n and \t, DEL, C1 controls, and the bidi overrides that reorder what is shown.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function termSafe(s: string): string {
  return s.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}
