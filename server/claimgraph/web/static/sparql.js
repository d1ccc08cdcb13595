// The query page: a table-format answer is fetched and shown as a table; any other format is a plain form GET.
const form = document.getElementById("query-form"), status = document.getElementById("status"), result = document.getElementById("result");
function cell(term) {
  const td = document.createElement("td");
  if (term) { td.textContent = term.type === "uri" ? "<" + term.value + ">" : term.value; }
  return td;
}
const table = form.dataset.table, tableType = form.dataset.tableType, graphType = form.dataset.graphType;
form.addEventListener("submit", async (event) => {
  if (document.getElementById("format").value !== table) return;
  event.preventDefault();
  status.textContent = "running…"; result.replaceChildren();
  const response = await fetch(form.action, {method: "POST", body: new URLSearchParams({query: document.getElementById("query").value}),
                                             headers: {"Accept": tableType + ", " + graphType + ";q=0.9"}});
  const cut = response.headers.get("X-SPARQL-MaxRows");
  if (!response.ok) { const problem = await response.json(); status.textContent = problem.status + " " + problem.title + ": " + problem.detail; return; }
  if (!response.headers.get("Content-Type").startsWith(tableType)) {
    const pre = document.createElement("pre"); pre.textContent = await response.text(); result.append(pre); status.textContent = ""; return;
  }
  const data = await response.json();
  if ("boolean" in data) { status.textContent = "answer: " + data.boolean; return; }
  const grid = document.createElement("table"), head = grid.insertRow();
  for (const name of data.head.vars) { const th = document.createElement("th"); th.textContent = "?" + name; head.append(th); }
  for (const binding of data.results.bindings) { const row = grid.insertRow(); for (const name of data.head.vars) row.append(cell(binding[name])); }
  result.append(grid);
  status.textContent = data.results.bindings.length + " rows" + (cut ? " — cut at the row cap of " + cut : "");
});
document.querySelectorAll("a[data-source]").forEach((link) => link.addEventListener("click", async (event) => {
  event.preventDefault();
  document.getElementById("query").value = await (await fetch(link.dataset.source)).text();
}));
