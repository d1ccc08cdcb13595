// The query editor of the /sparql page: YASGUI (vendored in yasgui/) over this server's endpoint.
// Its settings come from the data- attributes of #editor (the Content-Security-Policy allows no inline script).
// Nothing here, nor in the YASGUI configured here, asks another host for anything: the prefixes come from this
// server, and the class and property autocompleters, which ask a public vocabulary service, are off.
"use strict";

(function () {
  const root = document.getElementById("editor");
  if (!root || !window.Yasgui) return;
  const Yasgui = window.Yasgui;
  const settings = root.dataset;
  const endpoint = new URL(settings.endpoint, document.baseURI).href;
  const form = document.getElementById("query-form");

  // Result IRIs link to /resource, which answers any IRI of the store and sends one with a page of its own there
  // (303): which IRIs have one is the server's decision (claimgraph.web.iris), not repeated here.
  function pageUrl(iri) {
    return settings.resourceUrl + "?iri=" + encodeURIComponent(iri);
  }

  function escaped(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML.replaceAll('"', "&quot;");
  }

  // The labels of each result set's IRIs, asked for in one request when its table is first drawn.
  const labels = new WeakMap();

  function label(yasr, results) {
    if (labels.has(results)) return;
    const found = new Map();
    labels.set(results, found);
    const iris = new Set();
    for (const binding of results.getBindings() || []) {
      for (const term of Object.values(binding)) {
        if (term.type === "uri" && iris.size < Number(settings.labelsMax)) iris.add(term.value);
      }
    }
    if (!iris.size) return;
    const body = new URLSearchParams();
    iris.forEach((iri) => body.append("iri", iri));
    fetch(settings.labelsUrl, { method: "POST", body, headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error("labels: " + response.status + " " + response.statusText);
        return response.json();
      })
      .then((named) => {
        Object.entries(named).forEach(([iri, text]) => found.set(iri, text));
        if (found.size && yasr.results === results) yasr.draw();
      })
      .catch((error) => console.warn("the result table shows IRIs without labels:", error));
  }

  const Table = Yasgui.Yasr.plugins.table;
  const cellContent = Table.prototype.getCellContent;
  // YASR's table opens the raw IRI; here a cell of an IRI links to its page on this server and shows its label.
  Table.prototype.getCellContent = function (binding, prefixes) {
    if (binding.type !== "uri") return cellContent.call(this, binding, prefixes);
    const iri = binding.value;
    const named = (labels.get(this.yasr.results) || new Map()).get(iri);
    const prefix = Object.keys(prefixes || {}).find((name) => iri.startsWith(prefixes[name]));
    const shown = named ?? (prefix === undefined ? "<" + iri + ">" : prefix + ":" + iri.slice(prefixes[prefix].length));
    const kind = named === undefined ? "iri" : "iri labelled";
    return `<div><span><a class="${kind}" href="${escaped(pageUrl(iri))}" title="${escaped(iri)}">${escaped(shown)}</a></span></div>`;
  };
  const draw = Table.prototype.draw;
  Table.prototype.draw = function (...args) {
    const drawn = draw.apply(this, args);
    if (this.yasr.results) label(this.yasr, this.yasr.results);
    return drawn;
  };

  // "class" and "property" would ask lov.linkeddata.es; the prefixes autocompleter reads this server's /prefixes.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const yasgui = new Yasgui(root, {
    requestConfig: { endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    // A shared link (#query=…) may name another endpoint; this editor queries this server only.
    populateFromUrl: (tab) => {
      tab.requestConfig.endpoint = endpoint;
      return tab;
    },
    yasqe: { value: document.getElementById("query").value, prefixCcApi: settings.prefixesUrl },
  });
  form.hidden = true;

  // CodeMirror's hidden text box takes the keys of each tab's editor: it gets the accessible name the plain form's
  // textarea has, in tabs opened later too.
  // YASR's rows-per-page choice, drawn with each result table, has no label of its own either.
  const unnamed = { ".CodeMirror textarea": "SPARQL query", "select.tableSizer": "Rows per page" };
  const name = (node) => Object.entries(unnamed).forEach(([selector, label]) =>
    node.querySelectorAll(selector).forEach((control) => control.setAttribute("aria-label", label)));
  name(root);
  new MutationObserver((changes) => {
    changes.forEach((change) => change.addedNodes.forEach((node) => {
      if (node.nodeType === Node.ELEMENT_NODE) name(node);
    }));
  }).observe(root, { childList: true, subtree: true });

  document.querySelectorAll("button.open-query").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      fetch(button.dataset.source)
        .then((response) => {
          if (!response.ok) throw new Error(button.dataset.source + ": " + response.status + " " + response.statusText);
          return response.text();
        })
        .then((text) => {
          yasgui.addTab(true, { name: button.dataset.name, yasqe: { value: text }, requestConfig: { endpoint } });
          root.scrollIntoView();
        })
        .catch((error) => console.error("the canned query could not be opened:", error));
    });
  });
})();
