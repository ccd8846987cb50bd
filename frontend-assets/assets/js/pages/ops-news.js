// The news desk (资讯管理): a writer's articles (an operator may list everyone's), and for the
// operator the review queue — longest waiting first, each with its age against the 48-hour
// rule — with approve and send back (a reason). Withdrawing a public article needs a reason
// too; pinning puts it on the home page.

import { api, seg } from '../api.js';
import { t } from '../i18n.js';
import { categoryName, statusName } from '../news.js';
import { initShell } from '../shell.js';
import { $, el, flash, flashError, replaceChildren, timeEl, withBusy } from '../ui.js';

let me = null;

function hours(minutes) {
  return Math.floor(minutes / 60);
}

function reasonForm(labelKey, buttonKey, testid, action) {
  const input = el('input', { type: 'text', maxlength: '500', 'data-testid': `${testid}-reason`, 'aria-label': t(labelKey), placeholder: t(labelKey) });
  const button = el('button', { type: 'button', class: 'btn btn-secondary', i18n: buttonKey, 'data-testid': testid });
  button.addEventListener('click', () => withBusy(button, async () => {
    await action(input.value.trim());
  }));
  return el('span', { class: 'inline-form' }, input, ' ', button);
}

function queueRow(item) {
  const a = item.article;
  const approve = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'opsnews.approve', 'data-testid': 'opsnews-approve' });
  approve.addEventListener('click', () => withBusy(approve, async () => {
    await api.post(`/news/articles/${seg(a.id)}/approve`);
    flash(t('opsnews.approved'), 'success');
    await load();
  }));
  const own = a.author_id === me.account.id;
  return el('li', { class: 'entry', 'data-testid': 'opsnews-queue-row', dataset: { id: a.id } },
    el('a', { class: 'entry-title', href: `/ops/news-edit.html?id=${encodeURIComponent(a.id)}`, text: a.working.title }),
    el('p', { class: 'muted' },
      categoryName(a.working.category), ' · ', a.author_name, ' · ', timeEl(a.submitted_at), ' · ',
      el('span', { 'data-testid': 'opsnews-age', class: item.overdue ? 'badge badge-overdue' : '', text: t(item.overdue ? 'opsnews.age_overdue' : 'opsnews.age', { hours: hours(item.age_minutes) }) })),
    own
      ? el('p', { class: 'hint', i18n: 'opsnews.own' })
      : el('p', { class: 'actions' }, approve, ' ',
        reasonForm('opsnews.reject_reason', 'opsnews.reject', 'opsnews-reject', async (reason) => {
          await api.post(`/news/articles/${seg(a.id)}/reject`, { reason });
          flash(t('opsnews.rejected'), 'success');
          await load();
        })));
}

function listRow(a) {
  const actions = [el('a', { class: 'btn btn-secondary', href: `/ops/news-edit.html?id=${encodeURIComponent(a.id)}`, i18n: 'opsnews.edit', 'data-testid': 'opsnews-edit' })];
  if (a.public) {
    actions.push(el('a', { class: 'btn btn-secondary', href: a.url, i18n: 'opsnews.view', 'data-testid': 'opsnews-view' }));
  }
  if (me.account.platform_role === 'operator') {
    const pin = el('button', { type: 'button', class: 'btn btn-secondary', i18n: a.pinned ? 'opsnews.unpin' : 'opsnews.pin', 'data-testid': 'opsnews-pin' });
    pin.addEventListener('click', () => withBusy(pin, async () => {
      await api.post(`/news/articles/${seg(a.id)}/pin`, { pinned: !a.pinned });
      await load();
    }));
    actions.push(pin);
  }
  if (a.published && !a.withdrawn_at) {
    actions.push(reasonForm('opsnews.withdraw_reason', 'opsnews.withdraw', 'opsnews-withdraw', async (reason) => {
      await api.post(`/news/articles/${seg(a.id)}/withdraw`, { reason });
      flash(t('opsnews.withdrawn'), 'success');
      await load();
    }));
  }
  return el('li', { class: 'entry', 'data-testid': 'opsnews-row', dataset: { id: a.id, status: a.status } },
    el('span', { class: 'entry-title', text: a.working.title }),
    el('p', { class: 'muted' },
      el('span', { class: `badge badge-${a.status}`, text: statusName(a.status), 'data-testid': 'opsnews-status' }), ' ',
      a.public ? el('span', { class: 'badge badge-approved', i18n: 'opsnews.is_public' }) : null, ' ',
      a.pinned ? el('span', { class: 'badge', i18n: 'opsnews.is_pinned' }) : null, ' ',
      categoryName(a.working.category), ' · ', timeEl(a.updated_at)),
    a.reject_reason && a.status === 'rejected' ? el('p', { class: 'note note-error', text: t('opsnews.reject_said', { reason: a.reject_reason }) }) : null,
    a.withdrawn_at ? el('p', { class: 'note', text: t('opsnews.withdrawn_said', { reason: a.withdraw_reason || '' }) }) : null,
    el('p', { class: 'actions' }, actions));
}

async function load() {
  try {
    if (me.account.platform_role === 'operator') {
      const q = await api.get('/news/review-queue?limit=100');
      $('#queue-empty').hidden = q.items.length > 0;
      replaceChildren($('#queue-rows'), q.items.map(queueRow));
    }
    const all = $('#all').checked ? '&all=true' : '';
    const list = await api.get(`/news/articles?limit=100${all}`);
    $('#list-empty').hidden = list.items.length > 0;
    replaceChildren($('#list-rows'), list.items.map(listRow));
  } catch (err) {
    flashError(err);
  }
}

({ me } = await initShell({ auth: 'required' }));
if (me) {
  const role = me.account.platform_role;
  if (!['operator', 'official'].includes(role)) {
    $('#forbidden').hidden = false;
  } else {
    $('#desk').hidden = false;
    if (role === 'operator') {
      $('#queue').hidden = false;
      $('#all-wrap').hidden = false;
    }
    $('#all').addEventListener('change', load);
    await load();
  }
}
