/* global AbortController, setTimeout, clearTimeout */
/**
 * The billing dashboard, against the server's /api/billing routes:
 *   GET  /api/billing/integrations        → [{ title, name, mode, account, catalogs, queue }]
 *   GET  /api/billing/catalogs            POST /api/billing/catalogs/{c}/plan|apply { plan }
 *   GET  /api/billing/jobs?integration&status       GET /api/billing/jobs/{id} (attempts)
 *   POST /api/billing/jobs/{id}/retry|discard
 *   POST /api/billing/integrations/{i}/subscriptions { consumer, plan, email, card }
 *   GET  /api/billing/integrations/{i}/consumers[/{consumer}] → subscriptions, invoices
 *   GET  /api/billing/events              server-sent events: `integration` and `job` rows
 * Changes are enqueued (202) and the server's billing runner works them off; the page follows
 * the jobs through the event stream, without polling.
 */
import { api, ApiError, enc, readEvents } from '../api.js';
import { announce, cellText, cellValue, dataTable, errorBox, field, fill, h, onSubmit } from '../dom.js';
import { markField } from '../form.js';

const list = (answer) => answer?.data ?? [];
// Job and subscription states as badge colours: done/ok green, needs attention red, ended grey.
const STATUS_BADGE = {
  succeeded: 'ok',
  active: 'ok',
  trialing: 'ok',
  blocked: 'bad',
  failed: 'bad',
  past_due: 'bad',
  unpaid: 'bad',
  incomplete: 'bad',
  discarded: 'account',
  canceled: 'account',
};
const badge = (status) => h('span', { class: `badge job-${STATUS_BADGE[status] ?? 'test'}` }, status);
/** A table that may scroll sideways when narrow: a focusable, named region, so keyboards can scroll it too. */
const scroll = (table) =>
  h(
    'div',
    {
      class: 'scroll',
      tabindex: '0',
      role: 'region',
      'aria-label': table.querySelector('caption')?.textContent,
    },
    table,
  );

/** The integrations' table: who they are and what their queue holds. */
function integrationsTable(integrations) {
  const columns = [
    'Title',
    'Name',
    'Mode',
    'Account',
    'Catalogs',
    'Queued',
    'Running',
    'Blocked',
    'Failed',
    'Last problem',
  ];
  const value = (i, c) => {
    const q = i.queue ?? {};
    switch (c) {
      case 'Title':
        return i.title;
      case 'Name':
        return h('code', {}, i.name);
      case 'Mode':
        return h('span', { class: `badge ${i.mode === 'live' ? 'live' : 'test'}` }, i.mode);
      case 'Account':
        return i.account;
      case 'Catalogs':
        return i.catalogs.length ? i.catalogs.join(', ') : h('span', { class: 'muted' }, 'none');
      case 'Last problem':
        return q.lastProblem
          ? h(
              'span',
              {},
              `job ${q.lastProblem.job}: ${q.lastProblem.problem} `,
              cellValue(q.lastProblem.at, 'at'),
            )
          : h('span', { class: 'muted' }, 'none');
      default:
        return cellText(q[c.toLowerCase()] ?? 0);
    }
  };
  return scroll(
    dataTable({
      caption: 'Billing integrations and their queues',
      hideCaption: false,
      columns,
      rows: integrations,
      rowHeader: true,
      empty: 'No billing integration yet: add one with `billing integration add`.',
      rowProps: (i) => ({ 'data-integration': i.name }),
      cell: value,
    }),
  );
}

