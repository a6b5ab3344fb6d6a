// The paper search (exports/paper_search.py). Over HTTP, every search form goes to
// the paper search page, which asks Pagefind's index; opened from disk, where the
// browser refuses Pagefind's fetches, forms keep going to Sphinx's own search.
// A classic script, not a module: a browser runs no module from file://, and from disk
// the search page must still send its reader on to Sphinx's search.
(() => {
"use strict";

  const ROOT = document.documentElement.dataset.content_root ?? "";
  const OVER_HTTP = location.protocol === "http:" || location.protocol === "https:";
  // Sphinx's search page, as each builder names it: search.html, or search/ (dirhtml).
  const SPHINX_SEARCH = /\/search(\.html|\/)$/;
  const FACETS = [["tag", "Tag"], ["year", "Year"], ["venue", "Venue"], ["source", "Source"],
                  ["author", "Author"]];
  const FACET_VALUES = 8;
  const PAGE_SIZE = 10;

  function paperSearchAddress(action) {
    const url = new URL(action, location.href);
    url.pathname = url.pathname.replace(SPHINX_SEARCH, (_, end) => `/paper-search${end}`);
    return url.href;
  }

  if (OVER_HTTP) {
    // Not the paper search's own form: its action is where it falls back to.
    for (const form of document.querySelectorAll("form[action]:not(#paper-search)")) {
      if (SPHINX_SEARCH.test(new URL(form.action, location.href).pathname)) {
        form.action = paperSearchAddress(form.action);
      }
    }
  }

  const form = document.getElementById("paper-search");
  if (form) {
    const sphinxSearch = form.getAttribute("action");
    const fallBack = () => location.replace(sphinxSearch + location.search);
    if (!OVER_HTTP) {
      fallBack();
    } else {
      // The index's parts (exports/paper_search.py, write_index): the first is loaded, the
      // others merged into it.
      const index = new URL(`${ROOT}pagefind/`, location.href);
      fetch(new URL("shards.json", index))
        .then((response) => (response.ok ? response.json() : Promise.reject(response)))
        .then(async ([first, ...others]) => {
          const pagefind = await import(new URL(`${first}/pagefind.js`, index).href);
          const merged = others.map((shard) => new URL(`${shard}/`, index).href);
          return new PaperSearch(form, pagefind, sphinxSearch, merged).start();
        })
        .catch(fallBack);
    }
  }

  function element(name, attributes = {}, ...children) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    node.append(...children);
    return node;
  }

  class PaperSearch {
    constructor(form, pagefind, sphinxSearch, merged) {
      this.form = form;
      this.pagefind = pagefind;
      this.merged = merged;
      this.input = form.querySelector("input[name=q]");
      this.fulltext = document.querySelector(".paper-search-fulltext");
      this.sphinxSearch = sphinxSearch;
      this.status = element("p", { class: "paper-search-status", role: "status" });
      this.facets = element("div", { class: "paper-search-facets" });
      this.list = element("ol", { class: "paper-search-results" });
      this.more = element("button", { type: "button", class: "paper-search-more", hidden: "" },
                          "More results");
      this.chosen = new Map(FACETS.map(([name]) => [name, new Set()]));
      this.generation = 0;
    }

    async start() {
      await this.pagefind.options({ excerptLength: 24 });
      // After the first's options: Pagefind merges an index once the first has loaded.
      for (const shard of this.merged) {
        await this.pagefind.mergeIndex(shard, { excerptLength: 24 });
      }
      const params = new URLSearchParams(location.search);
      this.input.value = params.get("q") ?? "";
      for (const [name] of FACETS) {
        for (const value of params.getAll(name)) this.chosen.get(name).add(value);
      }
      const results = element("div", { class: "paper-search-layout" },
                              element("div", {}, this.status, this.list, this.more), this.facets);
      this.form.after(results);
      this.form.addEventListener("submit", (event) => { event.preventDefault(); this.search(); });
      this.input.addEventListener("input", () => this.search(250));
      this.more.addEventListener("click", () => this.showMore());
      this.input.focus();
      this.search();
    }

    filters() {
      const filters = {};
      for (const [name, values] of this.chosen) {
        if (values.size) filters[name] = { any: [...values] };
      }
      return filters;
    }

    remember(query) {
      const params = new URLSearchParams();
      if (query) params.set("q", query);
      for (const [name, values] of this.chosen) for (const value of values) params.append(name, value);
      history.replaceState(null, "", `${location.pathname}${params.size ? "?" : ""}${params}`);
      this.fulltext.href = `${this.sphinxSearch}${query ? `?q=${encodeURIComponent(query)}` : ""}`;
    }

    async search(wait = 0) {
      const generation = ++this.generation;
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      if (generation !== this.generation) return;
      const query = this.input.value.trim();
      this.remember(query);
      const filters = this.filters();
      if (!query && !Object.keys(filters).length) {
        this.list.replaceChildren();
        this.facets.replaceChildren();
        this.more.hidden = true;
        this.status.textContent = "";
        return;
      }
      const found = await this.pagefind.search(query || null, { filters });
      if (generation !== this.generation || !found) return;
      this.found = found.results;
      this.shown = 0;
      this.list.replaceChildren();
      await this.showMore(generation);
      if (generation !== this.generation) return;
      const count = found.results.length;
      // Results are papers, and the pages of the tags and years they name.
      this.status.textContent = count === 1 ? "1 result"
        : count ? `${count} results` : "Nothing found. Try the full text search below.";
      // The facets' counts need the filter files, fetched after the first results so as
      // not to delay them; the search again is from chunks already here.
      await (this.filtersLoaded ??= this.pagefind.filters());
      const counted = await this.pagefind.search(query || null, { filters });
      if (generation === this.generation && counted) this.drawFacets(counted.filters);
    }

    async showMore(generation = this.generation) {
      const next = this.found.slice(this.shown, this.shown + PAGE_SIZE);
      const items = await Promise.all(next.map(async (result) => this.item(await result.data())));
      if (generation !== this.generation) return;
      this.list.append(...items);
      this.shown += next.length;
      this.more.hidden = this.shown >= this.found.length;
    }

    item(data) {
      const meta = data.meta;
      const link = element("a", { href: new URL(ROOT + meta.url, location.href).href }, meta.title);
      const authors = (meta.authors ?? "").split(", ").filter(Boolean);
      const byline = [meta.id, authors.length > 3 ? `${authors.slice(0, 3).join(", ")} et al.`
                                                    : authors.join(", ")];
      if (meta.count) byline.push(meta.count);
      // A date is not broken across lines ("20 / Apr 2031").
      if (meta.date) byline.push(`commentary of ${meta.date.replaceAll(" ", "\u00a0")}`);
      if (meta.discussed) byline.push(`discussed in ${meta.discussed}`);
      const excerpt = element("p", { class: "paper-search-excerpt" });
      // Pagefind's excerpt: the document's text, escaped, with <mark> around the matches.
      excerpt.innerHTML = data.excerpt;
      return element("li", {}, element("p", { class: "paper-search-title" }, link),
                     element("p", { class: "paper-search-byline" },
                             byline.filter(Boolean).join(" · ")),
                     excerpt);
    }

    drawFacets(counts) {
      // The boxes are drawn anew: the one a keyboard was on keeps the focus.
      const focused = this.facets.contains(document.activeElement) ? document.activeElement : null;
      const groups = [];
      for (const [name, label] of FACETS) {
        const chosen = this.chosen.get(name);
        const values = Object.entries(counts[name] ?? {})
          .filter(([value, count]) => count > 0 || chosen.has(value))
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, FACET_VALUES);
        for (const value of chosen) {
          if (!values.some(([shown]) => shown === value)) values.push([value, 0]);
        }
        if (!values.length) continue;
        const group = element("fieldset", { class: "paper-search-facet" }, element("legend", {}, label));
        for (const [value, count] of values) {
          const box = element("input", { type: "checkbox", value, "data-facet": name });
          box.checked = chosen.has(value);
          box.addEventListener("change", () => {
            if (box.checked) chosen.add(value); else chosen.delete(value);
            this.search();
          });
          group.append(element("label", {}, box, ` ${value} `,
                               element("span", { class: "paper-search-count" }, `(${count})`)));
        }
        groups.push(group);
      }
      if (groups.length) {
        groups.unshift(element("h2", { class: "paper-search-narrow" }, "Narrow by"));
      }
      this.facets.replaceChildren(...groups);
      if (focused) {
        const again = [...this.facets.querySelectorAll("input")].find(
          (box) => box.dataset.facet === focused.dataset.facet && box.value === focused.value);
        again?.focus();
      }
    }
  }
})();
