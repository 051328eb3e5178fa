// The page frame shared by every page: one small stylesheet, a header, a centered card.
import { Html, html } from './html.js';

const STYLE = `
:root{color-scheme:light;--ink:#1d2430;--muted:#5b6675;--line:#d9dee7;--brand:#2454d6;--ok:#1d7f46;--bad:#b4322a;--bg:#f3f5f9}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{display:flex;justify-content:space-between;align-items:center;max-width:560px;margin:0 auto;padding:20px 16px 0}
header a{color:var(--muted);text-decoration:none;font-size:.9rem}
.brand{font-weight:650;color:var(--ink);font-size:1rem}
main{max-width:560px;margin:16px auto 40px;padding:0 16px}
.card{background:#fff;border:1px solid var(--line);border-radius:14px;padding:28px;box-shadow:0 6px 24px #1d24300f}
h1{font-size:1.45rem;margin:0 0 6px}
p{margin:0 0 14px}.muted{color:var(--muted)}.small{font-size:.88rem}.hint{margin:22px 0 0}.field-hint{margin:6px 0 0}
label{display:block;font-weight:600;margin:0 0 6px}
input[type=text]{width:100%;padding:10px 12px;font:inherit;border:1px solid #b8c0cc;border-radius:9px}
input[type=text]:focus,button:focus-visible,a:focus-visible{outline:3px solid #2454d655;outline-offset:1px}
.check{display:flex;gap:8px;align-items:center;font-weight:400;margin:14px 0 0}
.actions{display:flex;gap:10px;flex-wrap:wrap;align-items:center;margin-top:20px}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:10px 18px;border-radius:9px;border:1px solid var(--brand);background:var(--brand);color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:var(--ink);border-color:#b8c0cc}
form.inline{display:inline}
.notice{padding:12px 14px;border-radius:9px;margin:0 0 18px;border:1px solid}
.notice.error{background:#fdf0ef;border-color:#f0c4c0;color:#7d1f18}
.notice.info{background:#eef3fd;border-color:#c5d4f5;color:#1c3c8f}
.context{background:var(--bg);border-radius:9px;padding:12px 14px;margin:16px 0;font-weight:600;overflow-wrap:anywhere}
.card p,.notice{overflow-wrap:anywhere}
.status{display:flex;gap:10px;align-items:center;color:var(--muted)}
.spinner{width:18px;height:18px;border:3px solid #c9d3e6;border-top-color:var(--brand);border-radius:50%;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
dl{display:grid;grid-template-columns:max-content 1fr;gap:8px 16px;margin:18px 0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
code,.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.code{font-size:1.6rem;font-weight:700;letter-spacing:.08em}
img.qr{display:block;margin:12px 0;border-radius:8px;max-width:100%}
.activity{margin-top:16px;padding:20px}.activity h2{font-size:1.05rem;margin:0 0 4px}
.activity table{width:100%;border-collapse:collapse;font-size:.8rem}
.activity th{text-align:left;color:var(--muted);font-weight:600}
.activity th,.activity td{padding:4px 6px;border-top:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
.activity tr.success td:nth-child(3){color:var(--ok)}.activity tr.failure td:nth-child(3){color:var(--bad)}
`;

// The stylesheet is a constant of this file, not data: inserted as is.
const STYLESHEET = new Html(STYLE);

/** A full page: `title` for the tab, `body` inside the card, `aside` (a card of its own) below it. */
export function layout(options: {
  title: string;
  appName: string;
  body: Html;
  head?: Html;
  nav?: Html;
  aside?: Html;
}): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · ${options.appName}</title>
        <style>
          ${STYLESHEET}
        </style>
        ${options.head}
      </head>
      <body>
        <header>
          <a class="brand" href="/">${options.appName}</a>
          <nav>${options.nav}</nav>
        </header>
        <main>
          <div class="card">${options.body}</div>
          ${options.aside}
        </main>
      </body>
    </html> `;
}