/** Plan and apply: a catalog and its plan file (YAML); "Show changes" is a dry run. */
function planForm(catalogs, onApplied) {
  const catalog = h(
    'select',
    { name: 'catalog', required: true },
    catalogs.map((c) => h('option', { value: c.name }, `${c.name} (${c.kind})`)),
  );
  const plan = h('textarea', { name: 'plan', rows: 8, spellcheck: 'false', required: true, class: 'mono' });
  const problem = h('div');
  const outcome = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'plan-title' },
    h('h2', { id: 'plan-title' }, 'Plans'),
    field('Catalog', catalog),
    field('Plan file (YAML)', plan, 'products and plans, as in examples/plans.yaml'),
    problem,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', name: 'dry', value: 'plan' }, 'Show changes'),
      h('button', { type: 'submit', class: 'primary', name: 'dry', value: 'apply' }, 'Apply plan'),
    ),
    outcome,
  );
  let action = 'plan';
  for (const b of form.querySelectorAll('button[type=submit]'))
    b.addEventListener('click', () => (action = b.value));
  onSubmit(
    form,
    problem,
    async () => {
      const answer = await api(`/api/billing/catalogs/${enc(catalog.value)}/${action}`, {
        method: 'POST',
        body: { plan: plan.value },
      });
      const rows = answer.integrations.flatMap((i) =>
        (i.changes ?? i.jobs ?? []).map((c) => ({ integration: i.integration, ...c })),
      );
      fill(
        outcome,
        h('h3', {}, !rows.length ? 'No change' : action === 'apply' ? 'Enqueued' : 'Would change'),
        rows.length
          ? h(
              'ul',
              {},
              rows.map((r) => h('li', {}, `${r.integration}: ${r.summary}`)),
            )
          : h('p', {}, 'Nothing to change: Stripe has this plan already.'),
      );
      announce(action === 'apply' ? `${rows.length} jobs enqueued` : `${rows.length} changes`);
      if (action === 'apply') await onApplied();
    },
    (error) => markField(form, error),
  );
  return form;
}

/** Subscribe a consumer: the card is a PaymentMethod id (pm_card_visa in test mode). */
function subscribeForm(integrations, onDone) {
  const integration = h(
    'select',
    { name: 'integration', required: true },
    integrations.map((i) => h('option', { value: i.name }, i.title)),
  );
  const input = (name, props = {}) => h('input', { name, autocomplete: 'off', ...props });
  const plan = input('plan', { required: true, placeholder: 'pro-monthly' });
  const consumer = input('consumer', { required: true, placeholder: 'c-1' });
  const email = input('email', { type: 'email' });
  const card = input('card', { value: 'pm_card_visa' });
  const problem = h('div');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'subscribe-title' },
    h('h2', { id: 'subscribe-title' }, 'Subscribe a consumer'),
    h(
      'div',
      { class: 'grid' },
      field('Integration', integration),
      field('Plan', plan),
      field('Consumer id', consumer),
      field('Email', email),
      field('Card (PaymentMethod)', card),
    ),
    problem,
    h('button', { type: 'submit', class: 'primary' }, 'Subscribe'),
  );
  onSubmit(
    form,
    problem,
    async () => {
      const body = { consumer: consumer.value.trim(), plan: plan.value.trim() };
      if (email.value.trim()) body.email = email.value.trim();
      if (card.value.trim()) body.card = card.value.trim();
      const out = await api(`/api/billing/integrations/${enc(integration.value)}/subscriptions`, {
        method: 'POST',
        body,
      });
      announce(
        out.existing ? `${body.consumer} is subscribed already` : `Subscription of ${body.consumer} enqueued`,
      );
      await onDone();
    },
    (error) => markField(form, error),
  );
  return form;
}

/** One job's attempts, shown under its row. */
async function jobDetails(id, into) {
  const job = await api(`/api/billing/jobs/${id}`);
  fill(
    into,
    h(
      'dl',
      { class: 'kv-list' },
      h('dt', {}, 'Idempotency key'),
      h('dd', {}, h('code', {}, job.key ?? '')),
      h('dt', {}, 'Result'),
      h('dd', {}, h('code', {}, cellText(job.result))),
      h('dt', {}, 'Next run'),
      h('dd', {}, cellValue(job.runAt, 'runAt')),
    ),
    scroll(
      dataTable({
        caption: `Attempts of job ${id}`,
        columns: ['attempt', 'worker', 'startedAt', 'finishedAt', 'error'],
        rows: job.attemptLog ?? [],
        empty: 'not run yet',
      }),
    ),
  );
}

/**
 * The details rows under jobs: opened and closed by each job's Details button, and opened again
 * after the list is drawn anew (a live update must not close what the user opened).
 */
function jobDetailsToggle() {
  const open = new Set();
  const show = (id, button) => {
    const cell = h('td', { colspan: 8 }, 'Loading…');
    button.closest('tr').after(h('tr', { 'data-details-of': id, class: 'details' }, cell));
    button.setAttribute('aria-expanded', 'true');
    return jobDetails(id, cell).catch((error) => fill(cell, errorBox(error)));
  };
  return {
    toggle(job, button) {
      const next = button.closest('tr').nextElementSibling;
      if (next?.dataset.detailsOf === String(job.id)) {
        next.remove();
        open.delete(job.id);
        return button.setAttribute('aria-expanded', 'false');
      }
      open.add(job.id);
      return show(job.id, button);
    },
    restore(box) {
      for (const id of open) {
        const button = box.querySelector(`tr[data-job="${id}"] button[aria-expanded]`);
        if (button) void show(id, button);
      }
    },
  };
}

