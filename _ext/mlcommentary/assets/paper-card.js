// A copy button for each card's BibTeX entry.
document.addEventListener("DOMContentLoaded", () => {
  for (const block of document.querySelectorAll(".paper-card-bibtex pre")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "paper-copy-bibtex";
    button.textContent = "Copy";
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(block.innerText);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
    block.parentElement.insertBefore(button, block);
  }
});
