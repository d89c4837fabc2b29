/* global document, window */
/** The console's entry: sign in, the connection picker, and a hash router over the pages. */
import { api, ApiError, session } from './api.js';
import { announce, errorBox, field, fill, h, onSubmit } from './dom.js';
import { connectionsPage } from './pages/connections.js';
import { entitiesPage } from './pages/entities.js';
import { actionsPage } from './pages/actions.js';
import { triggersPage } from './pages/triggers.js';
import { billingPage } from './pages/billing.js';

const PAGES = {
  connections: connectionsPage,
  entities: entitiesPage,
  actions: actionsPage,
  triggers: triggersPage,
  billing: billingPage,
};
const main = document.getElementById('main');
let leave = null;

function signInPage(message) {
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const problem = h('div');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h(
      'p',
      {},
      'Paste an API token (sct_…). It is kept in this tab only and sent as an Authorization header.',
    ),
    field('API token', input),
    problem,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  if (message) fill(problem, errorBox(message));
  onSubmit(form, problem, async () => {
    session.token = input.value.trim();
    input.value = '';
    try {
      await start();
    } catch (error) {
      session.token = null;
      throw error;
    }
  });
  fill(main, form);
  input.focus();
}

async function loadConnections() {
  const { data } = await api('/api/connections');
  const select = document.getElementById('connection-select');
  fill(
    select,
    data.length
      ? data.map((c) => h('option', { value: c.name }, c.name))
      : h('option', { value: '' }, '(none)'),
  );
  if (!data.some((c) => c.name === session.connection)) session.connection = data[0]?.name ?? null;
  select.value = session.connection ?? '';
  return data;
}

async function start() {
  await loadConnections();
  document.getElementById('nav').hidden = false;
  document.getElementById('session').hidden = false;
  if (!window.location.hash) window.location.hash = '#/entities';
  else await route();
}

async function route() {
  if (!session.token) return signInPage();
  const [name, ...rest] = window.location.hash.replace(/^#\/?/, '').split('/');
  const page = PAGES[name] ?? PAGES.entities;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === (PAGES[name] ? name : 'entities')) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  leave?.();
  leave = null;
  fill(main);
  try {
    leave =
      (await page(main, { params: rest.map(decodeURIComponent), reloadConnections: loadConnections })) ??
      null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(error);
    fill(main, errorBox(error));
  }
  document.title = `${main.querySelector('h1')?.textContent ?? 'Console'} · stripe-connector`;
}

function signOut(reason) {
  leave?.();
  leave = null;
  session.token = null;
  session.connection = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('session').hidden = true;
  signInPage(reason);
  announce('Signed out');
}

document.getElementById('sign-out').addEventListener('click', () => signOut());
document.getElementById('connection-select').addEventListener('change', (event) => {
  session.connection = event.target.value;
  announce(`Connection ${session.connection}`);
  route();
});
window.addEventListener('hashchange', () => route());

if (session.token) start().catch((error) => signOut(error));
else signInPage();
