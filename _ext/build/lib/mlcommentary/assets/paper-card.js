// Copy buttons for the cards' BibTeX entries, and the cards' folded parts
// opened for printing.

function selectContents(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// What happened, for the status line: the copy, or else a selection to copy by hand.
async function copyEntry(block) {
  // Only secure contexts (https, localhost) have the clipboard API.
  if (navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(block.innerText);
      return "Copied";
    } catch {
      // Refused: fall back to the selection below.
    }
  }
  selectContents(block);
  // Deprecated, but the only copy a plain-http page has.
  return document.execCommand("copy") ? "Copied" : "Entry selected: press Ctrl+C to copy";
}

document.addEventListener("DOMContentLoaded", () => {
  for (const block of document.querySelectorAll(".paper-card-bibtex pre")) {
    const bar = document.createElement("div");
    bar.className = "paper-copy";
    // A live region from the start: screen readers announce what is written into it.
    const status = document.createElement("span");
    status.className = "paper-copy-status";
    status.setAttribute("role", "status");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "paper-copy-bibtex";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy BibTeX entry");
    let clearing;
    button.addEventListener("click", async () => {
      status.textContent = await copyEntry(block);
      clearTimeout(clearing);
      clearing = setTimeout(() => { status.textContent = ""; }, 5000);
    });
    bar.append(status, button);
    block.parentElement.insertBefore(bar, block);
  }
});

// A closed <details> prints only its summary. The stylesheet opens the cards'
// folded parts where the browser knows ::details-content; this does it elsewhere,
// and closes again what it opened.
let openedForPrint = [];
window.addEventListener("beforeprint", () => {
  openedForPrint = [...document.querySelectorAll(".paper-card details:not([open])")];
  for (const details of openedForPrint) details.open = true;
});
window.addEventListener("afterprint", () => {
  for (const details of openedForPrint) details.open = false;
  openedForPrint = [];
});
