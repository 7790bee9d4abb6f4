// The HTML report's inline style and script (no network: everything is in the one file).

export const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1,h2{margin:.3em 0}.verdict{padding:0 .4em;border-radius:4px;color:#fff}
.PASS{background:#2ca02c}.FAIL{background:#d62728}.INCOMPLETE{background:#ff7f0e}
.summary{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}.summary dt{font-weight:bold}.summary dd{margin:0}
.cls,.ecls{padding:0 .3em;border-radius:3px;background:#eee}.stopped{color:#d62728}
.notice{background:#fff4d6;border-left:4px solid #ff7f0e;padding:.4em .8em}
.timeline{width:100%;height:76px}.timeline .tick,.timeline .event-tick{stroke-width:2}.timeline text{font-size:11px}
.legend .key{margin-right:1em}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em}.legend .event-key i{border-radius:50%}
.heatmap th{text-align:left;padding-right:1em;vertical-align:top}.heatmap .cell{display:inline-block;margin:1px;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse}.divergences td,.divergences th,.fields td,.fields th,.excluded td{border:1px solid #ccc;padding:2px 6px;text-align:left}
.divergences tr.accepted{opacity:.6}.divergences td.why{min-width:24em}.divergences tr.event td.kind{font-style:italic}
.phases td,.phases th{border:1px solid #ccc;padding:2px 6px;text-align:left}.phases td.failing{color:#d62728;font-weight:bold}
.filter{width:24em;padding:3px}code{font-family:ui-monospace,monospace}
`;

// Filters the divergence table rows of the same section by the text typed and the kind chosen;
// reads the embedded data only to show it is there (the verdict in the document title is already rendered).
export const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  document.documentElement.dataset.verdict = data.verdict;
  document.querySelectorAll('section.result').forEach(function (section) {
    var input = section.querySelector('input.filter');
    var kind = section.querySelector('select.kind-filter');
    var rows = section.querySelectorAll('table.divergences tbody tr');
    function apply() {
      var q = input.value.trim().toLowerCase();
      var k = kind.value;
      rows.forEach(function (row) {
        row.hidden = (q !== '' && row.dataset.filter.indexOf(q) < 0) || (k !== '' && row.dataset.kind !== k);
      });
    }
    input.addEventListener('input', apply);
    kind.addEventListener('change', apply);
  });
})();
`;
