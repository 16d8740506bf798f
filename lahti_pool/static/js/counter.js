// Shows how many characters a length-limited field holds ("120 of 2000 used").
// Progressive enhancement: without it the field still says its limit, and the server
// refuses over-long text with a message.
"use strict";
document.querySelectorAll("[data-count-for]").forEach(function (counter) {
  var field = document.getElementById(counter.getAttribute("data-count-for"));
  if (!field) {
    return;
  }
  var template = counter.getAttribute("data-template");
  function update() {
    counter.textContent = "(" + template.replace("{count}", field.value.length) + ")";
  }
  field.addEventListener("input", update);
  update();
});
