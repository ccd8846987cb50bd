// The operator's verification queue: filter, read each application, verify or reject with a
// reason the applicant will see, and look at an organisation's review history.

import { api, query, seg } from '../api.js';
import { initShell } from '../shell.js';
import { t } from '../i18n.js';
import {
  $, badge, charCount, clearErrors, el, errorMessage, facts, flash, note, phoneEl, regionText,
  replaceChildren, setBusy, showErrors, timeEl, validationError, withBusy,
} from '../ui.js';

/** The words for a document's kind. */
function docKind(kind) {
  return kind === 'business_licence' ? 'verify.doc_business_licence' : 'verify.doc_other_kind';
}

const LIMIT = 20;
const REASON_MIN = 2;
const REASON_MAX = 500;
const STATUSES = ['pending', 'verified', 'rejected'];

const filtersForm = $('#filters');
const results = $('#results');
const count = $('#results-count');
const pager = $('#pager');

const state = { status: 'pending', kind: '', q: '', offset: 0 };

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.status = STATUSES.includes(p.get('status')) ? p.get('status') : 'pending';
  state.kind = p.get('kind') || '';
  state.q = p.get('q') || '';
  state.offset = Math.max(0, Number.parseInt(p.get('offset') || '0', 10) || 0);
  filtersForm.elements.namedItem('status').value = state.status;
  filtersForm.elements.namedItem('kind').value = state.kind;
  filtersForm.elements.namedItem('q').value = state.q;
}

function writeUrl() {
  const search = query({
    status: state.status === 'pending' ? '' : state.status,
    kind: state.kind,
    q: state.q,
    offset: state.offset || '',
  });
  history.replaceState(null, '', location.pathname + search);
}

async function load() {
  writeUrl();
  results.setAttribute('aria-busy', 'true');
  try {
    const page = await api.get('/admin/orgs' + query({
      status: state.status, kind: state.kind, q: state.q, limit: LIMIT, offset: state.offset,
    }));
    // Acting on the last card of a page leaves it empty: step back instead of showing nothing.
    if (page.items.length === 0 && state.offset > 0 && page.total > 0) {
      state.offset = Math.max(0, state.offset - LIMIT);
      await load();
      return;
    }
    render(page);
  } catch (err) {
    if (err.redirecting) return;
    replaceChildren(results, note('error', err.message));
    replaceChildren(count);
    pager.hidden = true;
  } finally {
    results.removeAttribute('aria-busy');
  }
}

function render(page) {
  replaceChildren(count, el('span', { i18n: 'verify.count', args: { n: page.total } }));
  if (!page.items.length) {
    replaceChildren(results, note('empty', { i18n: 'verify.empty_' + state.status }));
  } else {
    replaceChildren(results, el('ul', { class: 'cards' }, page.items.map((org) => el('li', {}, card(org)))));
  }
  const from = page.total ? page.offset + 1 : 0;
  const to = page.offset + page.items.length;
  pager.hidden = page.total <= LIMIT && page.offset === 0;
  $('#page-prev').disabled = page.offset <= 0;
  $('#page-next').disabled = to >= page.total;
  replaceChildren($('#page-info'), el('span', { i18n: 'verify.page_info', args: { from, to, total: page.total } }));
}

function person(name, phone) {
  return el('span', { class: 'person' },
    name ? el('span', { text: name }) : null,
    name && phone ? ' · ' : null,
    phone ? phoneEl(phone) : null);
}

/**
 * The pictures of the organisation's papers (business licence first), at a size an operator can
 * read, each opening full size. Served to the operator only (the organisation's members too),
 * never public.
 */
async function documents(org, box) {
  try {
    const docs = (await api.get(`/orgs/${seg(org.id)}/documents`)) || [];
    const ordered = [...docs].sort((a, b) => (a.kind === 'business_licence' ? 0 : 1) - (b.kind === 'business_licence' ? 0 : 1));
    replaceChildren(box, ordered.length
      ? el('ul', { class: 'org-documents', 'data-testid': 'queue-documents' }, ordered.map((d) => {
        // The operator removes a wrong or expired picture (the owner cannot once verified).
        const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'verify.document_delete', 'data-testid': 'queue-document-delete' });
        remove.addEventListener('click', async () => {
          if (!window.confirm(t('verify.document_delete_question', { name: org.name }))) return;
          await withBusy(remove, async () => {
            await api.del(`/orgs/${seg(org.id)}/documents/${seg(d.id)}`);
            flash(el('span', { i18n: 'verify.document_deleted' }), 'success');
            await documents(org, box);
          });
        });
        return el('li', { 'data-testid': 'queue-document', dataset: { kind: d.kind } },
          el('a', { href: d.url, target: '_blank', rel: 'noopener' },
            el('img', { src: d.url, alt: t('verify.document_alt', { name: org.name, kind: t(docKind(d.kind)) }), width: '320', height: String(Math.round(320 * (d.height || 1) / (d.width || 1))), loading: 'lazy', 'data-testid': 'queue-document-image' })),
          el('span', { class: 'muted small', i18n: docKind(d.kind) }),
          el('span', { class: 'muted small' }, timeEl(d.uploaded_at)),
          remove);
      }))
      : el('p', { class: 'note note-warn', i18n: 'verify.no_documents', 'data-testid': 'queue-no-documents' }));
  } catch (err) {
    if (!err.redirecting) replaceChildren(box, note('error', errorMessage(err)));
  }
}

