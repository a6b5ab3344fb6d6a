// A block that scrolls sideways (a long code line, a wide table) must take focus,
// or a keyboard cannot scroll it (axe: scrollable-region-focusable). Which ones
// scroll depends on the width of the window, so this is decided here, not at build time.
(() => {
  const scrollable = () => {
    for (const block of document.querySelectorAll("article pre, article .table-wrapper")) {
      if (block.scrollWidth > block.clientWidth) block.tabIndex = 0;
      else block.removeAttribute("tabindex");
    }
  };
  scrollable();
  addEventListener("resize", scrollable);
})();