/** The job list: status, problem, and retry or discard where the state allows it. */
function jobsTable(jobs, { retry, discard, details }) {
  const columns = ['ID', 'Integration', 'Job', 'Status', 'Attempts', 'Problem', 'Created', 'Actions'];
  const actions = (j) =>
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', 'aria-expanded': 'false', onclick: (e) => details(j, e.currentTarget) },
        `Details of job ${j.id}`,
      ),
      j.status === 'blocked' || j.status === 'discarded'
        ? h('button', { type: 'button', class: 'primary', onclick: () => retry(j) }, `Retry job ${j.id}`)
        : null,
      ['queued', 'failed', 'blocked'].includes(j.status)
        ? h('button', { type: 'button', class: 'danger', onclick: () => discard(j) }, `Discard job ${j.id}`)
        : null,
    );
  const cell = (j, c) =>
    ({
      ID: String(j.id),
      Integration: j.integration,
      Job: j.summary,
      Status: badge(j.status),
      Attempts: `${j.attempts} of ${j.maxAttempts}`,
      Problem: j.problem ?? '',
      Created: cellValue(j.createdAt, 'createdAt'),
      Actions: actions(j),
    })[c];
  return scroll(
    dataTable({
      caption: 'Billing jobs, newest first',
      hideCaption: false,
      columns,
      rows: [...jobs].sort((a, b) => b.id - a.id),
      empty: 'No job matches.',
      rowProps: (j) => ({ 'data-job': j.id, 'data-status': j.status }),
      cell,
    }),
  );
}

/** One consumer's subscriptions and invoices, as Stripe has them. */
async function consumerView(integration, consumer) {
  const o = await api(`/api/billing/integrations/${enc(integration)}/consumers/${enc(consumer)}`);
  const money = (n, cur) => `${(n / 100).toFixed(2)} ${String(cur ?? '').toUpperCase()}`;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': `consumer-${integration}-${consumer}`, 'data-consumer': consumer },
    h(
      'h3',
      { id: `consumer-${integration}-${consumer}` },
      `${consumer} on ${integration}`,
      o.customer ? ` (${o.customer})` : '',
    ),
    scroll(
      dataTable({
        caption: `Subscriptions of ${consumer}`,
        hideCaption: false,
        columns: ['plan', 'status', 'currentPeriodEnd', 'cancelAtPeriodEnd'],
        rows: o.subscriptions,
        empty: 'none',
        cell: (s, c) => (c === 'status' ? badge(s.status) : cellValue(s[c], c)),
      }),
    ),
    scroll(
      dataTable({
        caption: `Invoices of ${consumer}`,
        hideCaption: false,
        columns: ['id', 'status', 'billingReason', 'amountDue', 'amountPaid', 'created'],
        rows: o.invoices,
        empty: 'none',
        cell: (i, c) =>
          c === 'status'
            ? h('span', { class: `badge ${i.status === 'paid' ? 'job-ok' : 'job-bad'}` }, i.status)
            : c.startsWith('amount')
              ? money(i[c], i.currency)
              : cellValue(i[c], c),
      }),
    ),
  );
}

