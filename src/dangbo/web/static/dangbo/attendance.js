/* The attendance sheet on a phone (meetings/attendance.html).
 *
 * Without this script the sheet is a plain form that posts and reloads. With it:
 *  - every tap is kept on the phone (localStorage) at once, so nothing is lost if the page
 *    is closed or the connection drops;
 *  - "Lưu điểm danh" sends the sheet in the background; if the connection is down, the
 *    sheet waits on the phone and is sent again as soon as the connection returns (and every
 *    20 seconds meanwhile); the server's refusals (400) are shown and the taps kept;
 *  - the counts at the top follow the taps; the reason is asked only for an excused absence;
 *  - one button marks everyone not yet recorded as present.
 */
(function () {
  "use strict";
  var form = document.getElementById("attendance-sheet");
  if (!form) return;
  var key = "dangbo-attendance-" + form.dataset.meeting;
  var statusLine = document.getElementById("sheet-status");
  var message = document.createElement("p");
  message.className = "sheet-message";
  message.setAttribute("role", "alert");
  statusLine.parentNode.insertBefore(message, statusLine.nextSibling);
  var retryTimer = null;

  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll(".sheet-row"));
  }

  function rowState(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    var reason = row.querySelector("select");
    return [checked ? checked.value : "", reason ? reason.value : ""];
  }

  function refresh() {
    var counts = { present: 0, absent_excused: 0, absent_unexcused: 0 };
    rows().forEach(function (row) {
      var state = rowState(row);
      if (counts.hasOwnProperty(state[0])) counts[state[0]] += 1;
      row.classList.toggle("excused", state[0] === "absent_excused");
      row.classList.toggle("recorded", state[0] !== "");
    });
    Object.keys(counts).forEach(function (name) {
      var cell = statusLine.querySelector('[data-count="' + name + '"]');
      if (cell) cell.textContent = counts[name];
    });
  }

  function draft() {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function keep(pending) {
    var states = {};
    rows().forEach(function (row) {
      states[row.dataset.member] = rowState(row);
    });
    try {
      window.localStorage.setItem(key, JSON.stringify({ states: states, pending: pending, at: Date.now() }));
    } catch (e) {
      /* storage full or disabled: the form still posts */
    }
  }

  function restore(saved) {
    rows().forEach(function (row) {
      var state = saved.states[row.dataset.member];
      if (!state) return;
      row.querySelectorAll("input[type=radio]").forEach(function (input) {
        input.checked = input.value === state[0];
      });
      var reason = row.querySelector("select");
      if (reason && state[1]) reason.value = state[1];
    });
  }

  function say(text, kind) {
    message.textContent = text;
    message.className = "sheet-message " + (kind || "");
  }

  function send() {
    keep(true);
    var body = new FormData(form);
    return window
      .fetch(window.location.href, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Attendance": "1" },
      })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          say(
            "Chưa lưu được (phiên đăng nhập đã hết hoặc máy chủ đang bận). Điểm danh vẫn được giữ trên máy: " +
              "đăng nhập lại rồi mở lại trang này để gửi.",
            "error"
          );
          return;
        }
        return response.json().then(function (answer) {
          if (answer.ok) {
            window.localStorage.removeItem(key);
            stopRetry();
            say(answer.message, "saved");
          } else {
            keep(false);
            say((answer.errors || []).join(" "), "error");
          }
        });
      })
      .catch(function () {
        say("Mất kết nối: điểm danh đã được giữ trên máy và sẽ tự gửi khi có mạng lại.", "waiting");
        startRetry();
      });
  }

  function startRetry() {
    if (retryTimer) return;
    retryTimer = window.setInterval(function () {
      if (navigator.onLine !== false) send();
    }, 20000);
  }

  function stopRetry() {
    if (retryTimer) window.clearInterval(retryTimer);
    retryTimer = null;
  }

  form.addEventListener("change", function () {
    refresh();
    keep(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say("Đang lưu…", "");
    send();
  });
  window.addEventListener("online", function () {
    var saved = draft();
    if (saved && saved.pending) send();
  });

  var tools = form.querySelector(".sheet-tools");
  if (tools) {
    tools.hidden = false;
    tools.querySelector("[data-all-present]").addEventListener("click", function () {
      rows().forEach(function (row) {
        if (rowState(row)[0] === "") row.querySelector('input[value="present"]').checked = true;
      });
      refresh();
      keep(false);
    });
  }

  var saved = draft();
  if (saved && saved.states) {
    restore(saved);
    if (saved.pending) {
      say("Có điểm danh chưa gửi được lần trước: đang gửi lại.", "waiting");
      send();
    } else {
      say("Đã khôi phục điểm danh chưa lưu trên máy này. Bấm «Lưu điểm danh» để lưu.", "waiting");
    }
  }
  refresh();
})();
