// The upload page: one file input, optional age/sex (and the access key when the service has one), the
// result in plain language beside the radiograph and its Grad-CAM. No external assets; every text from the
// service is set with textContent (never parsed as HTML). It never hangs: network failures, replies that
// are not JSON and a 2-minute timeout are shown in words, and the button is disabled while a screen runs.

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What the page shows about the service. */
export interface UploadPageOptions {
  /** What the card screens for, e.g. 'osteoporosis'. */
  condition: string;
  /** The card's disclaimer, shown under the form. */
  disclaimer: string;
  /** Show an access-key field (the service was started with a bearer token). */
  tokenRequired?: boolean;
}

/** The HTML of the upload page. */
export function uploadPage(config: UploadPageOptions): string {
  const condition = escapeHtml(config.condition);
  const token = config.tokenRequired
    ? '<label>Access key <input id="token" type="password" autocomplete="current-password" required></label>'
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cxrkit — ${condition} screening</title>
<style>
 body{font:16px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#222}
 fieldset{border:1px solid #ccc;border-radius:6px;padding:1rem;max-width:36rem} label{display:block;margin:.5rem 0}
 button{font-size:1rem;padding:.5rem 1.2rem} button[disabled]{opacity:.6}
 .pos{color:#a40000} .neg{color:#006400} .warn{color:#8a5a00} .not{color:#444}
 #result{margin-top:1.5rem} small{color:#555} .error{color:#a40000}
 figure{display:inline-block;margin:0 1rem 1rem 0;vertical-align:top} figure img{max-width:24rem;width:100%;border:1px solid #ccc}
 figcaption{font-size:.85rem;color:#555}
</style></head>
<body data-state="idle">
<h1>Opportunistic ${condition} screening</h1>
<p>Upload a PA chest radiograph (DICOM). The image is screened in memory and not stored.</p>
<form id="f"><fieldset>
 <label>DICOM file <input id="file" type="file" required></label>
 <label>Age in years (optional, overrides the DICOM header) <input id="age" type="number" min="0" max="130"></label>
 <label>Sex (optional) <select id="sex"><option value="">from the DICOM header</option><option>F</option><option>M</option></select></label>
 <label><input id="gradcam" type="checkbox" checked> Show where the model looked (Grad-CAM)</label>
 ${token}
 <button id="go">Screen</button>
</fieldset></form>
<div id="result" aria-live="polite"></div>
<div id="images"></div>
<p><small>${escapeHtml(config.disclaimer)}</small></p>
<script>
const $ = (id) => document.getElementById(id);
const TIMEOUT_MS = 120000;
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
function show(state, nodes) {
  document.body.dataset.state = state;
  $('result').replaceChildren(...nodes);
}
function figure(id, png, caption) {
  const f = el('figure'); f.id = id;
  const img = el('img'); img.src = 'data:image/png;base64,' + png; img.alt = caption;
  f.append(img, el('figcaption', caption));
  return f;
}
function render(j) {
  const nodes = [];
  if (j.screened) {
    nodes.push(el('h2', j.recommendation, j.positive ? 'pos' : 'neg'));
    nodes.push(el('p', 'Score ' + j.score.toFixed(3) + ' (threshold ' + j.threshold.toFixed(3) + ')'));
  } else {
    nodes.push(el('h2', 'Not screened: this image is outside what the screen is made for', 'not'));
    const ul = el('ul'); for (const r of j.reasons) ul.append(el('li', r)); nodes.push(ul);
  }
  for (const w of j.warnings) nodes.push(el('p', '⚠ ' + w, 'warn'));
  const p = j.patient || {};
  nodes.push(el('p', 'Age ' + (p.age ?? 'unknown') + ' · sex ' + (p.sex ?? 'unknown') + ' · model ' + j.model.name
    + ' (' + j.model.condition + ', card ' + j.model.id.slice(0, 15) + '…) · ' + j.engine));
  if (j.gradcamUnavailable) nodes.push(el('p', 'No Grad-CAM: ' + j.gradcamUnavailable, 'not'));
  show('done', nodes);
  const figs = [];
  if (j.image) figs.push(figure('preview', j.image.png, 'The uploaded image'));
  if (j.gradcam) figs.push(figure('overlay', j.gradcam.png, 'Grad-CAM: where the model looked (' + j.gradcam.layers.length + ' layers averaged)'));
  $('images').replaceChildren(...figs);
}
function fail(message) {
  show('error', [el('p', message, 'error')]);
  $('images').replaceChildren();
}
$('f').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const file = $('file').files[0]; if (!file) return;
  const q = new URLSearchParams({ include: 'image' });
  const age = $('age').value, sex = $('sex').value;
  if (age) q.set('age', age); if (sex) q.set('sex', sex);
  if (!$('gradcam').checked) q.set('gradcam', '0');
  const headers = { 'content-type': 'application/dicom' };
  if ($('token')) headers.authorization = 'Bearer ' + $('token').value;
  const button = $('go');
  button.disabled = true;
  show('screening', [el('p', 'Screening…')]);
  $('images').replaceChildren();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    let r;
    try {
      r = await fetch('/v1/screen?' + q, { method: 'POST', headers, body: file, signal: abort.signal });
    } catch (e) {
      return fail(abort.signal.aborted
        ? 'No answer from the screening service after 2 minutes, so the screen was cancelled. Please try again.'
        : 'The screening service could not be reached. Check the network connection and try again.');
    }
    let j;
    try { j = await r.json(); } catch (e) {
      return fail('The screening service gave an unexpected answer (status ' + r.status + '). Please try again, and tell the administrator if it persists.');
    }
    if (!r.ok || !j || typeof j !== 'object') {
      const msg = (j && j.error && j.error.message) || ('The screen failed (status ' + r.status + ').');
      return fail(msg + (j && j.requestId ? ' (reference ' + j.requestId + ')' : ''));
    }
    try { render(j); } catch (e) {
      fail('The screening service gave an unexpected answer. Please try again, and tell the administrator if it persists.');
    }
  } finally {
    clearTimeout(timer);
    button.disabled = false;
  }
});
</script>
</body></html>
`;
}
