// The upload page: one file input, optional age/sex, the result in plain language. No external assets.

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The HTML of the upload page for a service whose card screens for `condition` and carries `disclaimer`. */
export function uploadPage(config: { condition: string; disclaimer: string }): string {
  const condition = escapeHtml(config.condition);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cxrkit — ${condition} screening</title>
<style>
 body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
 fieldset{border:1px solid #ccc;border-radius:6px;padding:1rem} label{display:block;margin:.5rem 0}
 button{font-size:1rem;padding:.5rem 1.2rem} .pos{color:#a40000} .neg{color:#006400} .warn{color:#8a5a00}
 #result{margin-top:1.5rem} small{color:#555}
</style></head>
<body>
<h1>Opportunistic ${condition} screening</h1>
<p>Upload a PA chest radiograph (DICOM). The image is screened in memory and not stored.</p>
<form id="f"><fieldset>
 <label>DICOM file <input id="file" type="file" required></label>
 <label>Age in years (optional, overrides the DICOM header) <input id="age" type="number" min="0" max="130"></label>
 <label>Sex (optional) <select id="sex"><option value="">from the DICOM header</option><option>F</option><option>M</option></select></label>
 <button>Screen</button>
</fieldset></form>
<div id="result" aria-live="polite"></div>
<p><small>${escapeHtml(config.disclaimer)}</small></p>
<script>
const f = document.getElementById('f'), out = document.getElementById('result');
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]);
f.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const file = document.getElementById('file').files[0]; if (!file) return;
  const q = new URLSearchParams();
  const age = document.getElementById('age').value, sex = document.getElementById('sex').value;
  if (age) q.set('age', age); if (sex) q.set('sex', sex);
  out.textContent = 'Screening…';
  const r = await fetch('/v1/screen?' + q, { method: 'POST', headers: { 'content-type': 'application/dicom' }, body: file });
  const j = await r.json();
  if (!r.ok) { out.innerHTML = '<p class="pos"><b>' + esc(j.error.code) + '</b>: ' + esc(j.error.message) + '</p>'; return; }
  out.innerHTML = '<h2 class="' + (j.positive ? 'pos' : 'neg') + '">' + esc(j.recommendation) + '</h2>'
    + '<p>Score ' + j.score.toFixed(3) + ' (threshold ' + j.threshold.toFixed(3) + ') · age ' + esc(j.patient.age ?? 'unknown')
    + ' · sex ' + esc(j.patient.sex ?? 'unknown') + ' · ' + esc(j.engine) + '</p>'
    + j.warnings.map((w) => '<p class="warn">⚠ ' + esc(w) + '</p>').join('');
});
</script>
</body></html>
`;
}
