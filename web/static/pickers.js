/* chithi directory pickers (templates/pickers/_body_picker.html): search the bodies valid on the
   document's date and keep the chosen codes in the hidden input. Events are delegated from the
   document, so pickers swapped in by htmx work without being set up again. */
(function () {
  "use strict";
  var timers = new WeakMap();

  function picker(el) { return el.closest(".body-picker"); }
  function codes(box) {
    return box.querySelector(".picker-value").value.split(",").map(function (c) { return c.trim(); })
      .filter(Boolean);
  }
  function store(box, list) {
    var input = box.querySelector(".picker-value");
    input.value = list.join(", ");
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function chip(code, name) {
    var li = document.createElement("li");
    li.className = "chip";
    li.dataset.code = code;
    var span = document.createElement("span");
    span.className = "chip-name";
    span.textContent = name;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("aria-label", "Bỏ " + name);
    remove.textContent = "×";
    li.appendChild(span);
    li.appendChild(remove);
    return li;
  }
  function choose(box, code, name) {
    var list = codes(box);
    var chips = box.querySelector(".picker-chips");
    if (box.dataset.multiple !== "true") { list = []; chips.innerHTML = ""; }
    if (list.indexOf(code) === -1) {
      list.push(code);
      chips.appendChild(chip(code, name));
    }
    store(box, list);
    var search = box.querySelector(".picker-search");
    search.value = "";
    hide(box);
    box.dispatchEvent(new CustomEvent("picker:chosen", { bubbles: true, detail: { code: code, name: name } }));
    search.focus();
  }
  function hide(box) {
    var results = box.querySelector(".picker-results");
    results.hidden = true;
    results.innerHTML = "";
  }
  function show(box, bodies, text) {
    var results = box.querySelector(".picker-results");
    results.innerHTML = "";
    var chosen = codes(box);
    bodies.forEach(function (b) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = "picker-option" + (chosen.indexOf(b.code) !== -1 ? " chosen" : "");
      li.dataset.code = b.code;
      li.dataset.name = b.printed;
      li.tabIndex = -1;
      li.textContent = b.name;
      results.appendChild(li);
    });
    if (!bodies.length) {
      var none = document.createElement("li");
      none.className = "picker-empty";
      none.textContent = "Không có cơ quan nào tên «" + text + "» còn hoạt động vào ngày này.";
      results.appendChild(none);
    }
    results.hidden = false;
  }
  function search(box, text) {
    var params = new URLSearchParams({ q: text, on: box.dataset.on, scope: box.dataset.scope,
                                       province: box.dataset.province });
    fetch(box.dataset.url + "?" + params.toString(), { headers: { "Accept": "application/json" },
                                                       credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { bodies: [] }; })
      .then(function (data) { show(box, data.bodies || [], text); })
      .catch(function () { hide(box); });
  }

  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("picker-search")) { return; }
    var box = picker(event.target);
    var text = event.target.value.trim();
    clearTimeout(timers.get(box));
    if (text.length < 2) { hide(box); return; }
    timers.set(box, setTimeout(function () { search(box, text); }, 150));
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".picker-option");
    if (option) { choose(picker(option), option.dataset.code, option.dataset.name); return; }
    var remove = event.target.closest(".chip-remove");
    if (remove) {
      var box = picker(remove);
      var li = remove.closest(".chip");
      store(box, codes(box).filter(function (c) { return c !== li.dataset.code; }));
      li.remove();
      return;
    }
    document.querySelectorAll(".picker-results:not([hidden])").forEach(function (list) {
      if (!list.closest(".body-picker").contains(event.target)) { hide(list.closest(".body-picker")); }
    });
  });
  document.addEventListener("keydown", function (event) {
    var box = event.target.closest && event.target.closest(".body-picker");
    if (!box) { return; }
    var options = Array.prototype.slice.call(box.querySelectorAll(".picker-option"));
    var index = options.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(index + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      if (index <= 0) { box.querySelector(".picker-search").focus(); } else { options[index - 1].focus(); }
    } else if (event.key === "Enter" && document.activeElement.classList.contains("picker-option")) {
      event.preventDefault();
      choose(box, document.activeElement.dataset.code, document.activeElement.dataset.name);
    } else if (event.key === "Enter" && event.target.classList.contains("picker-search")) {
      event.preventDefault();  // Enter in the search box picks, never submits the form
      if (options.length === 1) { choose(box, options[0].dataset.code, options[0].dataset.name); }
    } else if (event.key === "Escape") {
      hide(box);
    }
  });
})();
