// A seller's own after-sales quality over a period (the last 30 days to start with), by carrier
// or category: how often buyers claim, how fast the shop answers and settles, how satisfied
// they were. The operator may open any seller's page too (?org=).

import { api, query, seg } from '../api.js';
import { sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, el, note, replaceChildren } from '../ui.js';
import { SELLER_GROUPS, qualityPage } from '../quality.js';
import { isRecallStaff } from '../recalls.js';

const params = new URLSearchParams(location.search);

function pickOrg(memberships) {
  const wanted = params.get('org');
  const chosen = memberships.find((m) => m.org.id === wanted) || memberships[0];
  return chosen ? chosen.org : null;
}

function orgPicker(memberships, org) {
  if (memberships.length < 2) return null;
  const select = el('select', { id: 'org-select', name: 'org', 'data-testid': 'quality-org-select' },
    memberships.map((m) => el('option', { value: m.org.id, selected: m.org.id === org.id, text: m.org.name })));
  select.addEventListener('change', () => location.assign(location.pathname + query({ org: select.value })));
  return el('div', { class: 'inline-field org-picker' }, el('label', { for: 'org-select', i18n: 'console.org' }), select);
}

/** Platform staff and officials open a seller named in the address (from the platform's report). */
async function namedSeller() {
  const id = params.get('org');
  if (!id) return null;
  try {
    const found = await api.get(`/sellers/${seg(id)}`, { redirectOn401: false });
    return found && found.seller ? { id, name: found.seller.name } : null;
  } catch {
    return { id, name: id };
  }
}

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  const memberships = sellingMemberships(me);
  let org = pickOrg(memberships);
  if ((!org || org.id !== params.get('org')) && isRecallStaff(me)) org = (await namedSeller()) || org;
  if (!org) {
    replaceChildren($('#state-box'), el('section', { class: 'card', 'data-testid': 'quality-no-org' },
      el('p', { i18n: 'console.no_org' }),
      el('p', {}, el('a', { class: 'btn btn-secondary', href: '/org.html', i18n: 'console.to_orgs' }))));
  } else {
    replaceChildren($('#org-picker'), orgPicker(memberships, org));
    $('#console').hidden = false;
    $('#org-title').textContent = org.name;
    $('#claims-link').href = '/seller/claims.html' + query({ org: org.id });
    await qualityPage({ groups: SELLER_GROUPS, extra: () => ({ org_id: org.id }) }).load();
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren($('#report'), note('muted', { i18n: 'common.unavailable' }));
}
