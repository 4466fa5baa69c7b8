// Progressive enhancement only: every control below is a plain link or POST form that works
// without this file. With it, like/follow update in place and "Load more" appends the next page.
(() => {
  "use strict";

  // Like and follow: submit the same form with fetch; the server answers JSON when asked to.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-toggle]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    const button = form.querySelector("button");
    const action = form.querySelector('input[name="action"]');
    button.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      const on = form.dataset.toggle === "like" ? data.liked : data.following;
      button.setAttribute("aria-pressed", String(on));
      const label = button.querySelector("[data-label]");
      if (label) label.textContent = on ? button.dataset.labelOn : button.dataset.labelOff;
      action.value = form.dataset.toggle === "like" ? (on ? "unlike" : "like") : (on ? "unfollow" : "follow");
      const count = button.querySelector("[data-count]");
      if (count && "like_count" in data) {
        count.textContent = data.like_count;
        count.setAttribute("aria-label", `${data.like_count} like${data.like_count === 1 ? "" : "s"}`);
      }
      const followers = document.querySelector("[data-follower-count]");
      if (followers && "follower_count" in data) followers.textContent = data.follower_count;
    } catch {
      form.submit(); // fall back to the plain POST and its redirect
    } finally {
      button.removeAttribute("aria-busy");
    }
  });

  // "Load more": fetch the next keyset page, append its cards, take over its link.
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-load-more]");
    if (!link || !window.fetch || !window.DOMParser || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const grid = document.querySelector("[data-post-grid]");
    if (!grid) return;
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    link.textContent = "Loading…";
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const cards = page.querySelectorAll("[data-post-grid] > .card");
      const firstNew = cards[0];
      grid.append(...cards);
      const next = page.querySelector("a[data-load-more]");
      if (next) {
        link.href = next.href;
        link.textContent = "Load more";
        link.removeAttribute("aria-busy");
      } else {
        link.closest(".load-more").remove();
      }
      // Keyboard users continue from the first new card.
      if (firstNew) firstNew.querySelector(".card__link").focus({ preventScroll: true });
    } catch {
      window.location.href = link.href;
    }
  });

  // Settings: the new API token is selected on focus and can be copied with one click.
  for (const input of document.querySelectorAll("[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
  if (navigator.clipboard) {
    for (const button of document.querySelectorAll("[data-copy]")) {
      button.hidden = false;
      button.addEventListener("click", async () => {
        const source = document.querySelector(button.dataset.copy);
        await navigator.clipboard.writeText(source.value);
        button.textContent = "Copied";
      });
    }
  }
})();
