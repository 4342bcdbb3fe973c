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
