/* The paper extension's entries for Sphinx's search: papers by identifier, author and
   title (sphinx_ext/search.py). A build writes them to a script of their own only when
   they change, rather than into searchindex.js, which it reads and writes whole; here
   they join Sphinx's index as Sphinx would have filed them: each entry's pages in
   the order of their names, each a main entry. They come by page, then by the anchor
   they lead to: {docname: {anchor: [entry, ...]}}. Runs deferred, after searchtools.js,
   before or after searchindex.js has given Sphinx its index (themes load it either
   way). */
"use strict";

function mlcommentarySearchEntries(pages) {
  const merge = (index) => {
    const position = new Map(index.docnames.map((docname, at) => [docname, at]));
    const entries = index.indexentries;
    for (const [docname, anchors] of Object.entries(pages)) {
      const at = position.get(docname);
      if (at === undefined) continue;  // a page Sphinx's index does not have
      for (const [anchor, filed] of Object.entries(anchors)) {
        for (const entry of filed) (entries[entry] ??= []).push([at, anchor, true]);
      }
    }
  };
  if (Search.hasIndex()) {
    merge(Search._index);
    return;
  }
  const setIndex = Search.setIndex;
  Search.setIndex = (index) => {
    merge(index);
    setIndex(index);
  };
}