function card(org) {
  const titleId = `org-${org.id}-title`;
  const article = el('article', {
    class: 'card org-card queue-card',
    'aria-labelledby': titleId,
    'data-testid': 'queue-card',
    dataset: { orgId: org.id, status: org.status },
  });
  const actions = el('div', { class: 'actions' });
  const rejectSlot = el('div');
  const historySlot = el('div', { class: 'history', id: `history-${org.id}`, hidden: true });

  if (org.status === 'pending') {
    const verify = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'verify.verify', 'data-testid': 'queue-verify' });
    const reject = el('button', { type: 'button', class: 'btn btn-danger', i18n: 'verify.reject', 'data-testid': 'queue-reject' });
    verify.addEventListener('click', () => confirmVerify(org, actions));
    reject.addEventListener('click', () => openReject(org, rejectSlot, reject));
    actions.append(verify, reject);
  }
  const historyButton = el('button', {
    type: 'button',
    class: 'btn btn-quiet',
    i18n: 'verify.history',
    'aria-expanded': 'false',
    'aria-controls': historySlot.id,
    'data-testid': 'queue-history',
  });
  historyButton.addEventListener('click', () => toggleHistory(org, historySlot, historyButton));
  actions.append(historyButton);

  const owner = org.owner || {};
  const docsBox = el('div', { class: 'org-documents-box' }, el('span', { class: 'muted', i18n: 'common.loading' }));
  replaceChildren(article,
    el('div', { class: 'item-head' },
      el('h3', { id: titleId, class: 'item-title', 'data-testid': 'queue-name', text: org.name }),
      badge('status', org.status, 'queue-status')),
    el('p', { class: 'meta' }, el('span', { class: 'tag', i18n: 'kind.' + org.kind, 'data-testid': 'queue-kind' })),
    org.status === 'rejected' && org.status_reason
      ? el('p', { class: 'reason', 'data-testid': 'queue-reason' },
        el('strong', { i18n: 'org.reason_label' }), ' ', el('span', { text: org.status_reason }))
      : null,
    facts([
      ['org.licence_short', el('span', { class: 'mono', text: org.licence_no }), 'queue-licence'],
      ['org.f_region', el('span', { text: regionText(org.region) }), 'queue-region'],
      ['org.address', org.address ? el('span', { text: org.address }) : null],
      ['verify.contact', person(org.contact_name, org.contact_phone), 'queue-contact'],
      ['verify.owner', owner.display_name || owner.phone ? person(owner.display_name, owner.phone) : null, 'queue-owner'],
      ['org.submitted_at', timeEl(org.created_at), 'queue-submitted'],
      ['org.verified_at_label', org.verified_at ? timeEl(org.verified_at) : null],
    ]),
    docsBox,
    actions,
    rejectSlot,
    historySlot,
  );
  documents(org, docsBox);
  return article;
}

function confirmVerify(org, actions) {
  const previous = Array.from(actions.childNodes);
  const yes = el('button', { type: 'button', class: 'btn btn-primary', i18n: 'verify.verify_confirm', 'data-testid': 'queue-verify-confirm' });
  const no = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  no.addEventListener('click', () => {
    replaceChildren(actions, previous);
    actions.querySelector('button').focus();
  });
  yes.addEventListener('click', () => withBusy(yes, async () => {
    await api.post(`/admin/orgs/${seg(org.id)}/verify`);
    flash(el('span', { i18n: 'verify.verified', args: { name: org.name } }), 'success');
    await load();
    $('#results-title').focus();
  }));
  replaceChildren(actions, el('p', { class: 'confirm-question', i18n: 'verify.verify_question', args: { name: org.name } }), yes, no);
  yes.focus();
}

