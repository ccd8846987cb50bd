// My organisations: the list with verification status (and the operator's reason when
// rejected), the application form, and for the selected one its details, editing (owner),
// members and invitations.

import { api, seg } from '../api.js';
import { initShell } from '../shell.js';
import { t } from '../i18n.js';
import {
  $, badge, clear, clearErrors, el, facts, flash, flashError, note, optional, phoneEl, regionText,
  replaceChildren, setBusy, showErrors, timeEl, validationError, value, withBusy,
} from '../ui.js';

const REGION_PARTS = ['province', 'city', 'county', 'township', 'village'];
const REVIEWED_FIELDS = ['name', 'licence_no', 'region'];

const state = { me: null, orgs: [], selected: null };

const mineBody = $('#mine-body');
const detail = $('#org-detail');
const editForm = $('#edit-form');
const inviteForm = $('#invite-form');
const createForm = $('#create-form');
const createToggle = $('#create-toggle');

// ---- list ----------------------------------------------------------------------------------

async function loadMine() {
  try {
    state.orgs = (await api.get('/orgs/mine')) || [];
    renderMine();
    return true;
  } catch (err) {
    if (!err.redirecting) replaceChildren(mineBody, note('error', err.message));
    return false;
  }
}

function reasonBlock(org, testid) {
  if (org.status !== 'rejected') return null;
  return el('div', { class: 'reason', 'data-testid': testid },
    el('p', {},
      el('strong', { i18n: 'org.reason_label' }),
      ' ',
      el('span', { class: 'reason-text', 'data-testid': testid + '-text', text: org.status_reason || '—' })),
    el('p', { class: 'hint', i18n: 'org.reason_hint' }));
}

function statusLine(org) {
  if (org.status === 'pending') return el('p', { class: 'muted', i18n: 'org.pending_hint' });
  if (org.status === 'verified') {
    return el('p', { class: 'muted' }, el('span', { i18n: 'org.verified_at' }), ' ', timeEl(org.verified_at));
  }
  return null;
}

function renderMine() {
  if (!state.orgs.length) {
    replaceChildren(mineBody, note('empty', { i18n: 'org.none' }));
    return;
  }
  const ul = el('ul', { class: 'list' });
  for (const org of state.orgs) {
    const selected = state.selected && state.selected.id === org.id;
    const open = el('button', {
      type: 'button',
      class: 'btn btn-secondary',
      i18n: 'org.open',
      'aria-controls': 'org-detail',
      'data-testid': 'org-select',
    });
    open.addEventListener('click', () => selectOrg(org.id, { focus: true }));
    ul.append(el('li', {
      class: 'list-item org-card' + (selected ? ' is-selected' : ''),
      'aria-current': selected ? 'true' : null,
      'data-testid': 'my-org-card',
      dataset: { orgId: org.id, status: org.status },
    },
    el('div', { class: 'item-head' },
      el('strong', { class: 'item-title', 'data-testid': 'my-org-name', text: org.name }),
      badge('status', org.status, 'org-status')),
    el('p', { class: 'meta' },
      el('span', { class: 'tag', i18n: 'kind.' + org.kind }),
      org.my_role ? el('span', { class: 'muted', i18n: 'org.my_role_' + org.my_role }) : null),
    reasonBlock(org, 'org-status-reason'),
    statusLine(org),
    el('div', { class: 'actions' }, open)));
  }
  replaceChildren(mineBody, ul);
}

// ---- the selected organisation ---------------------------------------------------------------

function isOwner(org) {
  return org && org.my_role === 'owner';
}

/** The roles a member of `org` may have: purchasers and purchasing managers belong to business
 * buyers only (issue #22). */
function rolesFor(org) {
  return org && org.kind === 'business_buyer'
    ? ['purchaser', 'manager', 'staff', 'owner']
    : ['staff', 'owner'];
}

const ROLE_KEYS = { owner: 'role.owner', staff: 'role.staff', purchaser: 'role.purchaser', manager: 'role.manager' };

