// Progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Collapse and expand a category's rows in the comparison table.
  function addCategoryToggles(root) {
    root.querySelectorAll("tbody.category > tr.category-row > th").forEach(function (th) {
      if (th.querySelector("button.category-toggle")) return;
      var name = th.querySelector(".category-name");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "category-toggle";
      button.setAttribute("aria-expanded", "true");
      button.textContent = name.textContent;
      name.replaceWith(button);
      button.addEventListener("click", function () {
        var expanded = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", String(!expanded));
        th.closest("tbody").querySelectorAll("tr:not(.category-row)").forEach(function (tr) {
          tr.classList.toggle("collapsed", expanded);
        });
      });
    });
  }

  // Printing shows every note and rubric: open what is folded, fold it back afterwards.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
    document.querySelectorAll("tr.collapsed").forEach(function (tr) {
      tr.classList.remove("collapsed");
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) {
      d.open = false;
    });
    openedForPrint = [];
  });

  // A table cell's note is a popover: one open at a time, closed by Escape (focus goes back to
  // the level word that opened it).
  document.addEventListener(
    "toggle",
    function (event) {
      var opened = event.target;
      if (!opened.open || !opened.matches || !opened.matches(".matrix td > details")) return;
      document.querySelectorAll(".matrix td > details[open]").forEach(function (d) {
        if (d !== opened) d.open = false;
      });
    },
    true
  );
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".matrix td > details[open]").forEach(function (d) {
      d.open = false;
      d.querySelector("summary").focus();
    });
  });

  // A table wider than the page scrolls in its own box (its header row and feature column pinned
  // there), so the page never scrolls sideways; one that fits scrolls with the page.
  function boxWideTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var table = wrap.querySelector("table");
      if (!table) return;
      wrap.classList.remove("is-boxed");
      wrap.classList.toggle("is-boxed", table.getBoundingClientRect().width > wrap.clientWidth + 1);
    });
  }
  window.addEventListener("resize", boxWideTables);
  document.addEventListener("htmx:load", boxWideTables);
  document.addEventListener("DOMContentLoaded", boxWideTables);

  // A link to something folded ("All features") unfolds it and every panel around it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-open-target]");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  });

  document.addEventListener("htmx:load", function (event) {
    addCategoryToggles(event.detail.elt);
  });
  document.addEventListener("DOMContentLoaded", function () {
    addCategoryToggles(document);
    // Panels that start closed on phones (to keep the table in view) open on wide screens.
    if (window.matchMedia("(min-width: 1000px)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (d) {
        d.open = true;
      });
    }
  });
})();
