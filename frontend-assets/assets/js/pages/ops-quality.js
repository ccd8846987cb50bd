// The platform's after-sales quality, for the operator, the after-sales agents and county
// officials: by seller, carrier, category or seller type over a period (the last 30 days to
// start with). Aggregates only; no buyer is named.

import { sellingMemberships } from '../catalog.js';
import { initShell } from '../shell.js';
import { $, note, replaceChildren } from '../ui.js';
import { GROUPS, qualityPage } from '../quality.js';
import { isRecallStaff } from '../recalls.js';

const { me, error } = await initShell({ auth: 'required' });
if (me) {
  // Who may read every seller's figures is who may order a recall: operator, agents, officials.
  if (!isRecallStaff(me)) {
    $('#forbidden').hidden = false;
    $('#forbidden-seller').hidden = !sellingMemberships(me).length;
  } else {
    $('#console').hidden = false;
    await qualityPage({ groups: GROUPS }).load();
  }
} else if (error && !error.redirecting) {
  $('#console').hidden = false;
  replaceChildren($('#report'), note('muted', { i18n: 'common.unavailable' }));
}