function roleOptions(org, current) {
  return rolesFor(org).map((r) => el('option', { value: r, i18n: ROLE_KEYS[r], selected: r === current }));
}

async function selectOrg(id, { focus = false } = {}) {
  const url = new URL(location.href);
  url.searchParams.set('id', id);
  history.replaceState(null, '', url);
  editForm.hidden = true;
  try {
    state.selected = await api.get(`/orgs/${seg(id)}`);
  } catch (err) {
    if (err.redirecting) return;
    state.selected = null;
    detail.hidden = true;
    flashError(err);
    return;
  }
  renderMine();
  renderDetail();
  detail.hidden = false;
  if (focus) {
    detail.focus({ preventScroll: true });
    detail.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }
  await Promise.all([loadMembers(), isOwner(state.selected) ? loadInvitations() : null]);
}

function renderDetail() {
  const org = state.selected;
  $('#detail-title').textContent = org.name;
  replaceChildren($('#detail-status'), badge('status', org.status, 'detail-status'));
  replaceChildren($('#detail-reason'), reasonBlock(org, 'detail-reason'));
  replaceChildren($('#detail-facts'), facts([
    ['org.f_kind', el('span', { i18n: 'kind.' + org.kind })],
    ['org.licence_short', el('span', { class: 'mono', text: org.licence_no })],
    ['org.f_region', el('span', { text: regionText(org.region) })],
    ['org.address', org.address ? el('span', { text: org.address }) : null],
    ['org.f_contact_name', el('span', { text: org.contact_name })],
    ['org.f_contact_phone', phoneEl(org.contact_phone)],
    ['org.submitted_at', timeEl(org.created_at)],
    ['org.verified_at_label', org.verified_at ? timeEl(org.verified_at) : null],
    ['org.my_role', org.my_role ? el('span', { i18n: 'role.' + org.my_role }) : null],
  ]));

  const actions = $('#detail-actions');
  clear(actions);
  if (isOwner(org)) {
    const edit = el('button', {
      type: 'button',
      class: org.status === 'rejected' ? 'btn btn-primary' : 'btn btn-secondary',
      i18n: org.status === 'rejected' ? 'org.edit_resubmit' : 'org.edit',
      'aria-controls': 'edit-form',
      'aria-expanded': 'false',
      'data-testid': 'org-edit',
    });
    edit.addEventListener('click', () => openEdit(edit));
    actions.append(edit);
  }
  $('#invitations-section').hidden = !isOwner(org);
  replaceChildren($('#invite-role'), ...roleOptions(org, rolesFor(org)[0]));
  $('#documents-upload').hidden = !isOwner(org);
  loadDocuments();
}

// ---- the application's papers (business licence), shown to the operator's check ------------

/** Whether the owner may still remove or replace papers: not once the organisation is verified
 * (what the operator approved stays; only the operator removes a picture then). */
function papersOpen(org) {
  return isOwner(org) && org.status !== 'verified';
}

async function loadDocuments() {
  const org = state.selected;
  const list = $('#documents-list');
  try {
    const docs = (await api.get(`/orgs/${seg(org.id)}/documents`)) || [];
    if (state.selected !== org) return;
    const hasLicence = docs.some((d) => d.kind === 'business_licence');
    $('#document-file-label').dataset.i18n = hasLicence ? 'org.document_replace' : 'org.document_add';
    $('#document-file-label').textContent = t(hasLicence ? 'org.document_replace' : 'org.document_add');
    // A verified organisation's licence is not replaced by its owner; a missing one may be added.
    $('#document-file-label').hidden = hasLicence && !papersOpen(org);
    $('#documents-locked').hidden = !(isOwner(org) && org.status === 'verified' && docs.length);
    replaceChildren(list, docs.length
      ? docs.map((d) => {
        const kind = d.kind === 'business_licence' ? 'org.doc_business_licence' : 'org.doc_other_kind';
        const item = el('li', { 'data-testid': 'org-document', dataset: { kind: d.kind } },
          el('img', { src: d.url, alt: '', width: '240', height: String(Math.round(240 * (d.height || 1) / (d.width || 1))) }),
          el('span', { class: 'muted small', i18n: kind }),
          el('span', { class: 'muted small' }, timeEl(d.uploaded_at)));
        if (papersOpen(org)) {
          const remove = el('button', { type: 'button', class: 'btn btn-secondary btn-small', i18n: 'org.document_delete', 'data-testid': 'org-document-delete' });
          remove.addEventListener('click', () => removeDocument(org, d, remove));
          item.append(remove);
        }
        return item;
      })
      : el('li', { class: 'muted', i18n: 'org.no_documents' }));
  } catch (err) {
    if (!err.redirecting) replaceChildren(list, el('li', { class: 'note note-error', text: err.message }));
  }
}

