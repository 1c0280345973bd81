// <tessera-conflict-dialog>: someone saved a newer version while you edited. Nothing is
// lost silently: reload theirs (your edits are discarded only because you chose so),
// overwrite with yours (a new version on top of theirs; theirs stays in the history), or
// save yours as a clone.
//
// Properties: mine (the version you edited), theirs (the server's current version).
// Methods: open(). Event: tessera-conflict-dialog-resolved {choice: "theirs"|"overwrite"|"clone"|"cancel"}.

import { emit, uiSheet } from "./ui-sheet.js";

export class ConflictDialogElement extends HTMLElement {
  #root;
  #dialog;
  mine = null;
  theirs = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.adoptedStyleSheets = [uiSheet()];
    this.#root.innerHTML = `
      <dialog aria-labelledby="conflict-title" style="width:min(520px, calc(100vw - 32px))">
        <form method="dialog">
          <header><h2 id="conflict-title">Someone saved a newer version</h2></header>
          <div class="body"><p class="text"></p>
            <p class="muted">Your changes are still on screen and in this browser's draft until you choose.</p></div>
          <footer>
            <button value="cancel">Decide later</button>
            <button value="theirs">Reload theirs</button>
            <button value="clone">Save mine as a clone</button>
            <button value="overwrite" class="primary">Overwrite with mine</button>
          </footer>
        </form>
      </dialog>`;
    this.#dialog = this.#root.querySelector("dialog");
    this.#dialog.addEventListener("close", () => emit(this, "resolved", { choice: this.#dialog.returnValue || "cancel" }));
  }

  open() {
    this.#root.querySelector(".text").textContent = `You edited version ${this.mine}, but version ${this.theirs} `
      + "was saved since (in another tab or by someone else). Overwriting keeps theirs in the history.";
    this.#dialog.returnValue = "";
    this.#dialog.showModal();
  }
}
