// dangbo: organization pickers. A text field with data-org-picker="<address>" takes an
// organization's code; as the user types a name or a code, it lists the organizations of their
// scope that match (the address answers JSON: orgs.views.org_pick_view), without regard to
// accents or case, and choosing one puts its code in the field. data-org-picker-multi: the field
// holds several codes separated by commas; the words after the last comma are searched and
// replaced. Without JavaScript the field is a plain code field.
(function () {
  "use strict";
  var count = 0;

  function term(input) {
    if (!input.hasAttribute("data-org-picker-multi")) return input.value.trim();
    var parts = input.value.split(/[,;\n]/);
    return parts[parts.length - 1].trim();
  }

  function put(input, code) {
    if (!input.hasAttribute("data-org-picker-multi")) {
      input.value = code;
      return;
    }
    var cut = Math.max(input.value.lastIndexOf(","), input.value.lastIndexOf(";"), input.value.lastIndexOf("\n"));
    input.value = (cut >= 0 ? input.value.slice(0, cut + 1) + " " : "") + code + ", ";
  }

  function setup(input) {
    if (input.getAttribute("data-org-picker-ready")) return;
    input.setAttribute("data-org-picker-ready", "1");
    var id = "chon-to-chuc-" + ++count;
    var list = document.createElement("ul");
    list.id = id;
    list.className = "org-picker";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Tổ chức phù hợp");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    var chosen = document.createElement("p");
    chosen.className = "hint org-picker-chosen";
    chosen.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", chosen);
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    var timer = null;
    var asked = 0;
    var active = -1;

    function options() {
      return list.querySelectorAll("[role=option][data-code]");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      for (var i = 0; i < all.length; i++) all[i].setAttribute("aria-selected", i === active ? "true" : "false");
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      put(input, option.getAttribute("data-code"));
      chosen.textContent = "Đã chọn: " + option.getAttribute("data-label");
      close();
      input.focus();
    }

    function show(results) {
      list.textContent = "";
      active = -1;
      results.forEach(function (org, i) {
        var item = document.createElement("li");
        item.id = id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-code", org.code);
        item.setAttribute("data-label", org.label + " (" + org.code + ")");
        var name = document.createElement("span");
        name.className = "org-picker-name";
        name.textContent = org.name;
        var more = document.createElement("span");
        more.className = "hint";
        more.textContent = (org.context ? " · " + org.context : "") + " · mã " + org.code;
        item.appendChild(name);
        item.appendChild(more);
        list.appendChild(item);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.setAttribute("aria-selected", "false");
        none.className = "hint";
        none.textContent = "Không có tổ chức phù hợp trong phạm vi của anh/chị.";
        list.appendChild(none);
      }
      status.textContent = results.length ? results.length + " tổ chức phù hợp" : "Không có tổ chức phù hợp";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function ask() {
      var text = term(input);
      if (text.length < 2) {
        close();
        return;
      }
      var mine = ++asked;
      var address = input.getAttribute("data-org-picker");
      address += (address.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(text);
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (mine === asked && document.activeElement === input) show(data.results || []);
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      chosen.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown") ask();
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        mark(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
    list.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the field
      var option = event.target.closest("[role=option][data-code]");
      if (option) choose(option);
    });
  }

  function setupAll(root) {
    var inputs = (root || document).querySelectorAll("input[data-org-picker]");
    for (var i = 0; i < inputs.length; i++) setup(inputs[i]);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    setupAll(event.target);
  });
})();