async function removeDocument(org, doc, button) {
  if (!window.confirm(t('org.document_delete_question'))) return;
  const slot = $('#document-file-error');
  slot.hidden = true;
  button.disabled = true;
  try {
    await api.del(`/orgs/${seg(org.id)}/documents/${seg(doc.id)}`);
    flash(el('span', { i18n: 'org.document_deleted' }), 'success');
    await loadDocuments();
  } catch (err) {
    button.disabled = false;
    if (err.redirecting) return;
    slot.textContent = err.message;
    slot.hidden = false;
  }
}

async function uploadDocument(event) {
  const input = event.target;
  const file = input.files && input.files[0];
  input.value = '';
  const slot = $('#document-file-error');
  slot.hidden = true;
  if (!file || !state.selected) return;
  if (!['image/jpeg', 'image/png', 'image/webp'].includes(file.type) || file.size > 8 * 1024 * 1024) {
    slot.textContent = t('org.e_document');
    slot.hidden = false;
    return;
  }
  const body = new FormData();
  body.append('file', file, file.name);
  // A business licence replaces the current one; other papers are added.
  const kind = input.dataset.kind === 'other' ? 'other' : 'business_licence';
  try {
    await api.upload(`/orgs/${seg(state.selected.id)}/documents?kind=${kind}`, body);
    flash(el('span', { i18n: 'org.document_uploaded' }), 'success');
    await loadDocuments();
  } catch (err) {
    if (err.redirecting) return;
    slot.textContent = (err.fields && err.fields.file) || err.message;
    slot.hidden = false;
  }
}

$('#document-file').addEventListener('change', uploadDocument);
$('#document-other-file').addEventListener('change', uploadDocument);

// ---- editing -------------------------------------------------------------------------------

function openEdit(button) {
  const org = state.selected;
  clearErrors(editForm);
  editForm.elements.namedItem('name').value = org.name;
  editForm.elements.namedItem('licence_no').value = org.licence_no;
  for (const part of REGION_PARTS) {
    editForm.elements.namedItem('region.' + part).value = (org.region && org.region[part]) || '';
  }
  editForm.elements.namedItem('address').value = org.address || '';
  editForm.elements.namedItem('contact_name').value = org.contact_name;
  editForm.elements.namedItem('contact_phone').value = org.contact_phone;
  $('#edit-submit').setAttribute('data-i18n', org.status === 'rejected' ? 'org.save_resubmit' : 'org.save');
  $('#edit-submit').textContent = t(org.status === 'rejected' ? 'org.save_resubmit' : 'org.save');
  editForm.hidden = false;
  if (button) button.setAttribute('aria-expanded', 'true');
  editForm.elements.namedItem('name').focus();
}

function closeEdit() {
  editForm.hidden = true;
  const button = $('[data-testid="org-edit"]');
  if (button) {
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }
}

function regionFrom(form) {
  return {
    province: value(form, 'region.province'),
    city: value(form, 'region.city'),
    county: value(form, 'region.county'),
    township: optional(form, 'region.township'),
    village: optional(form, 'region.village'),
  };
}

function sameRegion(a, b) {
  return REGION_PARTS.every((part) => ((a && a[part]) || '') === ((b && b[part]) || ''));
}

