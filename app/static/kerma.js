// htmx leaves error responses unswapped; show their message above the page instead.
document.body.addEventListener("htmx:responseError", function (event) {
  var messages = document.getElementById("messages");
  var xhr = event.detail.xhr;
  if (!messages || !xhr) {
    return;
  }
  // Kerma's error fragments carry data-status; anything else (a proxy's page) gets a plain line.
  var parsed = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  var fragment = parsed.querySelector("[data-status]");
  if (!fragment) {
    fragment = document.createElement("div");
    fragment.className = "alert alert-danger";
    fragment.setAttribute("role", "alert");
    fragment.textContent = "The server answered " + xhr.status + " " + xhr.statusText + ".";
  }
  messages.replaceChildren(fragment);
});

// Event tables of the detail pages (data-sortable) sort by a column when its header is
// clicked: numbers as numbers, text as text, empty cells last. Without scripts they keep
// the order the dose report gave.
document.addEventListener("click", function (event) {
  var header = event.target.closest("table[data-sortable] thead th");
  if (!header) {
    return;
  }
  var table = header.closest("table");
  var column = Array.prototype.indexOf.call(header.parentNode.children, header);
  var ascending = header.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("thead th").forEach(function (th) {
    th.removeAttribute("aria-sort");
  });
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var key = function (row) {
    var text = (row.cells[column] ? row.cells[column].textContent : "").trim();
    var number = Number(text);
    return {empty: text === "", number: isNaN(number) ? null : number, text: text};
  };
  rows.sort(function (a, b) {
    var x = key(a), y = key(b);
    if (x.empty || y.empty) {
      return x.empty === y.empty ? 0 : (x.empty ? 1 : -1);
    }
    var order = (x.number !== null && y.number !== null)
      ? x.number - y.number
      : x.text.localeCompare(y.text, undefined, {numeric: true});
    return ascending ? order : -order;
  });
  rows.forEach(function (row) {
    body.appendChild(row);
  });
});

// Tables of names to tick in bulk (standard names, equipment): a text box with
// data-narrow="<table id>" hides the rows not containing its text, and a checkbox with
// data-tick-shown="<table id>" ticks or unticks every row still shown. Without scripts
// every row stays and each is ticked by hand.
document.addEventListener("input", function (event) {
  var box = event.target.closest("input[data-narrow]");
  if (!box) {
    return;
  }
  var table = document.getElementById(box.getAttribute("data-narrow"));
  var text = box.value.trim().toLowerCase();
  if (!table) {
    return;
  }
  Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
    row.hidden = text !== "" && row.textContent.toLowerCase().indexOf(text) === -1;
  });
});

document.addEventListener("change", function (event) {
  var all = event.target.closest("input[data-tick-shown]");
  if (!all) {
    return;
  }
  var table = document.getElementById(all.getAttribute("data-tick-shown"));
  if (!table) {
    return;
  }
  Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
    var box = row.querySelector("input[type=checkbox]");
    if (box && !row.hidden) {
      box.checked = all.checked;
    }
  });
});
