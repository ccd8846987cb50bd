// One claim, for all three parties: where it stands and by when the seller must answer (a live
// countdown), what was claimed with its photos, what each step did and when, the thread between
// buyer, seller and platform — and what the viewer may do now, as the server's `can` says: the
// seller answers on one screen (full refund; partial refund by damaged quantity, by damage level
// or an agreed amount; sending the damaged units again (补发); or a rejection with a reason;
// optionally who is liable), the buyer accepts or asks the platform to step in, the operator
// decides finally, the buyer rates the handling. The claim itself carries the parcel's money
// (what is left to refund, its goods and shipping), so no page needs the order to answer.

import { api, seg } from '../api.js';
import { fenToYuan, formatFen, parseInteger, parseYuan, reasonForm, unitEl } from '../catalog.js';
import { t, translate } from '../i18n.js';
import { initShell } from '../shell.js';
import {
  $, $$, charCount, clearErrors, el, errorMessage, facts, flash, flashError, note, phoneEl,
  replaceChildren, setBusy, showErrors, timeEl, validationError, value,
} from '../ui.js';
import { STARS, moneyEl, orderHref, starsEl } from '../orders.js';
import {
  BASES, DAMAGE_LEVELS, MESSAGE_MAX, PARTIES, REJECT_MIN, TEXT_MAX, amountByDamageLevel,
  amountByQuantity, attachmentsEl, claimEventsEl, claimLinesEl, claimStatusBadge, deadlineEl,
  evidenceEl, isReshipOffer, kindEl, lastAnswer, liabilityEl, photoPicker, recourseEl, replacementOf,
  reshipLines, reshipLinesEl, roleEl, sharesProblem, subHref,
} from '../claims.js';

const params = new URLSearchParams(location.search);
const id = params.get('id');
const view = { claim: null, me: null, messagePhotos: null };

// ---- small pieces -------------------------------------------------------------------------------

function confirmBox(slot, { questionKey, args, confirmKey, testid, onConfirm }) {
  const yes = el('button', { type: 'button', class: 'btn btn-primary', i18n: confirmKey, 'data-testid': `${testid}-confirm` });
  const no = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'common.cancel', 'data-testid': `${testid}-cancel` });
  const box = el('div', { class: 'actions confirm', role: 'group', 'data-testid': `${testid}-box` },
    el('p', { class: 'confirm-question', i18n: questionKey, args }), yes, no);
  no.addEventListener('click', () => replaceChildren(slot));
  yes.addEventListener('click', async () => {
    setBusy(yes, true);
    try {
      await onConfirm();
    } catch (err) {
      flashError(err);
      setBusy(yes, false);
    }
  });
  replaceChildren(slot, box);
  yes.focus();
}

function counted(textarea, max) {
  const counter = el('span', { class: 'counter' });
  const update = () => { counter.textContent = `${charCount(textarea.value.trim())} / ${max}`; };
  textarea.addEventListener('input', update);
  update();
  return counter;
}

/** What is left of the parcel's payment: the most any answer can refund (the server's word). */
function refundable(claim) {
  return Number.isFinite(Number(claim.refundable)) ? Math.max(0, Number(claim.refundable)) : null;
}

/**
 * Liability shares: a percentage per party (empty for none). `read()` gives the named ones;
 * the sum shows as it is typed.
 */
function sharesFields(prefix, initial = []) {
  const start = Object.fromEntries((initial || []).map((s) => [s.party, s.percent]));
  const sumId = `${prefix}-shares-sum`;
  const inputs = PARTIES.map((party) => {
    const inputId = `${prefix}-share-${party}`;
    const input = el('input', {
      id: inputId, name: `share:${party}`, type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'share-input',
      value: start[party] ? String(start[party]) : '', 'aria-describedby': sumId, 'data-testid': `share-${party}`,
    });
    return {
      party,
      input,
      node: el('div', { class: 'share-field' },
        el('label', { for: inputId, i18n: 'party.' + party }),
        el('span', { class: 'share-box' }, input, el('span', { 'aria-hidden': 'true', text: '%' }))),
    };
  });
  const sum = el('p', { class: 'hint', id: sumId, 'aria-live': 'polite', 'data-testid': 'shares-sum' });
  const read = () => inputs
    .filter((i) => i.input.value.trim() !== '')
    .map((i) => ({ party: i.party, percent: parseInteger(i.input.value) ?? Number.NaN }))
    .filter((s) => s.percent !== 0);
  const update = () => {
    const n = read().reduce((total, s) => total + (Number.isFinite(s.percent) ? s.percent : 0), 0);
    sum.setAttribute('data-i18n', 'claim.shares_sum');
    sum.setAttribute('data-i18n-args', JSON.stringify({ n }));
    translate(sum);
    sum.classList.toggle('late', n !== 100 && read().length > 0);
  };
  for (const i of inputs) i.input.addEventListener('input', update);
  update();
  return {
    node: el('div', { class: 'shares', 'data-testid': `${prefix}-shares` },
      el('div', { class: 'share-grid' }, inputs.map((i) => i.node)),
      sum,
      el('p', { class: 'field-error', 'data-error-for': 'liability', 'data-testid': 'liability-error', hidden: true })),
    read,
  };
}