function openReject(org, slot, opener) {
  if (slot.firstChild) {
    slot.querySelector('textarea').focus();
    return;
  }
  const id = `reason-${org.id}`;
  const counter = el('span', { class: 'counter', 'aria-live': 'off' });
  const textarea = el('textarea', {
    id,
    name: 'reason',
    rows: '3',
    required: true,
    maxlength: String(REASON_MAX * 2),
    'aria-describedby': `${id}-hint ${id}-error`,
    'data-testid': 'reject-reason',
  });
  const updateCounter = () => { counter.textContent = `${charCount(textarea.value.trim())} / ${REASON_MAX}`; };
  textarea.addEventListener('input', updateCounter);
  updateCounter();

  const submit = el('button', { type: 'submit', class: 'btn btn-danger', i18n: 'verify.reject_confirm', 'data-testid': 'queue-reject-confirm' });
  const cancel = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel' });
  const form = el('form', { class: 'subform reject-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'queue-reject-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: id, i18n: 'verify.reason_label' }),
      textarea,
      el('p', { class: 'hint', id: `${id}-hint` }, el('span', { i18n: 'verify.reason_hint' }), ' ', counter),
      el('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': 'reason', hidden: true })),
    el('div', { class: 'actions' }, submit, cancel));

  cancel.addEventListener('click', () => {
    replaceChildren(slot);
    opener.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = textarea.value.trim();
    const n = charCount(reason);
    if (n < REASON_MIN || n > REASON_MAX) {
      showErrors(form, validationError({ reason: t('verify.reason_length', { min: REASON_MIN, max: REASON_MAX }) }));
      return;
    }
    setBusy(submit, true);
    try {
      await api.post(`/admin/orgs/${seg(org.id)}/reject`, { reason });
      flash(el('span', { i18n: 'verify.rejected', args: { name: org.name } }), 'success');
      await load();
      $('#results-title').focus();
    } catch (err) {
      showErrors(form, err);
      setBusy(submit, false);
    }
  });
  replaceChildren(slot, form);
  textarea.focus();
}

async function toggleHistory(org, slot, button) {
  const open = button.getAttribute('aria-expanded') === 'true';
  button.setAttribute('aria-expanded', String(!open));
  slot.hidden = open;
  if (open) return;
  replaceChildren(slot, note('muted', { i18n: 'common.loading' }));
  try {
    const entries = (await api.get(`/orgs/${seg(org.id)}/history`)) || [];
    if (!entries.length) {
      replaceChildren(slot, note('empty', { i18n: 'verify.no_history' }));
      return;
    }
    replaceChildren(slot,
      el('h4', { i18n: 'verify.history_title' }),
      el('ol', { class: 'timeline', 'data-testid': 'queue-history-list' }, entries.map((h) =>
        el('li', { class: 'timeline-item', dataset: { action: h.action } },
          el('div', { class: 'timeline-head' },
            el('span', { class: 'badge badge-h-' + h.action, i18n: 'history.' + h.action }),
            ' ',
            timeEl(h.at)),
          el('p', { class: 'muted' }, el('span', { i18n: 'verify.by' }), ' ', el('span', { text: h.actor || '—' })),
          h.reason ? el('p', { class: 'reason' }, el('strong', { i18n: 'org.reason_label' }), ' ', el('span', { text: h.reason })) : null))));
  } catch (err) {
    if (!err.redirecting) replaceChildren(slot, note('error', err.message));
  }
}

filtersForm.addEventListener('submit', (event) => {
  event.preventDefault();
  state.status = filtersForm.elements.namedItem('status').value;
  state.kind = filtersForm.elements.namedItem('kind').value;
  state.q = filtersForm.elements.namedItem('q').value.trim();
  state.offset = 0;
  flash(null);
  load();
});
// Changing a select is a choice already made: apply it without another tap.
for (const name of ['status', 'kind']) {
  filtersForm.elements.namedItem(name).addEventListener('change', () => filtersForm.requestSubmit());
}
$('#page-prev').addEventListener('click', () => {
  state.offset = Math.max(0, state.offset - LIMIT);
  load();
});
$('#page-next').addEventListener('click', () => {
  state.offset += LIMIT;
  load();
});

const { me, error } = await initShell({ auth: 'required' });
if (me && me.account.platform_role === 'operator') {
  $('#queue').hidden = false;
  readUrl();
  await load();
} else if (me) {
  $('#forbidden').hidden = false;
} else if (error && !error.redirecting) {
  $('#queue').hidden = false;
  readUrl();
  replaceChildren(results, note('muted', { i18n: 'common.unavailable' }));
}