/** Only what changed goes in the PATCH, so an unchanged name does not trigger a new review. */
function editChanges(form, org) {
  const changes = {};
  for (const name of ['name', 'licence_no', 'contact_name', 'contact_phone']) {
    const v = value(form, name);
    if (v !== (org[name] || '')) changes[name] = v;
  }
  const address = optional(form, 'address');
  if (address !== (org.address || null)) changes.address = address;
  const region = regionFrom(form);
  if (!sameRegion(region, org.region)) changes.region = region;
  return changes;
}

function requiredMissing(form, names) {
  const missing = {};
  for (const name of names) if (!value(form, name)) missing[name] = t('common.required');
  return missing;
}

editForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const org = state.selected;
  clearErrors(editForm);
  const missing = requiredMissing(editForm,
    ['name', 'licence_no', 'region.province', 'region.city', 'region.county', 'contact_name', 'contact_phone']);
  if (Object.keys(missing).length) {
    showErrors(editForm, validationError(missing));
    return;
  }
  const changes = editChanges(editForm, org);
  if (!Object.keys(changes).length) {
    showErrors(editForm, { message: t('org.nothing_changed'), fields: {} });
    return;
  }
  const submit = $('#edit-submit');
  setBusy(submit, true);
  try {
    const updated = await api.patch(`/orgs/${seg(org.id)}`, changes);
    const backToReview = updated.status === 'pending' && org.status !== 'pending';
    state.selected = { ...org, ...updated, my_role: updated.my_role ?? org.my_role };
    state.orgs = state.orgs.map((o) => (o.id === updated.id ? { ...o, ...state.selected } : o));
    editForm.hidden = true;
    renderMine();
    renderDetail();
    const reviewed = REVIEWED_FIELDS.some((f) => f in changes);
    flash(el('span', { i18n: backToReview ? 'org.resubmitted' : reviewed ? 'org.saved_review' : 'org.saved' }), 'success');
    const edit = $('[data-testid="org-edit"]');
    if (edit) edit.focus();
  } catch (err) {
    showErrors(editForm, err);
  } finally {
    setBusy(submit, false);
  }
});

$('#edit-cancel').addEventListener('click', closeEdit);

// ---- members -------------------------------------------------------------------------------

async function loadMembers() {
  const org = state.selected;
  const body = $('#members-body');
  replaceChildren(body, note('muted', { i18n: 'common.loading' }));
  try {
    const members = (await api.get(`/orgs/${seg(org.id)}/members`)) || [];
    if (state.selected !== org) return;
    renderMembers(members);
  } catch (err) {
    if (!err.redirecting) replaceChildren(body, note('error', err.message));
  }
}

/** Swaps a row's actions for "are you sure?" — no browser dialogs, they look alarming in WeChat. */
function confirmInline(actions, questionKey, args, confirmKey, onConfirm) {
  const previous = Array.from(actions.childNodes);
  const yes = el('button', { type: 'button', class: 'btn btn-danger', i18n: confirmKey, 'data-testid': 'confirm-yes' });
  const no = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel', 'data-testid': 'confirm-no' });
  no.addEventListener('click', () => {
    replaceChildren(actions, previous);
    const first = actions.querySelector('button');
    if (first) first.focus();
  });
  yes.addEventListener('click', () => withBusy(yes, onConfirm));
  replaceChildren(actions,
    el('p', { class: 'confirm-question', role: 'alert', i18n: questionKey, args }),
    yes, no);
  yes.focus();
}

