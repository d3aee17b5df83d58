/** The report's stylesheet (uPlot's own is inlined before it). Light, print-friendly, no web fonts. */
export const PAGE_STYLE = `
:root { --fg: #111827; --dim: #6b7280; --line: #e5e7eb; --ok: #15803d; --fail: #b91c1c; --mark: #b45309; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
code, pre, .mono, td.num, #event-log td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.meta, .hint, .about, .note { color: var(--dim); }
.description { white-space: pre-wrap; margin: 8px 0; }
nav a { margin-right: 14px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; font-weight: 600; }
.pass { color: var(--ok); }
.fail { color: var(--fail); }
.verdict.pass { background: #dcfce7; }
.verdict.fail { background: #fee2e2; }
.verdict.none { background: #f3f4f6; color: var(--dim); }
.verdict.demo { background: #fef3c7; color: #92400e; }
.source { color: var(--dim); font-size: 0.9em; }
#story { border-left: 3px solid #b45309; padding: 4px 12px; margin: 8px 0 16px; }
#story li.step { border-left: 2px dotted #7c3aed; padding-left: 6px; }
#story .why { margin: 2px 0 8px; color: var(--dim); }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
td.num, th.num { text-align: right; padding-left: 16px; }
.figure-groups { columns: 3 300px; column-gap: 32px; }
table.figure-group { width: 100%; break-inside: avoid; margin: 0 0 12px; }
table.figure-group caption { text-align: left; font-weight: 600; color: var(--dim); padding: 4px 0 2px; }
ol.actions { padding-left: 20px; }
ol.actions time { font-family: ui-monospace, Menlo, Consolas, monospace; color: var(--mark); margin-right: 8px; }
figure.chart { margin: 18px 0 26px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart .unit { color: var(--dim); font-weight: normal; }
.plot { width: 100%; min-height: 260px; }
.skipped li { color: var(--dim); }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
.filters input[type=search] { width: 320px; padding: 4px 6px; }
#event-log { width: 100%; }
#event-log td:first-child { white-space: nowrap; }
#event-log td.source { color: var(--dim); white-space: nowrap; }
#event-log td:last-child { width: 100%; }
`;
