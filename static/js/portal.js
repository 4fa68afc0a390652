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
