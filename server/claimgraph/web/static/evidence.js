// The claim page: bring the first marked span of the source into view when the page is opened without a fragment.
// A link to #evidence-1 scrolls there without any script, and the page reads the same without it.
document.addEventListener("DOMContentLoaded", () => {
  if (window.location.hash) return;
  const mark = document.querySelector("mark.evidence[id]");
  if (mark && mark.getBoundingClientRect().bottom > window.innerHeight) mark.scrollIntoView({ block: "center" });
});