// ---- the seller answers -------------------------------------------------------------------------

function respondForm(claim) {
  const fid = 'respond';
  const lines = claim.lines || [];
  const radio = (name, v, key, hintKey, args, checked = false) => {
    const inputId = `${fid}-${name}-${v}`;
    return el('div', { class: 'method-option' },
      el('input', { type: 'radio', id: inputId, name, value: v, checked, 'data-testid': `${fid}-${v}` }),
      el('label', { for: inputId },
        el('strong', { i18n: key, args }),
        hintKey ? el('span', { class: 'hint', i18n: hintKey }) : null));
  };

  // Partial refund: by quantity, by damage level, or an amount agreed with the buyer.
  const qtyBox = el('div', { class: 'basis-box', dataset: { basis: 'quantity' } },
    lines.map((l) => {
      const inputId = `${fid}-q-${l.line_id}`;
      return el('div', { class: 'inline-field basis-line' },
        el('label', { for: inputId }, el('span', { text: `${l.title} · ${l.sku_name}` }), ' ',
          el('span', { class: 'muted', i18n: 'claim.of_claimed', args: { n: l.quantity } })),
        el('input', {
          id: inputId, name: `q:${l.line_id}`, type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'qty-input-plain',
          value: String(l.quantity), 'data-testid': 'respond-qty', dataset: { lineId: l.line_id },
        }),
        unitEl(l.unit));
    }));
  const levelBox = el('div', { class: 'basis-box field', dataset: { basis: 'damage_level' }, hidden: true },
    el('label', { for: `${fid}-percent`, i18n: 'claim.damage_level' }),
    el('select', { id: `${fid}-percent`, name: 'percent', 'data-testid': 'respond-percent' },
      DAMAGE_LEVELS.map((p) => el('option', { value: String(p), selected: p === 30, i18n: 'claim.level_' + p }))),
    el('p', { class: 'hint', i18n: 'claim.damage_level_hint' }));
  const agreedBox = el('div', { class: 'basis-box field', dataset: { basis: 'agreed' }, hidden: true },
    el('label', { for: `${fid}-agreed`, i18n: 'claim.agreed_amount' }),
    el('input', { id: `${fid}-agreed`, name: 'agreed', type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': `${fid}-agreed-hint`, 'data-testid': 'respond-agreed' }),
    el('p', { class: 'hint', id: `${fid}-agreed-hint`, i18n: 'claim.agreed_hint' }));
  const preview = el('p', { class: 'summary-line respond-preview' },
    el('span', { i18n: 'claim.offer_amount' }), el('strong', { class: 'money money-big', 'data-testid': 'respond-amount' }));
  const noteArea = el('textarea', { id: `${fid}-note`, name: 'note', rows: '2', maxlength: String(TEXT_MAX * 2), 'data-testid': 'respond-note' });
  const partialBox = el('div', { class: 'decision-box', dataset: { decision: 'partial_refund' }, hidden: true },
    el('fieldset', { class: 'choice-group' },
      el('legend', { i18n: 'claim.basis' }),
      BASES.map((b, i) => radio('basis', b, 'claim.basis_' + b, 'claim.basis_' + b + '_hint', null, i === 0)),
      qtyBox, levelBox, agreedBox,
      el('p', { class: 'field-error', 'data-error-for': 'basis', hidden: true }),
      el('p', { class: 'field-error', 'data-error-for': 'amount', 'data-testid': 'respond-amount-error', hidden: true })),
    preview,
    el('div', { class: 'field' },
      el('label', { for: `${fid}-note`, i18n: 'claim.note_optional' }), noteArea,
      el('p', { class: 'hint' }, el('span', { i18n: 'claim.note_hint' }), ' ', counted(noteArea, TEXT_MAX)),
      el('p', { class: 'field-error', 'data-error-for': 'note', hidden: true })));
  const reasonArea = el('textarea', { id: `${fid}-reason`, name: 'reason', rows: '3', maxlength: String(TEXT_MAX * 2), 'data-testid': 'respond-reason' });
  const rejectBox = el('div', { class: 'decision-box field', dataset: { decision: 'reject' }, hidden: true },
    el('label', { for: `${fid}-reason`, i18n: 'claim.reject_reason' }), reasonArea,
    el('p', { class: 'hint' }, el('span', { i18n: 'claim.reject_hint' }), ' ', counted(reasonArea, TEXT_MAX)),
    el('p', { class: 'field-error', 'data-error-for': 'reason', hidden: true }));
  // Reship: the damaged units again, as many of each line as claimed unless said otherwise.
  const reshipNote = el('textarea', { id: `${fid}-reship-note`, name: 'reship_note', rows: '2', maxlength: String(TEXT_MAX * 2), 'data-testid': 'respond-reship-note' });
  const reshipBox = el('div', { class: 'decision-box', dataset: { decision: 'reship' }, hidden: true },
    el('fieldset', { class: 'choice-group' },
      el('legend', { i18n: 'claim.reship_lines' }),
      lines.map((l) => {
        const inputId = `${fid}-r-${l.line_id}`;
        return el('div', { class: 'inline-field basis-line' },
          el('label', { for: inputId }, el('span', { text: `${l.title} · ${l.sku_name}` }), ' ',
            el('span', { class: 'muted', i18n: 'claim.of_claimed', args: { n: l.quantity } })),
          el('input', {
            id: inputId, name: `r:${l.line_id}`, type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'qty-input-plain',
            value: String(l.quantity), 'data-testid': 'respond-reship-qty', dataset: { lineId: l.line_id },
          }),
          unitEl(l.unit));
      }),
      el('p', { class: 'field-error', 'data-error-for': 'lines', 'data-testid': 'respond-reship-error', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-reship-note`, i18n: 'claim.note_optional' }), reshipNote,
      el('p', { class: 'hint' }, el('span', { i18n: 'claim.reship_note_hint' }), ' ', counted(reshipNote, TEXT_MAX)),
      el('p', { class: 'field-error', 'data-error-for': 'reship_note', hidden: true })));
  const shares = sharesFields(fid);
  const liability = el('details', { class: 'liability-box', 'data-testid': 'respond-liability' },
    el('summary', { i18n: 'claim.liability_optional' }),
    el('p', { class: 'hint', i18n: 'claim.liability_hint' }),
    shares.node);

  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'claim.respond_submit', 'data-testid': 'respond-submit' });
  const form = el('form', { class: 'respond-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'respond-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', 'data-testid': 'respond-error', hidden: true }),
    el('fieldset', { class: 'choice-group' },
      el('legend', { i18n: 'claim.decision' }),
      radio('decision', 'full_refund', 'claim_decision.full_refund_amount', 'claim.full_refund_hint', { amount: formatFen(claim.claimed) }, true),
      radio('decision', 'partial_refund', 'claim_decision.partial_refund', 'claim.partial_refund_hint'),
      radio('decision', 'reship', 'claim_decision.reship', 'claim.reship_hint'),
      radio('decision', 'reject', 'claim_decision.reject', 'claim.reject_hint_short')),
    partialBox,
    reshipBox,
    rejectBox,
    liability,
    el('div', { class: 'actions' }, submit));

  const decision = () => (form.querySelector('input[name="decision"]:checked') || {}).value;
  const basis = () => (form.querySelector('input[name="basis"]:checked') || {}).value;
  const quantities = () => lines.map((l) => ({
    line_id: l.line_id,
    quantity: parseInteger(form.elements.namedItem(`q:${l.line_id}`).value) ?? Number.NaN,
    unit_price: l.unit_price,
    claimed: l.quantity,
  }));
  /** The refund this answer comes to, or null when the page cannot tell (the server will). */
  const amount = () => {
    if (decision() === 'full_refund') return claim.claimed;
    if (decision() !== 'partial_refund') return 0;
    if (basis() === 'quantity') {
      const q = quantities();
      return q.every((x) => Number.isInteger(x.quantity) && x.quantity >= 0 && x.quantity <= x.claimed) ? amountByQuantity(q) : null;
    }
    if (basis() === 'damage_level') {
      if (!Number.isFinite(Number(claim.sub_goods))) return null;
      return amountByDamageLevel(lines.map((l) => ({ line_total: l.amount })),
        Number(claim.sub_goods) || 0, Number(claim.sub_shipping) || 0, Number(value(form, 'percent')));
    }
    const fen = parseYuan(value(form, 'agreed'));
    return fen === null || Number.isNaN(fen) ? null : fen;
  };
  const sync = () => {
    for (const box of $$('.decision-box', form)) box.hidden = box.dataset.decision !== decision();
    for (const box of $$('.basis-box', form)) box.hidden = box.dataset.basis !== basis();
    liability.hidden = decision() === 'reject' || decision() === 'reship';
    preview.hidden = decision() === 'reship';
    const fen = amount();
    const out = preview.querySelector('strong');
    out.textContent = fen === null ? '—' : formatFen(fen);
    out.dataset.fen = fen === null ? '' : String(fen);
  };
  form.addEventListener('change', sync);
  form.addEventListener('input', sync);
  sync();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = {};
    const d = decision();
    let body;
    const named = shares.read();
    if (named.length && sharesProblem(named)) problems.liability = t(sharesProblem(named));
    if (d === 'full_refund') {
      body = { decision: d };
      if (named.length) body.liability = named;
    } else if (d === 'partial_refund') {
      const b = basis();
      let chosen;
      if (b === 'quantity') {
        const q = quantities();
        if (!q.every((x) => Number.isInteger(x.quantity) && x.quantity >= 0 && x.quantity <= x.claimed) || !q.some((x) => x.quantity > 0)) {
          problems.basis = t('claim.e_basis_quantity');
        }
        chosen = { by: b, lines: q.filter((x) => x.quantity > 0).map((x) => ({ line_id: x.line_id, quantity: x.quantity })) };
      } else if (b === 'damage_level') {
        chosen = { by: b, percent: Number(value(form, 'percent')) };
      } else {
        const fen = parseYuan(value(form, 'agreed'));
        const max = refundable(claim);
        if (fen === null || Number.isNaN(fen) || fen < 1) problems.amount = t('opsorders.e_amount');
        else if (max !== null && fen > max) problems.amount = t('opsorders.e_amount_max', { max: formatFen(max) });
        chosen = { by: 'agreed', amount: fen };
      }
      const noteText = noteArea.value.trim();
      if (charCount(noteText) > TEXT_MAX) problems.note = t('claim.e_text_max', { n: TEXT_MAX });
      body = { decision: d, basis: chosen };
      if (named.length) body.liability = named;
      if (noteText) body.note = noteText;
    } else if (d === 'reship') {
      const picked = lines.map((l) => ({
        line_id: l.line_id,
        quantity: parseInteger(form.elements.namedItem(`r:${l.line_id}`).value) ?? Number.NaN,
        claimed: l.quantity,
      }));
      if (!picked.every((x) => Number.isInteger(x.quantity) && x.quantity >= 0 && x.quantity <= x.claimed) || !picked.some((x) => x.quantity > 0)) {
        problems.lines = t('claim.e_reship_quantity');
      }
      const noteText = reshipNote.value.trim();
      if (charCount(noteText) > TEXT_MAX) problems.reship_note = t('claim.e_text_max', { n: TEXT_MAX });
      body = { decision: d, lines: picked.filter((x) => x.quantity > 0).map((x) => ({ line_id: x.line_id, quantity: x.quantity })) };
      if (noteText) body.note = noteText;
    } else if (d === 'reject') {
      const reason = reasonArea.value.trim();
      const n = charCount(reason);
      if (n < REJECT_MIN || n > TEXT_MAX) problems.reason = t('catalog.reason_length', { min: REJECT_MIN, max: TEXT_MAX });
      body = { decision: d, reason };
    } else {
      problems.decision = t('claim.e_decision');
    }
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      const updated = await api.post(`/claims/${seg(claim.id)}/respond`, body);
      const said = { full_refund: 'claim.responded_full', reject: 'claim.responded_reject', reship: 'claim.responded_reship' }[d] || 'claim.responded_partial';
      flash(t(said), 'success');
      await render(updated);
    } catch (err) {
      // A reship's note comes back as `note`; the partial refund's note box is another one.
      showErrors(form, err, { damage_level: 'basis', ...(d === 'reship' ? { note: 'reship_note' } : {}) });
    } finally {
      setBusy(submit, false);
    }
  });
  return el('div', {},
    el('p', { class: 'hint', i18n: 'claim.respond_intro' }),
    form);
}

// ---- the buyer's turn ---------------------------------------------------------------------------

function answerEl(claim) {
  const answer = lastAnswer(claim);
  if (!answer) return null;
  const data = answer.data || {};
  const reship = isReshipOffer(claim);
  let head;
  if (answer.kind === 'rejected') head = el('p', { class: 'label', i18n: 'claim.seller_rejected' });
  else if (reship) head = [el('p', { class: 'label', i18n: 'claim.seller_reship' }), reshipLinesEl(reshipLines(data, claim.lines), 'answer-reship-lines')];
  else head = el('p', { class: 'label' }, el('span', { i18n: 'claim.seller_offered' }), ' ', moneyEl(claim.offered, 'answer-amount', 'money money-big'));
  return el('div', {
    class: 'note note-info seller-answer' + (reship ? ' is-reship' : ''),
    'data-testid': 'seller-answer',
    dataset: { kind: answer.kind, decision: data.decision || '' },
  },
    head,
    typeof data.reason === 'string' && data.reason ? el('p', { class: 'pre-line', text: data.reason }) : null,
    typeof data.note === 'string' && data.note ? el('p', { class: 'pre-line', text: data.note }) : null,
    el('p', { class: 'small muted' }, timeEl(answer.at)));
}

function buyerTurn(claim) {
  const slot = el('div');
  const actions = el('div', { class: 'actions' });
  // After a rejection the two ways on weigh the same: accepting it is not the suggested
  // choice, and asking the platform to step in comes first, never hidden.
  const answer = lastAnswer(claim);
  const rejected = Boolean(answer && answer.kind === 'rejected' && !claim.offered && !isReshipOffer(claim));
  if (rejected) actions.classList.add('actions-equal');
  if (claim.can.accept) {
    const reship = isReshipOffer(claim);
    // Whole keys, so the dictionary test sees every one in use.
    let [key, questionKey] = claim.offered
      ? ['claim.accept_offer', 'claim.accept_offer_question']
      : ['claim.accept_reject', 'claim.accept_reject_question'];
    if (reship) [key, questionKey] = ['claim.accept_reship', 'claim.accept_reship_question'];
    const accept = el('button', { type: 'button', class: rejected ? 'btn btn-secondary' : 'btn btn-primary', i18n: key, 'data-testid': 'claim-accept' });
    accept.addEventListener('click', () => confirmBox(slot, {
      questionKey,
      args: { amount: formatFen(claim.offered) },
      confirmKey: 'claim.accept_confirm',
      testid: 'claim-accept',
      onConfirm: async () => {
        const updated = await api.post(`/claims/${seg(claim.id)}/accept`, {});
        const made = replacementOf(updated);
        if (made) flash(t('claim.accepted_reship', { number: made.number }), 'success');
        else flash(t(updated.refunded ? 'claim.accepted_refunded' : 'claim.accepted_closed', { amount: formatFen(updated.refunded) }), 'success');
        await render(updated);
      },
    }));
    actions.append(accept);
  }
  if (claim.can.escalate) {
    const escalate = el('button', { type: 'button', class: 'btn btn-secondary', i18n: 'claim.escalate', 'data-testid': 'claim-escalate' });
    escalate.addEventListener('click', () => {
      const { form, focus } = reasonForm({
        id: 'escalate-reason',
        labelKey: 'claim.escalate_reason',
        hintKey: 'claim.escalate_hint',
        submitKey: 'claim.escalate_submit',
        testid: 'claim-escalate',
        onSubmit: async (reason) => {
          const updated = await api.post(`/claims/${seg(claim.id)}/escalate`, { reason });
          flash(t('claim.escalated'), 'success');
          await render(updated);
        },
        onCancel: () => replaceChildren(slot),
      });
      replaceChildren(slot, form);
      focus();
    });
    if (rejected) actions.prepend(escalate);
    else actions.append(escalate);
  }
  return el('div', {}, answerEl(claim), el('p', { class: 'hint', i18n: 'claim.buyer_turn_hint' }), actions, slot);
}

function rateForm(claim) {
  const fid = 'rate';
  const comment = el('textarea', { id: `${fid}-comment`, name: 'comment', rows: '2', maxlength: String(TEXT_MAX * 2), 'data-testid': 'rate-comment' });
  const stars = STARS.map((n) => {
    const inputId = `${fid}-star-${n}`;
    return el('span', { class: 'star-choice' },
      el('input', { type: 'radio', id: inputId, name: 'rating', value: String(n), checked: n === 5, 'data-testid': `rate-star-${n}` }),
      el('label', { for: inputId },
        el('span', { 'aria-hidden': 'true', text: '★' }),
        el('span', { class: 'visually-hidden', i18n: 'ratings.n_stars', args: { count: n } })));
  });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'claim.rate_submit', 'data-testid': 'rate-submit' });
  const form = el('form', { class: 'review-form rate-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'rate-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', hidden: true }),
    el('fieldset', { class: 'star-picker' },
      el('legend', { i18n: 'claim.rate_question' }),
      el('div', { class: 'star-row' }, stars),
      el('p', { class: 'field-error', 'data-error-for': 'rating', hidden: true })),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-comment`, i18n: 'claim.rate_comment' }), comment,
      el('p', { class: 'hint' }, counted(comment, TEXT_MAX)),
      el('p', { class: 'field-error', 'data-error-for': 'comment', hidden: true })),
    el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const rating = Number((form.querySelector('input[name="rating"]:checked') || {}).value);
    const text = comment.value.trim();
    const problems = {};
    if (!STARS.includes(rating)) problems.rating = t('ratings.e_rating');
    if (charCount(text) > TEXT_MAX) problems.comment = t('claim.e_text_max', { n: TEXT_MAX });
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      const body = { rating };
      if (text) body.comment = text;
      const updated = await api.post(`/claims/${seg(claim.id)}/satisfaction`, body);
      flash(t('claim.rated'), 'success');
      await render(updated);
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  return el('div', {}, el('p', { class: 'hint', i18n: 'claim.rate_intro' }), form);
}

// ---- the operator decides -----------------------------------------------------------------------

function decideForm(claim) {
  const fid = 'decide';
  const max = refundable(claim);
  const answer = lastAnswer(claim);
  const amountInput = el('input', {
    id: `${fid}-amount`, name: 'amount', type: 'text', inputmode: 'decimal', autocomplete: 'off',
    value: fenToYuan(claim.claimed), 'aria-describedby': `${fid}-amount-hint ${fid}-amount-error`, 'data-testid': 'decide-amount',
  });
  const fill = (fen, key, testid) => {
    const b = el('button', { type: 'button', class: 'btn btn-quiet btn-tiny', 'data-testid': testid },
      el('span', { i18n: key }), ' ', formatFen(fen));
    b.addEventListener('click', () => { amountInput.value = fenToYuan(fen); amountInput.focus(); });
    return b;
  };
  const shares = sharesFields(fid, answer && Array.isArray(answer.data && answer.data.liability) ? answer.data.liability : []);
  const noteArea = el('textarea', { id: `${fid}-note`, name: 'note', rows: '3', maxlength: String(TEXT_MAX * 2), 'aria-describedby': `${fid}-note-error`, 'data-testid': 'decide-note' });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary', i18n: 'claim.decide_submit', 'data-testid': 'decide-submit' });
  const form = el('form', { class: 'decide-form', method: 'post', action: '#', novalidate: true, 'data-testid': 'decide-form' },
    el('p', { class: 'form-error', 'data-form-error': '', role: 'alert', 'data-testid': 'decide-error', hidden: true }),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-amount`, i18n: 'claim.decide_amount' }),
      amountInput,
      el('div', { class: 'actions quick-fill' },
        fill(claim.claimed, 'claim.fill_claimed', 'decide-fill-claimed'),
        claim.offered ? fill(claim.offered, 'claim.fill_offered', 'decide-fill-offered') : null),
      el('p', { class: 'hint', id: `${fid}-amount-hint` },
        el('span', { i18n: 'claim.decide_amount_hint' }),
        max !== null ? [' ', el('span', { i18n: 'opsorders.refund_max', args: { max: formatFen(max) } })] : null),
      el('p', { class: 'field-error', id: `${fid}-amount-error`, 'data-error-for': 'amount', hidden: true })),
    el('fieldset', { class: 'choice-group' },
      el('legend', { i18n: 'claim.liability' }),
      el('p', { class: 'hint', i18n: 'claim.decide_liability_hint' }),
      shares.node),
    el('div', { class: 'field' },
      el('label', { for: `${fid}-note`, i18n: 'claim.decide_note' }), noteArea,
      el('p', { class: 'hint' }, counted(noteArea, TEXT_MAX)),
      el('p', { class: 'field-error', id: `${fid}-note-error`, 'data-error-for': 'note', hidden: true })),
    el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = {};
    const amount = parseYuan(amountInput.value);
    if (amount === null || Number.isNaN(amount) || amount < 0) problems.amount = t('claim.e_decide_amount');
    else if (max !== null && amount > max) problems.amount = t('opsorders.e_amount_max', { max: formatFen(max) });
    const liability = shares.read();
    const wrong = sharesProblem(liability);
    if (wrong) problems.liability = t(wrong);
    const noteText = noteArea.value.trim();
    const n = charCount(noteText);
    if (n < 2 || n > TEXT_MAX) problems.note = t('catalog.reason_length', { min: 2, max: TEXT_MAX });
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      const updated = await api.post(`/claims/${seg(claim.id)}/decide`, { amount, liability, note: noteText });
      flash(t('claim.decided', { amount: formatFen(updated.refunded) }), 'success');
      await render(updated);
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
  return el('div', {}, answerEl(claim), el('p', { class: 'hint', i18n: 'claim.decide_intro' }), form);
}

// ---- the claim ----------------------------------------------------------------------------------

function deadlineBox(claim) {
  if (claim.status === 'awaiting_seller') {
    return el('div', {},
      deadlineEl(claim.respond_by, {
        labelKey: claim.role === 'seller' ? 'claim.respond_by_you' : 'claim.respond_by',
        overKey: 'claim.overdue_platform',
        testid: 'claim-deadline',
      }),
      el('p', { class: 'hint', i18n: claim.role === 'seller' ? 'claim.deadline_hint_seller' : claim.role === 'buyer' ? 'claim.deadline_hint_buyer' : 'claim.deadline_hint_operator' }));
  }
  const key = {
    awaiting_buyer: claim.role === 'buyer' ? 'claim.state_awaiting_buyer_you' : 'claim.state_awaiting_buyer',
    in_arbitration: 'claim.state_in_arbitration',
    resolved: 'claim.state_resolved',
  }[claim.status];
  return key ? el('p', { class: 'note note-info', i18n: key, 'data-testid': 'claim-state-note' }) : null;
}

function messagesEl(messages) {
  const list = Array.isArray(messages) ? messages : [];
  if (!list.length) return note('muted', { i18n: 'claim.no_messages' });
  return el('ol', { class: 'messages', 'data-testid': 'claim-messages' },
    list.map((m) => el('li', { class: 'message' + (m.mine ? ' is-mine' : ''), 'data-testid': 'claim-message', dataset: { role: m.author_role, mine: String(Boolean(m.mine)) } },
      el('p', { class: 'message-head' },
        el('strong', {}, m.mine ? el('span', { i18n: 'claim.me' }) : roleEl(m.author_role)), ' ',
        el('span', { class: 'muted small' }, timeEl(m.at))),
      el('p', { class: 'message-body pre-line', 'data-testid': 'message-text', text: m.body }),
      attachmentsEl(m.attachments))));
}

function resultEl(claim) {
  const made = replacementOf(claim);
  const rows = facts([
    ['claim.replacement', made
      ? el('a', { href: subHref(claim.order_id, made.id), 'data-testid': 'claim-replacement-link', dataset: { subId: made.id } },
        el('span', { i18n: 'claim.replacement_link', args: { number: made.number } }))
      : null, 'result-replacement'],
    ['claim.refunded', claim.status === 'resolved' && !(made && !claim.refunded) ? moneyEl(claim.refunded, 'claim-refunded', 'money money-big') : null, 'result-refunded'],
    ['claim.liability', liabilityEl(claim.liability)],
    ['claim.resolved_at', claim.resolved_at ? timeEl(claim.resolved_at) : null],
    ['claim.satisfaction', claim.satisfaction ? el('span', {}, starsEl(claim.satisfaction, 'claim-satisfaction'),
      claim.satisfaction_comment ? el('span', { class: 'pre-line', text: ' ' + claim.satisfaction_comment }) : null) : null, 'result-satisfaction'],
  ]);
  const recourse = recourseEl(claim.recourse);
  if (!rows.children.length && !recourse) return null;
  return [rows, recourse];
}

function actionsFor(claim) {
  const can = claim.can || {};
  if (can.respond) return respondForm(claim);
  if (can.decide) return decideForm(claim);
  if (can.accept || can.escalate) return buyerTurn(claim);
  if (can.rate) return rateForm(claim);
  return null;
}

function backLink(claim) {
  const link = $('#back-link');
  if (claim.role === 'seller') {
    link.href = '/seller/claims.html?org=' + encodeURIComponent(claim.seller_id);
    link.setAttribute('data-i18n', 'claim.back_seller');
  } else if (claim.role === 'operator') {
    link.href = '/ops/claims.html';
    link.setAttribute('data-i18n', 'claim.back_ops');
  } else {
    link.href = '/claims.html';
    link.setAttribute('data-i18n', 'claim.back');
  }
  link.textContent = t(link.getAttribute('data-i18n'));
}

async function render(claim) {
  view.claim = claim;
  const article = $('#claim');
  $('#state-box').hidden = true;
  article.hidden = false;
  article.dataset.claimId = claim.id;
  article.dataset.status = claim.status;
  article.dataset.role = claim.role;
  backLink(claim);
  // 联系客服: the buyer or the seller opens a desk ticket linked to this claim.
  const support = $('#claim-support');
  support.href = '/tickets.html?kind=other&link_kind=claim&link_id=' + encodeURIComponent(claim.id);
  support.hidden = !['buyer', 'seller'].includes(claim.role);
  $('#claim-number').textContent = claim.number;
  replaceChildren($('#claim-status'), claimStatusBadge(claim.status));
  replaceChildren($('#claim-deadline'), deadlineBox(claim));
  replaceChildren($('#claim-facts'), facts([
    ['claim.kind', kindEl(claim.kind), 'claim-kind'],
    ['order.number', el('a', { class: 'mono', href: orderHref(claim.order_id), text: claim.order_number, 'data-testid': 'claim-order' })],
    ['claimnew.seller', el('span', { text: claim.seller_name })],
    ['claim.contact', el('span', {}, el('span', { text: claim.contact_name }), ' ', phoneEl(claim.contact_phone))],
    ['claim.created_at', timeEl(claim.created_at)],
    ['claim.first_response_at', claim.first_response_at ? timeEl(claim.first_response_at) : null],
    ['claim.escalated_flag', claim.escalated ? el('span', { i18n: 'claim.escalated_yes' }) : null],
  ]));
  replaceChildren($('#claim-money'), el('dl', { class: 'money-lines' },
    el('div', {}, el('dt', { i18n: 'claim.claimed' }), el('dd', {}, moneyEl(claim.claimed, 'claim-claimed'))),
    claim.offered ? el('div', {}, el('dt', { i18n: 'claim.offered' }), el('dd', {}, moneyEl(claim.offered, 'claim-offered'))) : null,
    isReshipOffer(claim) || replacementOf(claim)
      ? el('div', { 'data-testid': 'claim-remedy' }, el('dt', { i18n: 'claim.remedy' }), el('dd', { i18n: 'claim_decision.reship' }))
      : null,
    el('div', { class: claim.refunded ? 'money-total is-refund' : 'money-total' }, el('dt', { i18n: 'claim.refunded' }), el('dd', {}, moneyEl(claim.refunded, 'claim-refunded-total')))));

  const actions = actionsFor(claim);
  $('#action-card').hidden = !actions;
  replaceChildren($('#claim-actions'), actions);

  const result = resultEl(claim);
  $('#result-card').hidden = !result;
  replaceChildren($('#claim-result'), result);

  replaceChildren($('#claim-problem'),
    el('p', { class: 'meta' }, el('span', { class: 'tag' }, kindEl(claim.kind))),
    el('p', { class: 'pre-line claim-description', 'data-testid': 'claim-description', text: claim.description }),
    claimLinesEl(claim.lines));
  replaceChildren($('#claim-evidence'), evidenceEl(claim.evidence, { original: claim.role === 'operator' }) || note('muted', { i18n: 'claim.no_photos' }));
  replaceChildren($('#claim-messages'), messagesEl(claim.messages));
  replaceChildren($('#claim-events'), claimEventsEl(claim.events, claim) || note('muted', { i18n: 'order.no_events' }));
  article.dataset.ready = 'true';
}

// ---- the thread ---------------------------------------------------------------------------------

function wireMessages() {
  const form = $('#message-form');
  const body = form.elements.namedItem('body');
  const counter = $('#message-counter');
  const count = () => { counter.textContent = `${charCount(body.value.trim())} / ${MESSAGE_MAX}`; };
  body.addEventListener('input', count);
  count();
  view.messagePhotos = photoPicker({ id: 'message-photo', testid: 'message-photo' });
  replaceChildren($('#message-photos'), view.messagePhotos.node);
  const submit = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const text = body.value.trim();
    const n = charCount(text);
    const problems = {};
    if (n < 1 || n > MESSAGE_MAX) problems.body = t('claim.e_message', { n: MESSAGE_MAX });
    if (view.messagePhotos.busy()) problems.attachments = t('claimnew.e_uploading');
    if (Object.keys(problems).length) {
      showErrors(form, validationError(problems));
      return;
    }
    setBusy(submit, true);
    try {
      const updated = await api.post(`/claims/${seg(id)}/messages`, { body: text, attachments: view.messagePhotos.ids() });
      body.value = '';
      count();
      view.messagePhotos.clear();
      flash(t('claim.message_sent'), 'success', { focus: false });
      await render(updated);
    } catch (err) {
      showErrors(form, err);
    } finally {
      setBusy(submit, false);
    }
  });
}

const { me, error } = await initShell({ auth: 'required' });
view.me = me;
if (!id) {
  replaceChildren($('#state-box'), note('empty', { i18n: 'claim.missing' }));
} else if (me) {
  try {
    const claim = await api.get(`/claims/${seg(id)}`);
    wireMessages();
    await render(claim);
    if (params.get('filed')) flash(t('claim.filed', { at: timeEl(claim.respond_by).textContent }), 'success', { focus: false });
  } catch (err) {
    if (!err.redirecting) {
      replaceChildren($('#state-box'), note(err.status === 404 ? 'empty' : 'error', err.status === 404 ? { i18n: 'claim.missing' } : errorMessage(err)));
      if (err.status !== 404) flashError(err);
    }
  }
} else if (error && !error.redirecting) {
  replaceChildren($('#state-box'), note('muted', { i18n: 'common.unavailable' }));
}
