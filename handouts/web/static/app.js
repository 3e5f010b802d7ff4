// Filters the muscle list as one types; the page works without it too.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const q = document.getElementById("q");
  const region = document.getElementById("region");
  const items = Array.from(document.querySelectorAll("#results li"));
  const count = document.getElementById("count");
  if (!q || !region) return;
  const filter = () => {
    const words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const li of items) {
      const text = li.dataset.search;
      const ok = words.every((w) => text.includes(w)) &&
        (!region.value || li.dataset.regions.split(" ").includes(region.value));
      li.hidden = !ok;
      if (ok) shown += 1;
    }
    count.textContent = shown === 1 ? "1 muscle" : `${shown} muscles`;
  };
  q.addEventListener("input", filter);
  region.addEventListener("change", filter);
});
