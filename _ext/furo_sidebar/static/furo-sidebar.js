// A block that scrolls sideways (a long code line, a wide table, a formula) must take
// focus, or a keyboard cannot scroll it (axe: scrollable-region-focusable); a formula's
// box is named, as a screen reader announces what takes focus. Which ones scroll
// depends on the width of the window, so this is decided here, not at build time.
(() => {
  const named = (box) => {
    if (!box.matches(".math-wrapper, .math-scroll")) return;
    const number = box.querySelector(".eqno")?.textContent.replace("¶", "").trim();
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", number ? `Equation ${number}` : "Formula");
  };
  const scrollable = () => {
    // A formula wider than its line gets a box of its own to scroll in: MathML does not
    // break lines, and the whole column scrolled sideways.
    for (const math of document.querySelectorAll("article math:not([display=block])")) {
      if (math.parentElement.classList.contains("math-scroll")) continue;
      let line = math.parentElement;  // the block it is a line of: inline boxes have no width
      while (getComputedStyle(line).display.startsWith("inline")) line = line.parentElement;
      if (math.getBoundingClientRect().width <= line.clientWidth) continue;
      const box = document.createElement("span");
      box.className = "math-scroll";
      math.replaceWith(box);
      box.append(math);
    }
    for (const block of document.querySelectorAll(
        "article pre, article .table-wrapper, article .math-wrapper, article .math-scroll")) {
      if (block.scrollWidth > block.clientWidth) {
        block.tabIndex = 0;
        named(block);
      } else {
        for (const name of ["tabindex", "role", "aria-label"]) block.removeAttribute(name);
      }
    }
  };
  scrollable();
  addEventListener("resize", scrollable);
})();

// furo opens its drawers with labels for hidden checkboxes: a pointer reaches them, a
// keyboard does not. Each becomes a button that works the same checkbox (without this
// script the labels still work) and says whether its drawer is open. Escape closes an
// open drawer, and focus inside it goes back to the button that opened it.
(() => {
  const drawers = {
    __navigation: { name: "Site navigation", selector: ".sidebar-drawer", buttons: [] },
    __toc: { name: "On this page", selector: ".toc-drawer", buttons: [] },
  };
  const toggle = (box, open) => {
    box.checked = open;
    box.dispatchEvent(new Event("change"));
  };
  for (const label of document.querySelectorAll(
      "label.nav-overlay-icon[for], label.toc-overlay-icon[for]")) {
    const box = document.getElementById(label.htmlFor);
    const button = document.createElement("button");
    button.type = "button";
    button.className = label.className;
    button.setAttribute("aria-label", drawers[label.htmlFor].name);
    button.setAttribute("aria-expanded", String(box.checked));
    button.append(...label.childNodes);
    button.addEventListener("click", () => toggle(box, !box.checked));
    box.addEventListener("change", () => button.setAttribute("aria-expanded", String(box.checked)));
    drawers[label.htmlFor].buttons.push(button);
    label.replaceWith(button);
  }
  addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const [id, drawer] of Object.entries(drawers)) {
      const box = document.getElementById(id);
      if (!box || !box.checked) continue;
      toggle(box, false);
      if (document.activeElement.closest(drawer.selector)) {
        drawer.buttons.find((button) => button.offsetParent !== null)?.focus();
      }
    }
  });
})();
