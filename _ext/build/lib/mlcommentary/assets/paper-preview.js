// Shows a link's paper preview (a popover written into the page at build time)
// beside it: on hover with a mouse, and on focus from the keyboard. A tap on a
// touch screen follows the link. Escape closes the preview. Floating UI places it.

(() => {
  const { computePosition, autoUpdate, offset, flip, shift, size } = window.FloatingUIDOM;
  // Long enough to cross a paragraph without a flurry of previews, short enough to feel
  // immediate; the pointer can move from the link onto the preview before it closes.
  const SHOW_DELAY_MS = 350;
  const HIDE_DELAY_MS = 250;
  const MARGIN_PX = 8;

  let shown = null;  // { link, preview, stop }
  let timer;

  function later(action, delay) {
    clearTimeout(timer);
    timer = setTimeout(action, delay);
  }

  function show(link) {
    clearTimeout(timer);
    const preview = document.getElementById(link.getAttribute("aria-describedby"));
    if (shown && shown.link === link) return;
    hide();
    preview.showPopover();
    // Below the link's whole box (every line of it), else above: never over it, and
    // never taller than the room on that side.
    const place = () => computePosition(link, preview, {
      strategy: "fixed",
      placement: "bottom-start",
      middleware: [
        offset(MARGIN_PX),
        flip({ fallbackPlacements: ["top-start"], padding: MARGIN_PX }),
        shift({ padding: MARGIN_PX }),
        size({
          padding: MARGIN_PX,
          apply({ availableWidth, availableHeight }) {
            preview.style.maxWidth = `min(26rem, ${Math.max(0, availableWidth)}px)`;
            preview.style.maxHeight = `${Math.max(0, availableHeight)}px`;
          },
        }),
      ],
    }).then(({ x, y }) => {
      preview.style.left = `${x}px`;
      preview.style.top = `${y}px`;
    });
    shown = { link, preview, stop: autoUpdate(link, preview, place) };
  }

  function hide() {
    clearTimeout(timer);
    if (!shown) return;
    shown.stop();
    shown.preview.hidePopover();
    shown = null;
  }

  function onPreview(preview) {
    preview.addEventListener("pointerenter", () => clearTimeout(timer));
    preview.addEventListener("pointerleave", () => later(hide, HIDE_DELAY_MS));
  }

  function onLink(link) {
    // The preview says all the tooltip did: two would overlap.
    link.removeAttribute("title");
    link.addEventListener("pointerenter", (event) => {
      if (event.pointerType === "mouse") later(() => show(link), SHOW_DELAY_MS);
    });
    link.addEventListener("pointerleave", (event) => {
      if (event.pointerType === "mouse") later(hide, HIDE_DELAY_MS);
    });
    // A click or tap focuses the link too, but only keyboard focus is :focus-visible.
    link.addEventListener("focus", () => {
      if (link.matches(":focus-visible")) show(link);
    });
    link.addEventListener("blur", () => {
      if (shown && shown.link === link) hide();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const preview of document.querySelectorAll(".paper-preview")) onPreview(preview);
    for (const link of document.querySelectorAll("a.paper-ref[aria-describedby]")) onLink(link);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && shown) hide();
  });
})();