export async function billingPage(main) {
  let integrations;
  try {
    integrations = list(await api('/api/billing/integrations'));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    fill(
      main,
      h('h1', {}, 'Billing'),
      h('div', { class: 'card notice', role: 'status' }, 'Billing is not enabled on this server.'),
    );
    return;
  }
  const catalogs = list(await api('/api/billing/catalogs'));
  const jobs = new Map(list(await api('/api/billing/jobs')).map((j) => [j.id, j]));
  const state = { status: '', integration: '' };
  const integrationsBox = h('div');
  const jobsBox = h('div');
  const consumersBox = h('div', { 'aria-live': 'polite' });
  const jobProblem = h('div');
  const renderIntegrations = () => fill(integrationsBox, integrationsTable(integrations));
  const shown = (j) =>
    (!state.status || j.status === state.status) &&
    (!state.integration || j.integration === state.integration);
  const renderJobs = () => {
    fill(jobsBox, jobsTable([...jobs.values()].filter(shown), { retry, discard, details: details.toggle }));
    details.restore(jobsBox);
  };
  const act = async (what, job) => {
    fill(jobProblem);
    try {
      const out = await api(`/api/billing/jobs/${job.id}/${what}`, { method: 'POST', body: {} });
      for (const j of out.jobs ?? [out]) jobs.set(j.id, j);
      announce(`Job ${job.id}: ${what === 'retry' ? 'back in its queue' : 'discarded'}`);
      renderJobs();
    } catch (error) {
      fill(jobProblem, errorBox(error));
    }
  };
  const retry = (job) => act('retry', job);
  const discard = (job) => act('discard', job);
  const details = jobDetailsToggle();
  const loadConsumers = async () => {
    const views = [];
    for (const i of integrations)
      for (const c of list(await api(`/api/billing/integrations/${enc(i.name)}/consumers`)))
        views.push(await consumerView(i.name, c.consumer).catch((error) => errorBox(error)));
    fill(consumersBox, views.length ? views : h('p', { class: 'muted' }, 'No consumer has subscribed yet.'));
  };
  const reloadJobs = async () => {
    for (const j of list(await api('/api/billing/jobs'))) jobs.set(j.id, j);
    renderJobs();
  };
  const filters = h(
    'form',
    { class: 'row', 'aria-label': 'Filter jobs', onsubmit: (e) => e.preventDefault() },
    field(
      'Status',
      h(
        'select',
        { name: 'status', onchange: (e) => ((state.status = e.target.value), renderJobs()) },
        h('option', { value: '' }, 'any'),
        ['queued', 'running', 'succeeded', 'failed', 'blocked', 'discarded'].map((s) =>
          h('option', { value: s }, s),
        ),
      ),
    ),
    field(
      'Integration',
      h(
        'select',
        { name: 'integration', onchange: (e) => ((state.integration = e.target.value), renderJobs()) },
        h('option', { value: '' }, 'any'),
        integrations.map((i) => h('option', { value: i.name }, i.title)),
      ),
    ),
  );
  renderIntegrations();
  renderJobs();
  fill(
    main,
    h('h1', {}, 'Billing'),
    h('p', { class: 'muted', id: 'billing-live', 'aria-live': 'polite' }, 'Connecting to live updates…'),
    h('section', { 'aria-label': 'Integrations' }, integrationsBox),
    h('div', { class: 'split-2' }, planForm(catalogs, reloadJobs), subscribeForm(integrations, reloadJobs)),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'jobs-title' },
      h('h2', { id: 'jobs-title' }, 'Jobs'),
      filters,
      jobProblem,
      jobsBox,
    ),
    h(
      'section',
      { 'aria-labelledby': 'consumers-title' },
      h('h2', { id: 'consumers-title' }, 'Consumers'),
      consumersBox,
    ),
  );
  await loadConsumers().catch((error) => fill(consumersBox, errorBox(error)));
  return follow(main, { integrations, jobs, renderIntegrations, renderJobs, loadConsumers });
}

/** Live state: integration rows and jobs from the event stream; a finished consumer job reloads the consumers. */
function follow(main, view) {
  const abort = new AbortController();
  const live = main.querySelector('#billing-live');
  let consumersDue = null;
  readEvents(
    '/api/billing/events',
    (event) => {
      live.textContent = `Live: updated ${new Date().toLocaleTimeString()}`;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (event.event === 'integration') {
        const at = view.integrations.findIndex((i) => i.name === data.name);
        if (at >= 0) view.integrations[at] = data;
        else view.integrations.push(data);
        view.renderIntegrations();
      } else if (event.event === 'job') {
        const before = view.jobs.get(data.id);
        view.jobs.set(data.id, data);
        if (before?.status !== data.status) view.renderJobs();
        // A consumer's subscription changed in Stripe: its invoices are worth reading again (once per burst).
        if (
          data.kind.startsWith('subscription.') &&
          data.status === 'succeeded' &&
          before?.status !== 'succeeded'
        ) {
          clearTimeout(consumersDue);
          consumersDue = setTimeout(() => view.loadConsumers().catch(() => undefined), 200);
        }
      }
    },
    abort.signal,
  )
    .then(() => (live.textContent = 'Live updates ended.'))
    .catch((error) => {
      if (error.name !== 'AbortError')
        live.textContent = `Live updates unavailable: ${error.code ?? error.message}`;
    });
  return () => {
    clearTimeout(consumersDue);
    abort.abort();
  };
}
