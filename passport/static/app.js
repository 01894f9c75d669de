/* Needs Passport: small enhancements. Every page works without this file. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? "{}" : JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error("Request failed: " + response.status);
        return data;
      });
    });
  }

  function passkeysSupported() {
    return Boolean(
      window.PublicKeyCredential &&
        PublicKeyCredential.parseCreationOptionsFromJSON &&
        PublicKeyCredential.parseRequestOptionsFromJSON
    );
  }

  function showPasskeyError() {
    var summary = document.querySelector("[data-passkey-error]");
    if (summary) {
      summary.hidden = false;
      summary.focus();
    }
  }

  function credentialJSON(credential) {
    var json = credential.toJSON();
    // PRF results are secrets for the browser only: never send them to the server.
    if (json.clientExtensionResults) delete json.clientExtensionResults.prf;
    return json;
  }

  function finish(result) {
    window.location.assign(result.redirect || "/passport");
  }

  function setUpPasskeys() {
    if (!passkeysSupported()) return;
    document.querySelectorAll("template[data-passkey-template]").forEach(function (template) {
      template.replaceWith(template.content.cloneNode(true));
    });
    document.querySelectorAll("[data-passkey-only]").forEach(function (el) { el.hidden = false; });
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (el) { el.hidden = true; });
    var linkButton = document.querySelector("[data-link-button]");
    if (linkButton) linkButton.classList.add("govuk-button--secondary");

    ceremony("[data-passkey-register]", "passkeyRegister", function (options) {
      return navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
      });
    });
    ceremony("[data-passkey-sign-in]", "passkeySignIn", function (options) {
      return navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
      });
    });
  }

  // One passkey ceremony, to make a passkey or to sign in with one: ask the server for
  // options, let the browser answer them, send the answer back, and go where it says.
  function ceremony(selector, optionsKey, answer) {
    var button = document.querySelector(selector);
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      postJSON(button.dataset[optionsKey])
        .then(answer)
        .then(function (credential) {
          return postJSON(button.dataset.passkeyVerify, credentialJSON(credential));
        })
        .then(finish)
        .catch(function () {
          button.disabled = false;
          showPasskeyError();
        });
    });
  }

  // 'Exit this page' can arrive later (an htmx swap) or be revealed later: find it when used.
  function visibleExitButton() {
    return document.querySelector("#exit-this-page:not([hidden]) [data-exit-this-page]");
  }

  function leave(button) {
    document.body.hidden = true;
    document.title = "Loading";
    window.location.replace(button.href);
  }

  function setUpExitThisPage() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-exit-this-page]");
      if (!button) return;
      event.preventDefault();
      leave(button);
    });
    var presses = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") return;
      var button = visibleExitButton();
      if (!button) return;
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 5000; }).concat(now);
      if (presses.length >= 3) leave(button);
    });
    // A form that offers a sensitive category shows the button once one is picked.
    var waiting = document.querySelector("[data-exit-when-chosen]");
    if (!waiting) return;
    function revealIfChosen() {
      if (document.querySelector("input[data-sensitive]:checked")) waiting.hidden = false;
    }
    document.addEventListener("change", revealIfChosen);
    revealIfChosen();
  }

  // The header's language switch is a form of its own: on a page with typed text, press the
  // typed form's own language button instead, which takes the text along (passport/kept.py).
  function setUpLanguageKeepsTyping() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest(".np-language button[name='lang']");
      if (!button) return;
      var keeping = document.querySelector("button[data-keep-typing][value='" + button.value + "']");
      if (!keeping || !keeping.form) return;
      event.preventDefault();
      if (keeping.form.requestSubmit) keeping.form.requestSubmit(keeping);
      else keeping.click();
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  function registerServiceWorker() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    }
  }

  // The warning before a session ends (templates/session_warning.html): opened a little
  // before the idle limit; "Stay signed in" asks the server, which counts that as activity.
  function setUpSessionWarning() {
    var dialog = document.getElementById("session-warning");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var form = dialog.querySelector("[data-stay-signed-in]");
    var warnBefore = Number(dialog.getAttribute("data-warn-before")) || 120;
    var timer = null;

    function schedule(endsIn) {
      if (timer) window.clearTimeout(timer);
      if (typeof endsIn !== "number") return;
      timer = window.setTimeout(function () {
        if (!dialog.open) dialog.showModal();
      }, Math.max(0, endsIn - warnBefore) * 1000);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: new FormData(form),
        redirect: "manual",
      })
        .then(function (response) {
          if (response.type === "opaqueredirect") {
            // Too late: the session has ended. Say so, as the next page would.
            window.location.href = dialog.getAttribute("data-signed-out-url");
            return Promise.reject(new Error("signed out"));
          }
          return response.ok ? response.json() : Promise.reject(new Error("failed"));
        })
        .then(function (data) {
          dialog.close();
          schedule(data.ends_in);
        })
        .catch(function () {});
    });
    schedule(Number(dialog.getAttribute("data-session-ends-in")));
  }

  setUpPasskeys();
  setUpExitThisPage();
  setUpSessionWarning();
  setUpLanguageKeepsTyping();
  focusErrorSummary();
  registerServiceWorker();
})();