function renderMembers(members) {
  const org = state.selected;
  const body = $('#members-body');
  const myId = state.me.account.id;
  const owner = isOwner(org);
  // The last owner cannot leave (the server refuses): do not offer it.
  const owners = members.filter((m) => m.role === 'owner').length;
  if (!members.length) {
    replaceChildren(body, note('empty', { i18n: 'org.no_members' }));
    return;
  }
  const ul = el('ul', { class: 'list' });
  for (const m of members) {
    const self = m.account_id === myId;
    const actions = el('div', { class: 'actions' });
    if (owner && !self) {
      const selectId = `role-${m.account_id}`;
      const select = el('select', { id: selectId, name: 'role', 'data-testid': 'member-role' },
        roleOptions(org, m.role));
      const save = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'org.change_role', 'data-testid': 'member-role-save' });
      save.addEventListener('click', () => withBusy(save, async () => {
        if (select.value === m.role) return;
        await api.patch(`/orgs/${seg(org.id)}/members/${seg(m.account_id)}`, { role: select.value });
        flash(el('span', { i18n: 'org.role_changed', args: { name: m.display_name } }), 'success');
        await loadMembers();
      }));
      const remove = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'org.remove', 'data-testid': 'member-remove' });
      remove.addEventListener('click', () => confirmInline(actions, 'org.remove_confirm', { name: m.display_name }, 'org.remove', async () => {
        await api.del(`/orgs/${seg(org.id)}/members/${seg(m.account_id)}`);
        flash(el('span', { i18n: 'org.removed', args: { name: m.display_name } }), 'success');
        await loadMembers();
      }));
      actions.append(
        el('div', { class: 'inline-field' },
          el('label', { for: selectId, class: 'visually-hidden', i18n: 'org.role_of', args: { name: m.display_name } }),
          select, save),
        remove);
    } else if (self && !(m.role === 'owner' && owners <= 1)) {
      const leave = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'org.leave', 'data-testid': 'member-leave' });
      leave.addEventListener('click', () => confirmInline(actions, 'org.leave_confirm', { org: org.name }, 'org.leave', async () => {
        await api.del(`/orgs/${seg(org.id)}/members/${seg(m.account_id)}`);
        flash(el('span', { i18n: 'org.left', args: { org: org.name } }), 'success');
        state.selected = null;
        detail.hidden = true;
        const url = new URL(location.href);
        url.searchParams.delete('id');
        history.replaceState(null, '', url);
        await loadMine();
      }));
      actions.append(leave);
    }
    ul.append(el('li', { class: 'list-item', 'data-testid': 'member', dataset: { accountId: m.account_id } },
      el('div', { class: 'item-head' },
        el('strong', { class: 'item-title', text: m.display_name }),
        self ? el('span', { class: 'tag', i18n: 'org.me' }) : null,
        el('span', { class: 'badge badge-' + m.role, i18n: 'role.' + m.role })),
      facts([
        ['org.member_phone', m.phone ? el('span', { text: m.phone }) : null],
        ['org.joined_at', timeEl(m.joined_at)],
      ]),
      actions.childNodes.length ? actions : null));
  }
  replaceChildren(body, ul);
}

// ---- invitations (owner) -------------------------------------------------------------------

async function loadInvitations() {
  const org = state.selected;
  const body = $('#invites-body');
  replaceChildren(body, note('muted', { i18n: 'common.loading' }));
  try {
    const list = (await api.get(`/orgs/${seg(org.id)}/invitations`)) || [];
    if (state.selected !== org) return;
    renderInvitations(list);
  } catch (err) {
    if (!err.redirecting) replaceChildren(body, note('error', err.message));
  }
}

function renderInvitations(list) {
  const org = state.selected;
  const body = $('#invites-body');
  if (!list.length) {
    replaceChildren(body, note('empty', { i18n: 'org.no_invitations' }));
    return;
  }
  const order = { pending: 0, accepted: 1, declined: 2, revoked: 3 };
  const sorted = [...list].sort((a, b) =>
    (order[a.status] ?? 9) - (order[b.status] ?? 9) || String(b.created_at).localeCompare(String(a.created_at)));
  const ul = el('ul', { class: 'list' });
  for (const inv of sorted) {
    let revoke = null;
    if (inv.status === 'pending') {
      revoke = el('button', { type: 'button', class: 'btn btn-danger-quiet', i18n: 'org.revoke', 'data-testid': 'invitation-revoke' });
      revoke.addEventListener('click', () => withBusy(revoke, async () => {
        await api.del(`/orgs/${seg(org.id)}/invitations/${seg(inv.id)}`);
        flash(el('span', { i18n: 'org.invite_revoked', args: { login: inv.login } }), 'success');
        await loadInvitations();
      }));
    }
    ul.append(el('li', { class: 'list-item', 'data-testid': 'org-invitation', dataset: { id: inv.id, status: inv.status } },
      el('div', { class: 'item-head' },
        el('strong', { class: 'item-title', text: inv.login }),
        badge('inv_status', inv.status)),
      facts([
        ['org.invite_role', el('span', { i18n: 'role.' + inv.role })],
        ['org.invited_by', inv.invited_by ? el('span', { text: inv.invited_by }) : null],
        ['org.invited_at', timeEl(inv.created_at)],
      ]),
      revoke ? el('div', { class: 'actions' }, revoke) : null));
  }
  replaceChildren(body, ul);
}

inviteForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(inviteForm);
  const login = value(inviteForm, 'login');
  if (!login) {
    showErrors(inviteForm, validationError({ login: t('common.required') }));
    return;
  }
  const submit = $('[type="submit"]', inviteForm);
  setBusy(submit, true);
  try {
    await api.post(`/orgs/${seg(state.selected.id)}/invitations`, { login, role: value(inviteForm, 'role') });
    inviteForm.reset();
    flash(el('span', { i18n: 'org.invited', args: { login } }), 'success');
    await loadInvitations();
  } catch (err) {
    showErrors(inviteForm, err);
  } finally {
    setBusy(submit, false);
  }
});

// ---- creating ------------------------------------------------------------------------------

function setCreateOpen(open) {
  createForm.hidden = !open;
  createToggle.hidden = open;
  createToggle.setAttribute('aria-expanded', String(open));
}

createToggle.addEventListener('click', () => {
  setCreateOpen(true);
  createForm.elements.namedItem('kind').focus();
});

$('#create-cancel').addEventListener('click', () => {
  clearErrors(createForm);
  setCreateOpen(false);
  createToggle.focus();
});

createForm.elements.namedItem('kind').addEventListener('change', (event) => {
  $('#create-accreditation').hidden = event.target.value !== 'testing_body';
});

createForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(createForm);
  const missing = requiredMissing(createForm,
    ['kind', 'name', 'licence_no', 'region.province', 'region.city', 'region.county', 'contact_name', 'contact_phone']);
  if (Object.keys(missing).length) {
    showErrors(createForm, validationError(missing));
    return;
  }
  const body = {
    kind: value(createForm, 'kind'),
    name: value(createForm, 'name'),
    licence_no: value(createForm, 'licence_no'),
    region: regionFrom(createForm),
    contact_name: value(createForm, 'contact_name'),
    contact_phone: value(createForm, 'contact_phone'),
  };
  const address = optional(createForm, 'address');
  if (address) body.address = address;
  // A testing body (检测机构) registers with its accreditation number, and only it.
  if (body.kind === 'testing_body') body.accreditation_no = value(createForm, 'accreditation_no');

  const submit = $('[type="submit"]', createForm);
  setBusy(submit, true);
  try {
    const org = await api.post('/orgs', body);
    createForm.reset();
    setCreateOpen(false);
    flash(el('span', { i18n: 'org.created', args: { name: org.name } }), 'success');
    await loadMine();
    await selectOrg(org.id, { focus: true });
  } catch (err) {
    showErrors(createForm, err);
  } finally {
    setBusy(submit, false);
  }
});

// ---- start ---------------------------------------------------------------------------------

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  state.me = me;
  const loaded = await loadMine();
  const wanted = new URLSearchParams(location.search).get('id');
  if (wanted) await selectOrg(wanted);
  else if (state.orgs.length === 1) await selectOrg(state.orgs[0].id);
  if (loaded && !state.orgs.length) setCreateOpen(true);
} else if (error && !error.redirecting) {
  replaceChildren(mineBody, note('muted', { i18n: 'common.unavailable' }));
  createToggle.disabled = true;
}
