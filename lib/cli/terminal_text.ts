/**
 * Text the CLI writes to a terminal, made inert. Text output carries values the API returns, and some
 * of them are chosen by other people: a device's name is typed on the phone by its user. A terminal
 * acts on the control characters in what it prints (escape sequences can clear or rewrite the screen,
 * set the window title or, where OSC 52 is honoured, write the clipboard), and a line break in a value
 * forges a line of the table. So every line of text output passes through {@link terminalLines}, which
 * shows each C0 control (newline and tab included), DEL and each C1 control as `\xHH`: the operator sees
 * that the value holds one, the terminal acts on nothing. JSON output goes through {@link jsonLine}:
 * JSON.stringify escapes the C0 controls but writes DEL and the C1 controls as they are, so those are
 * written as `\u00HH` escapes (the same JSON value). docs/security.md, "Hostile input".
 */

// eslint-disable-next-line no-control-regex -- the control characters are what is escaped
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with every C0 control, DEL and C1 control shown as `\xHH`: one line, whatever it holds. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Lines (a string is one line) as terminal text: each escaped, joined by newlines, ending in one. */
export function terminalLines(text: string | readonly string[]): string {
  const lines = typeof text === 'string' ? [text] : text;
  return `${lines.map(escapeControls).join('\n')}\n`;
}

const RAW_IN_JSON = /[\u007f-\u009f]/g;

/** `value` as one line of JSON holding no raw control character (they occur only inside its strings). */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(RAW_IN_JSON, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}\n`;
}
