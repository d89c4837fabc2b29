/** The console's HTML shell: the landmarks and the navigation; the pages render into <main>. */

const PAGES = [
  ['connections', 'Connections'],
  ['entities', 'Entities'],
  ['actions', 'Actions'],
  ['triggers', 'Triggers'],
  ['billing', 'Billing'],
] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderShell(title: string): string {
  const safe = escapeHtml(title);
  const links = PAGES.map(([id, label]) => `<li><a href="#/${id}" data-page="${id}">${label}</a></li>`).join(
    '',
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${safe} console</title>
<link rel="icon" href="/console/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/style.css">
<script type="module" src="/console/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">${safe}</span>
  <nav aria-label="Pages" hidden id="nav"><ul>${links}</ul></nav>
  <div class="session" hidden id="session">
    <label for="connection-select">Connection</label>
    <select id="connection-select"></select>
    <button type="button" id="sign-out">Sign out</button>
  </div>
</header>
<main id="main" tabindex="-1"><p>Loading the console…</p><noscript>The console needs JavaScript.</noscript></main>
<div id="status" class="status" role="status" aria-live="polite"></div>
</body>
</html>
`;
}
